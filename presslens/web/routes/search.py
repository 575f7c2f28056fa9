"""Search: full-text search over statements with facets for speaker, outlet, kind and month."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ..deps import iso, link, page, query_all
from ..downloads import stream_rows

router = APIRouter()

Kind = Literal["direct", "mixed", "indirect"]
Text = Annotated[str | None, Query(max_length=500, description="Words or a \"quoted phrase\" to find")]
Name = Annotated[str | None, Query(max_length=300)]
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=100_000)]


async def search_data(request: Request, q: str | None, speaker: str | None, outlet: str | None,
                      kind: Kind | None, since: dt.date | None, until: dt.date | None, limit: int,
                      offset: int) -> dict:
    filters = {"speaker": speaker or None, "outlet": outlet or None, "kind": kind, "since": iso(since),
               "until": iso(until)}
    text = q.strip() if q and q.strip() else None
    results, facets, counts = await query_all(
        request, ("quotes", (text,), {**filters, "limit": limit, "offset": offset}),
        ("quote_facets", (text,), filters), ("search_counts", (text,), filters))
    return {"query": {"q": text, **filters, "limit": limit, "offset": offset}, "total": counts["total"],
            "undated": counts["undated"], "results": results, "facets": facets}


@router.get("/api/search", tags=["pages"], summary="Full-text search over statements, with facets")
async def search_json(request: Request, q: Text = None, speaker: Name = None, outlet: Name = None,
                      kind: Kind | None = None, since: dt.date | None = None, until: dt.date | None = None,
                      limit: Limit = 50, offset: Offset = 0,
                      download: Annotated[str | None, Query(pattern="^(csv|jsonl)$")] = None):
    """Statements matching `q` (all statements when empty), newest or best first, with counts by
    `speaker` (persons), `outlet`, `kind` and `month` for the same filters; `total` counts every
    match, `undated` the matches a `since`/`until` filter left out for want of a date. With
    `download=csv` or `download=jsonl`, every match (no paging), streamed as a file."""
    if download:
        filters = {"speaker": speaker or None, "outlet": outlet or None, "kind": kind, "since": iso(since),
                   "until": iso(until)}
        text = q.strip() if q and q.strip() else None
        return stream_rows(request, "iter_quotes", {"text": text, **filters}, download, "statements")
    return await search_data(request, q, speaker, outlet, kind, since, until, limit, offset)


def month_range(month: str) -> tuple[str, str] | None:
    """`2020-09` -> (`2020-09-01`, `2020-09-30`); None for anything else."""
    try:
        year, mon = (int(x) for x in str(month).split("-")[:2])
        return f"{year:04d}-{mon:02d}-01", f"{year:04d}-{mon:02d}-{calendar.monthrange(year, mon)[1]:02d}"
    except (ValueError, TypeError, calendar.IllegalMonthError):
        return None


def facet_items(counts) -> list[tuple]:
    """`[(value, count), ...]` from `[{"value": v, "count": n}, ...]` or `{value: count}`."""
    if isinstance(counts, dict):
        return list(counts.items())
    return [(r.get("value"), r.get("count")) if isinstance(r, dict) else tuple(r) for r in counts or []]


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
async def search_page(request: Request, q: Text = None, speaker: Name = None, outlet: Name = None,
                      kind: Kind | None = None, since: dt.date | None = None, until: dt.date | None = None,
                      limit: Limit = 50, offset: Offset = 0):
    data = await search_data(request, q, speaker, outlet, kind, since, until, limit, offset)
    params = {k: v for k, v in data["query"].items() if k not in ("limit", "offset")}
    facets = {name: facet_items(counts) for name, counts in (data["facets"] or {}).items()}
    return page(request, "search.html", {"data": data, "params": params, "month_range": month_range,
                                         "facets": facets,
                                         "csv_url": link("/api/search", **params, download="csv"),
                                         "jsonl_url": link("/api/search", **params, download="jsonl"),
                                         "json_url": link("/api/search", **params, limit=limit if limit != 50 else None,
                                                         offset=offset or None)})
