"""Speakers: the most quoted people, and what one person said over time and by outlet."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from .. import charts
from ..deps import iso, link, page, query, query_all

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


PAGE = 100  # statements per speaker page, by default
TOP_OUTLETS = 20  # bars in the page's outlet chart; the rest are one "other" bar (the JSON has them all)
Limit = Annotated[int, Query(ge=1, le=1000, description="Statements per page")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Statements to skip (oldest first)")]


async def speaker_data(request: Request, name: str, outlet: str | None, since: dt.date | None,
                       until: dt.date | None, limit: int = PAGE, offset: int = 0) -> dict:
    filters = {"outlet": outlet or None, "since": iso(since), "until": iso(until)}
    # One page of rows; the counts are aggregated over all of them by the index (or DuckDB).
    rows, facets = await query_all(
        request, ("timeline", (name,), {**filters, "limit": limit, "offset": offset}),
        ("quote_facets", (None,), {"speaker": name, **filters, "top": None}))
    # Under a speaker filter every statement has a speaker, so the speaker facet (every matching
    # name, with top=None) adds up to all of them; the month and outlet facets leave out the
    # undated and outlet-less ones, which are added back as the difference.
    total = sum(f["count"] for f in facets["speaker"])
    if not total:
        raise HTTPException(status_code=404, detail=f"No statements by {name!r} in this corpus for these filters.")
    by_month = [{"month": f["value"], "statements": f["count"]} for f in facets["month"]]
    undated = total - sum(m["statements"] for m in by_month)
    if undated:
        by_month.append({"month": "undated", "statements": undated})
    by_outlet = [{"outlet": f["value"], "statements": f["count"]} for f in facets["outlet"]]
    no_outlet = total - sum(o["statements"] for o in by_outlet)
    if no_outlet:
        by_outlet.append({"outlet": None, "statements": no_outlet})
        by_outlet.sort(key=lambda o: -o["statements"])  # stable: ties keep the facet's order
    return {
        "speaker": name,
        "query": filters,
        "statements": total,
        "total": total,
        "limit": limit,
        "offset": offset,
        "by_month": by_month,
        "by_outlet": by_outlet,
        "timeline": rows,
    }


@router.get("/api/speakers/{name:path}", tags=["pages"], summary="What one speaker said, over time and by outlet")
async def speaker_json(request: Request, name: str, outlet: Name = None, since: dt.date | None = None,
                       until: dt.date | None = None, limit: Limit = PAGE, offset: Offset = 0) -> dict:
    """One page of the statements attributed to `name` (whole words of the canonical name), oldest
    first (undated last): `limit` of them from `offset`. `statements` and `total` count them all;
    `by_month` (an `undated` bucket last) and `by_outlet` (every outlet, most first; `null` for
    statements without one) are exact over all of them."""
    return await speaker_data(request, name, outlet, since, until, limit, offset)


def outlet_bars(by_outlet: list[dict], top: int = TOP_OUTLETS) -> list[dict]:
    """The chart's rows: the `top` outlets, then one bar for all the others."""
    rows = [{"outlet": o["outlet"] if o["outlet"] is not None else "(no outlet)", "statements": o["statements"]}
            for o in by_outlet]
    if len(rows) > top:
        rest = rows[top:]
        rows = rows[:top] + [{"outlet": f"{len(rest)} other outlets", "statements": sum(r["statements"] for r in rest)}]
    return rows


@router.get("/speakers/{name:path}", response_class=HTMLResponse, include_in_schema=False)
async def speaker_page(request: Request, name: str, outlet: Name = None, since: dt.date | None = None,
                       until: dt.date | None = None, limit: Limit = PAGE, offset: Offset = 0):
    data = await speaker_data(request, name, outlet, since, until, limit, offset)
    chart = charts.columns(data["by_month"], "month", ["statements"])
    outlets = charts.hbars(outlet_bars(data["by_outlet"]), "outlet", "statements")
    path = f"/speakers/{quote(name)}"
    paging = {**data["query"], "limit": limit if limit != PAGE else None}

    def at(start: int) -> str:
        return link(path, **paging, offset=start or None)

    last = (data["total"] - 1) // limit * limit
    pages = {"first": at(0) if offset > 0 else None, "prev": at(max(min(offset - limit, last), 0)) if offset > 0 else None,
             "next": at(offset + limit) if offset + limit < data["total"] else None,
             "last": at(last) if offset < last else None}
    return page(request, "speaker.html", {"data": data, "chart": chart, "outlets": outlets, "pages": pages,
                                          "json_url": link(f"/api/speakers/{quote(name)}", **paging,
                                                           offset=offset or None)})
