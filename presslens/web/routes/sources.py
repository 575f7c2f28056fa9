"""Sources: which outlets relay which sources ("according to ...")."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from .. import charts
from ..deps import iso, link, page, query

router = APIRouter()


async def sources_data(request: Request, since: dt.date | None, until: dt.date | None) -> dict:
    rows = await query(request, "sources", since=iso(since), until=iso(until))
    return {"query": {"since": iso(since), "until": iso(until)}, "sources": rows}


@router.get("/api/sources", tags=["pages"], summary="Outlets and the sources they relay")
async def sources_json(request: Request, since: dt.date | None = None, until: dt.date | None = None) -> dict:
    """Rows `outlet, source, statements`: statements an outlet attributes `according to` a source."""
    return await sources_data(request, since, until)


@router.get("/sources", response_class=HTMLResponse, include_in_schema=False)
async def sources_page(request: Request, since: dt.date | None = None, until: dt.date | None = None):
    data = await sources_data(request, since, until)
    graph = charts.bipartite(data["sources"], "outlet", "source", "statements")
    return page(request, "sources.html", {"data": data, "graph": graph,
                                          "json_url": link("/api/sources", **data["query"])})
