"""Relays: which outlets relay which relays ("according to ...")."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request

from ...corpus import schemas
from .. import charts, responses
from ..deps import iso, query
from ..downloads import Download, stream_rows
from ..views import Result, list_links, page_view

router = APIRouter()
PAGE = 100  # rows of the table per page
Limit = Annotated[int, Query(ge=1, le=1000, description="Rows per page")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip (most statements first)")]


async def relays_rows(request: Request, since: dt.date | None, until: dt.date | None) -> list[dict]:
    """Every (outlet, relay) row: the graph weighs all of them, the table shows a page."""
    return await query(request, "relays", since=iso(since), until=iso(until))


def relays_html(data: dict, params: dict, extra: dict) -> dict:
    return {"graph": charts.bipartite(extra["rows"], "outlet", "relay", "statements"),
            **list_links("/relays", "/api/relays", data["query"], data["total"], params["limit"],
                         params["offset"], PAGE)}


@page_view(router, "/relays", "/api/relays", template="relays.html", html=relays_html,
           tags=["pages"], summary="Outlets and what they relay", response_model=responses.Relays,
           responses={**responses.downloads(), **responses.errors(400, 422, 503)})
async def relays(request: Request, since: dt.date | None = None, until: dt.date | None = None,
                 limit: Limit = PAGE, offset: Offset = 0, download: Download = None):
    """One page of the rows `outlet, relay, statements` (statements an outlet attributes
    `according to` someone: the relay), most statements first; `total` counts every row. With
    `download=csv`, `json` or `jsonl`, every row (no paging), streamed as a file with the columns
    of `presslens relays`."""
    if download:
        return stream_rows(request, "iter_relays", (), {"since": iso(since), "until": iso(until)}, download,
                           "relays", schemas.RELAYS)
    rows = await relays_rows(request, since, until)
    data = {"query": {"since": iso(since), "until": iso(until)}, "total": len(rows), "limit": limit,
            "offset": offset, "relays": rows[offset:offset + limit]}
    return Result(data, {"rows": rows})  # the graph weighs every row
