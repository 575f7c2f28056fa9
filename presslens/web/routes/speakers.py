"""Speakers: the most quoted people, and what one person said over time and by outlet."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request

from ...corpus import schemas
from .. import charts, responses
from ..deps import iso, query, query_all
from ..downloads import Download, stream_rows
from ..views import list_links, page_view

router = APIRouter()
Name = Annotated[str | None, Query(max_length=300)]
By = Annotated[Literal["outlet"] | None, Query(description="`outlet`: one row per person and outlet")]


LIST_PAGE = 100  # persons per page of /speakers
ListLimit = Annotated[int, Query(ge=1, le=1000, description="Speakers per page")]
ListOffset = Annotated[int, Query(ge=0, le=10_000_000, description="Speakers to skip (most quoted first)")]


def speakers_html(data: dict, params: dict, extra: dict) -> dict:
    return list_links("/speakers", "/api/speakers", data["query"], data["total"], params["limit"], params["offset"],
                      LIST_PAGE)


@page_view(router, "/speakers", "/api/speakers", template="speakers.html", html=speakers_html,
           tags=["pages"], summary="Every quoted person, most quoted first, a page at a time",
           response_model=responses.Speakers, responses={**responses.downloads(), **responses.errors(400, 422, 503)})
async def speakers(request: Request, outlet: Name = None, since: dt.date | None = None,
                   until: dt.date | None = None, by: By = None, limit: ListLimit = LIST_PAGE,
                   offset: ListOffset = 0, download: Download = None):
    """One page of persons (`person_id, speaker, kind, statements, articles, stories, outlets,
    aliases`), most statements first; with `by=outlet` one row per person and outlet (`outlet`
    instead of `outlets`), as `presslens speakers --by outlet`. `total` counts every row for these
    filters. With `download=csv`, `json` or `jsonl`, every row (no paging), streamed as a file."""
    filters = {"outlet": outlet or None, "since": iso(since), "until": iso(until)}
    if download:
        return stream_rows(request, "iter_speakers", (), {**filters, "by": by}, download,
                           "speakers-by-outlet" if by else "speakers",
                           schemas.SPEAKERS_BY_OUTLET if by else schemas.SPEAKERS)
    found = await query(request, "speakers_page", limit=limit, offset=offset, by=by, **filters)
    return {"query": {**filters, "by": by}, "total": found["total"], "limit": limit, "offset": offset,
            "speakers": found["speakers"]}


PAGE = 100  # statements per speaker page, by default
TOP_OUTLETS = 20  # bars in the page's outlet chart; the rest are one "other" bar (the JSON has them all)
Limit = Annotated[int, Query(ge=1, le=1000, description="Statements per page")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Statements to skip (oldest first)")]


def outlet_bars(by_outlet: list[dict], top: int = TOP_OUTLETS) -> list[dict]:
    """The chart's rows: the `top` outlets, then one bar for all the others."""
    rows = [{"outlet": o["outlet"] if o["outlet"] is not None else "(no outlet)", "statements": o["statements"]}
            for o in by_outlet]
    if len(rows) > top:
        rest = rows[top:]
        rows = rows[:top] + [{"outlet": f"{len(rest)} other outlets", "statements": sum(r["statements"] for r in rest)}]
    return rows


def speaker_html(data: dict, params: dict, extra: dict) -> dict:
    ref = quote(data["person_id"] or params["name"])
    return {"chart": charts.columns(data["by_month"], "month", ["statements"], empty="no statements"),
            "outlets": charts.hbars(outlet_bars(data["by_outlet"]), "outlet", "statements"),
            **list_links(f"/speakers/{ref}", f"/api/speakers/{ref}", data["query"], data["total"], params["limit"],
                         params["offset"], PAGE)}


@page_view(router, "/speakers/{name:path}", "/api/speakers/{name:path}", template="speaker.html",
           html=speaker_html, tags=["pages"], summary="What one speaker said, over time and by outlet",
           response_model=responses.SpeakerPage,
           responses={**responses.downloads(), **responses.errors(400, 404, 422, 503)})
async def speaker(request: Request, name: str, outlet: Name = None, since: dt.date | None = None,
                  until: dt.date | None = None, limit: Limit = PAGE, offset: Offset = 0, download: Download = None):
    """One page of the statements attributed to `name` (whole words of the canonical name), oldest
    first (undated last): `limit` of them from `offset`. `statements` and `total` count them all;
    `by_month` (an `undated` bucket last) and `by_outlet` (every outlet, most first; `null` for
    statements without one) are exact over all of them. `name` is a person id or a name; the
    page is the person's (`person_id`, canonical `speaker`, `aliases`, `titles`, `roles` with
    first and last dates, and how each alias was linked, `links`). With `download=csv`, `json` or
    `jsonl`, every statement for these filters (no paging), streamed as a file with the columns
    of `presslens timeline`."""
    filters = {"outlet": outlet or None, "since": iso(since), "until": iso(until)}
    if download:
        return stream_rows(request, "iter_timeline", (name,), filters, download, "timeline", schemas.TIMELINE)
    # One page of rows; the counts are aggregated over all of them by the index (or DuckDB).
    rows, facets, person = await query_all(
        request, ("timeline", (name,), {**filters, "limit": limit, "offset": offset}),
        ("quote_facets", (None,), {"speaker": name, **filters, "top": None}),
        ("speaker_or_none", (name,), filters))
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
    person = person or {}
    return {
        "speaker": person.get("name", name),
        "person_id": person.get("person_id"),
        "kind": person.get("kind"),
        "aliases": person.get("aliases", []),
        "titles": person.get("titles", []),
        "roles": person.get("roles", []),
        "links": person.get("links", []),
        "first_seen": person.get("first_seen"),
        "last_seen": person.get("last_seen"),
        "query": filters,
        "statements": total,
        "total": total,
        "limit": limit,
        "offset": offset,
        "by_month": by_month,
        "by_outlet": by_outlet,
        "timeline": rows,
    }
