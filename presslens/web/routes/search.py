"""Search: full-text search over statements with facets for speaker, outlet, kind and month."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from ...corpus import schemas
from .. import responses
from ..deps import iso, query_all
from ..downloads import Download, stream_rows
from ..views import list_links, page_view

router = APIRouter()

Kind = Literal["direct", "mixed", "indirect"]
Text = Annotated[str | None, Query(max_length=500, description="Words or a \"quoted phrase\" to find")]
Name = Annotated[str | None, Query(max_length=300)]
PAGE = 50  # results per page, by default
Limit = Annotated[int, Query(ge=1, le=200)]
MAX_OFFSET = 100_000
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def _filters(q: str | None, speaker: str | None, outlet: str | None, kind: Kind | None, since: dt.date | None,
             until: dt.date | None) -> tuple[str | None, dict]:
    filters = {"speaker": speaker or None, "outlet": outlet or None, "kind": kind, "since": iso(since),
               "until": iso(until)}
    return (q.strip() if q and q.strip() else None), filters


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


def search_html(data: dict, params: dict, extra: dict) -> dict:
    filters = {k: v for k, v in data["query"].items() if k not in ("limit", "offset")}
    return {"params": filters, "month_range": month_range,
            "facets": {name: facet_items(counts) for name, counts in (data["facets"] or {}).items()},
            **list_links("/search", "/api/search", filters, data["total"], params["limit"], params["offset"], PAGE,
                         MAX_OFFSET)}


@page_view(router, "/search", "/api/search", template="search.html", html=search_html,
           tags=["pages"], summary="Full-text search over statements, with facets", response_model=responses.Search,
           responses={**responses.downloads(), **responses.errors(400, 422, 503)})
async def search(request: Request, q: Text = None, speaker: Name = None, outlet: Name = None,
                 kind: Kind | None = None, since: dt.date | None = None, until: dt.date | None = None,
                 limit: Limit = PAGE, offset: Offset = 0, download: Download = None):
    """Statements matching `q` (all statements when empty), newest or best first, with counts by
    `speaker` (persons), `outlet`, `kind` and `month` for the same filters; `total` counts every
    match, `undated` the matches a `since`/`until` filter left out for want of a date. With
    `download=csv`, `json` or `jsonl`, every match (no paging), streamed as a file with the
    columns of `presslens quotes`."""
    text, filters = _filters(q, speaker, outlet, kind, since, until)
    if download:
        return stream_rows(request, "iter_quotes", (text,), filters, download, "statements", schemas.QUOTES)
    results, facets, counts = await query_all(
        request, ("quotes", (text,), {**filters, "limit": limit, "offset": offset}),
        ("quote_facets", (text,), filters), ("search_counts", (text,), filters))
    return {"query": {"q": text, **filters, "limit": limit, "offset": offset}, "total": counts["total"],
            "undated": counts["undated"], "results": results, "facets": facets}
