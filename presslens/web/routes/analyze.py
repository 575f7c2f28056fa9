"""Analyze: paste text or upload a file and see its article page, without storing anything."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import UploadFile

from .. import deps, responses
from ..deps import page
from ..render import article_view
from ..views import page_view

router = APIRouter()


class AnalyzeRequest(BaseModel):
    """One article to analyze. A dateline header (`date 2020-09-15 Outlet - body`) at the start of
    `text` is recognised, as in `presslens analyze`; explicit fields win over it."""

    text: str = Field(min_length=1, description="The article text")
    published: dt.date | None = Field(None, description="Publication date (YYYY-MM-DD)")
    outlet: str | None = Field(None, max_length=300)
    title: str | None = Field(None, max_length=1000)


_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": AnalyzeRequest.model_json_schema()},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "A UTF-8 text file"},
                    "text": {"type": "string"},
                    "published": {"type": "string", "format": "date"},
                    "outlet": {"type": "string"},
                    "title": {"type": "string"},
                },
            }
        },
    },
}


async def read_request(request: Request) -> AnalyzeRequest:
    """The article from a JSON body, or from a form with a `text` field or an uploaded `file`."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        try:
            fields = await request.json()
        except (ValueError, RecursionError):  # RecursionError: nested thousands of levels deep
            raise HTTPException(status_code=400, detail="The body is not valid JSON.") from None
        if not isinstance(fields, dict):
            raise HTTPException(status_code=400, detail='The JSON body must be an object: {"text": ...}.')
    elif ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # `async with` closes the uploaded file's spool when done
        async with request.form(max_files=1, max_fields=10, max_part_size=request.app.state.max_upload) as form:
            fields = {k: v for k, v in form.items() if k in ("text", "published", "outlet", "title") and v}
            upload = form.get("file")
            if isinstance(upload, UploadFile) and upload.filename:
                raw = await upload.read()
                try:
                    fields["text"] = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise HTTPException(status_code=400, detail=f"{upload.filename!r} is not UTF-8 text.") from None
    else:
        raise HTTPException(status_code=415, detail="Send JSON ({\"text\": ...}) or a multipart form with a "
                                                    "`text` field or a `file`.")
    try:
        return AnalyzeRequest.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors())
        raise HTTPException(status_code=422, detail=f"Nothing to analyze: {problems}.") from None


def analyze_html(article: dict, params: dict, extra: dict) -> dict:
    return {"article": article, "view": article_view(article), "stored": False, "json_url": "/docs#/analyze"}


@page_view(router, "/analyze", "/api/analyze", methods=("POST",), template="article.html", html=analyze_html,
           tags=["analyze"], summary="Analyze one article without storing it", openapi_extra={"requestBody": _BODY},
           response_model=responses.Article, response_model_exclude_unset=True,
           responses=responses.errors(400, 408, 413, 415, 422, 503))
async def analyze(request: Request):
    """Returns the `presslens/1` article JSON, exactly as `presslens analyze` writes it. Bodies over
    the server's upload limit (2 MB by default) get a 413."""
    req = await read_request(request)
    if not req.text.strip():
        raise HTTPException(status_code=422, detail="Nothing to analyze: the text is empty.")
    return await deps.analyze(request, req.text, id="pasted", outlet=req.outlet or None, title=req.title or None,
                              published=req.published.isoformat() if req.published else None)


@router.get("/analyze", response_class=HTMLResponse, include_in_schema=False)
async def analyze_form(request: Request):
    """The form that posts to `analyze` (a page without a JSON twin, like `/docs`)."""
    return page(request, "analyze.html", {"json_url": "/docs#/analyze"})
