"""Relays: which outlets relay which relays ("according to ...")."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ...corpus import schemas
from .. import charts, responses
from ..deps import iso, link, page, page_links, query
from ..downloads import Download, download_links, stream_rows

router = APIRouter()
PAGE = 100  # rows of the table per page
Limit = Annotated[int, Query(ge=1, le=1000, description="Rows per page")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip (most statements first)")]


async def relays_rows(request: Request, since: dt.date | None, until: dt.date | None) -> list[dict]:
    """Every (outlet, relay) row: the graph weighs all of them, the table shows a page."""
    return await query(request, "relays", since=iso(since), until=iso(until))


def relays_data(rows: list[dict], since: dt.date | None, until: dt.date | None, limit: int, offset: int) -> dict:
    return {"query": {"since": iso(since), "until": iso(until)}, "total": len(rows), "limit": limit,
            "offset": offset, "relays": rows[offset:offset + limit]}


@router.get("/api/relays", tags=["pages"], summary="Outlets and what they relay",
            response_model=responses.Relays,
            responses={**responses.downloads(),
                       **responses.errors(400, 422, 503)})
async def relays_json(request: Request, since: dt.date | None = None, until: dt.date | None = None,
                       limit: Limit = PAGE, offset: Offset = 0, download: Download = None):
    """One page of the rows `outlet, relay, statements` (statements an outlet attributes
    `according to` someone: the relay), most statements first; `total` counts every row. With
    `download=csv`, `json` or `jsonl`, every row (no paging), streamed as a file with the columns
    of `presslens relays`."""
    if download:
        return stream_rows(request, "iter_relays", (), {"since": iso(since), "until": iso(until)}, download,
                           "relays", schemas.RELAYS)
    return relays_data(await relays_rows(request, since, until), since, until, limit, offset)


@router.get("/relays", response_class=HTMLResponse, include_in_schema=False)
async def relays_page(request: Request, since: dt.date | None = None, until: dt.date | None = None,
                       limit: Limit = PAGE, offset: Offset = 0):
    rows = await relays_rows(request, since, until)
    data = relays_data(rows, since, until, limit, offset)
    graph = charts.bipartite(rows, "outlet", "relay", "statements")
    paging = {**data["query"], "limit": limit if limit != PAGE else None}
    return page(request, "relays.html", {"data": data, "graph": graph,
                                          "pages": page_links("/relays", paging, data["total"], limit, offset),
                                          "downloads": download_links("/api/relays", data["query"]),
                                          "json_url": link("/api/relays", **paging, offset=offset or None)})
