"""Speakers: the most quoted people, and what one person said over time and by outlet."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from .. import charts
from ..deps import iso, link, page, query

router = APIRouter()
Name = Annotated[str | None, Query(max_length=300)]


async def speakers_data(request: Request, outlet: str | None, since: dt.date | None, until: dt.date | None) -> dict:
    filters = {"outlet": outlet or None, "since": iso(since), "until": iso(until)}
    rows = await query(request, "speakers", **filters, limit=200)
    return {"query": filters, "speakers": rows}


@router.get("/api/speakers", tags=["pages"], summary="The most quoted speakers")
async def speakers_json(request: Request, outlet: Name = None, since: dt.date | None = None,
                        until: dt.date | None = None) -> dict:
    """Rows `speaker, statements, articles, stories`, most statements first (at most 200)."""
    return await speakers_data(request, outlet, since, until)


@router.get("/speakers", response_class=HTMLResponse, include_in_schema=False)
async def speakers_page(request: Request, outlet: Name = None, since: dt.date | None = None,
                        until: dt.date | None = None):
    data = await speakers_data(request, outlet, since, until)
    return page(request, "speakers.html", {"data": data, "json_url": link("/api/speakers", **data["query"])})


async def speaker_data(request: Request, name: str, outlet: str | None, since: dt.date | None,
                       until: dt.date | None) -> dict:
    filters = {"outlet": outlet or None, "since": iso(since), "until": iso(until)}
    rows = await query(request, "timeline", name, **filters)
    if not rows:
        raise HTTPException(status_code=404, detail=f"No statements by {name!r} in this corpus for these filters.")
    by_month: dict[str, int] = {}
    by_outlet: dict[str, int] = {}
    for r in rows:
        month = str(r.get("published") or "")[:7] or "undated"
        by_month[month] = by_month.get(month, 0) + 1
        by_outlet[str(r.get("outlet"))] = by_outlet.get(str(r.get("outlet")), 0) + 1
    return {
        "speaker": name,
        "query": filters,
        "statements": len(rows),
        "by_month": [{"month": m, "statements": n} for m, n in sorted(by_month.items())],
        "by_outlet": [{"outlet": o, "statements": n} for o, n in sorted(by_outlet.items(), key=lambda x: -x[1])],
        "timeline": rows,
    }


@router.get("/api/speakers/{name:path}", tags=["pages"], summary="What one speaker said, over time and by outlet")
async def speaker_json(request: Request, name: str, outlet: Name = None, since: dt.date | None = None,
                       until: dt.date | None = None) -> dict:
    """Every statement attributed to `name` (the speaker's canonical name), in date order, with
    counts by month and by outlet."""
    return await speaker_data(request, name, outlet, since, until)


@router.get("/speakers/{name:path}", response_class=HTMLResponse, include_in_schema=False)
async def speaker_page(request: Request, name: str, outlet: Name = None, since: dt.date | None = None,
                       until: dt.date | None = None):
    data = await speaker_data(request, name, outlet, since, until)
    chart = charts.columns(data["by_month"], "month", ["statements"])
    outlets = charts.hbars(data["by_outlet"][:20], "outlet", "statements")
    return page(request, "speaker.html", {"data": data, "chart": chart, "outlets": outlets,
                                          "json_url": link(f"/api/speakers/{quote(name)}", **data["query"])})
