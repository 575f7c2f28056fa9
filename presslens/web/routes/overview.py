"""Overview: counts, articles and statements over time, top speakers by outlet."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import APIRouter, Request

from .. import charts, responses
from ..deps import query_all
from ..downloads import download_links
from ..views import page_view

router = APIRouter()
TOP_PER_OUTLET = 5


def corpus_version(corpus) -> tuple | None:
    """What changes whenever the corpus's DuckDB file does: size and modification time of the file
    and of its write-ahead log (a commit lands in the log first). None when the corpus is no file."""
    path = getattr(corpus, "path", None)
    if not isinstance(path, Path):
        return None
    version = []
    for p in (path, Path(f"{path}.wal")):
        try:
            st = os.stat(p)
            version.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            version.append(None)
    return tuple(version)


def overview_html(data: dict, params: dict, extra: dict) -> dict:
    return {"chart": charts.columns(data["over_time"], "period", ["articles", "statements"], right=["statements"],
                                    empty="no articles"),
            "top": charts.hbars(data["top_speakers"], "speaker", "statements", key="person_id"),
            "json_url": "/api/overview", "speaker_files": download_links("/api/speakers", {}),
            "outlet_files": download_links("/api/speakers", {"by": "outlet"})}


@page_view(router, "/", "/api/overview", template="overview.html", html=overview_html,
           tags=["pages"], summary="Counts, activity over time and top speakers", response_model=responses.Overview,
           responses=responses.errors(400, 503))
async def overview(request: Request):
    """The data of the overview page `/`."""
    # The aggregates are computed once per corpus modification: they read the whole store
    # (seconds on a million articles) and change only when an ingest commits.
    state = request.app.state
    version = corpus_version(state.corpus)  # read before the queries: a commit during them makes it stale
    cached = getattr(state, "overview_cache", None)
    if version is not None and cached is not None and cached[0] == version:
        return cached[1]
    data = await _overview_data(request)
    if version is not None:
        state.overview_cache = (version, data)
    return data


async def _overview_data(request: Request) -> dict:
    stats, over_time, top, pairs = await query_all(
        request, ("stats", (), {}), ("counts_over_time", (), {"by": "month"}), ("speakers", (), {"limit": 20}),
        ("speakers", (), {"by": "outlet", "per_outlet": TOP_PER_OUTLET}))
    by_outlet: dict[str, list[dict]] = {}
    for row in pairs:  # each outlet's TOP_PER_OUTLET most quoted, most statements first
        if row.get("outlet") is None:  # statements without an outlet: no "None" row
            continue
        by_outlet.setdefault(str(row.get("outlet")), []).append({k: v for k, v in row.items() if k != "outlet"})
    return {"stats": stats, "over_time": over_time, "top_speakers": top, "top_speakers_by_outlet": by_outlet}

