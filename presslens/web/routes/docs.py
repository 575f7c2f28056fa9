"""`/docs`: Swagger UI from the vendored static files (nothing is loaded from the network)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..deps import page

router = APIRouter()


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
async def api_docs(request: Request):
    return page(request, "docs.html", {"json_url": "/openapi.json"})
