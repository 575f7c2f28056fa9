"""Overview: counts, articles and statements over time, top speakers by outlet."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from .. import charts
from ..deps import page, query_all

router = APIRouter()
TOP_PER_OUTLET = 5


async def overview_data(request: Request) -> dict:
    stats, over_time, top, pairs = await query_all(
        request, ("stats", (), {}), ("counts_over_time", (), {"by": "month"}), ("speakers", (), {"limit": 20}),
        ("speakers", (), {"by": "outlet", "limit": 1000}))
    by_outlet: dict[str, list[dict]] = {}
    for row in pairs:  # ordered by statements, most first
        rows = by_outlet.setdefault(str(row.get("outlet")), [])
        if len(rows) < TOP_PER_OUTLET:
            rows.append({k: v for k, v in row.items() if k != "outlet"})
    return {"stats": stats, "over_time": over_time, "top_speakers": top, "top_speakers_by_outlet": by_outlet}


@router.get("/api/overview", tags=["pages"], summary="Counts, activity over time and top speakers")
async def overview_json(request: Request) -> dict:
    """The data of the overview page `/`."""
    return await overview_data(request)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def overview_page(request: Request):
    data = await overview_data(request)
    chart = charts.columns(data["over_time"], "period", ["articles", "statements"])
    top = charts.hbars(data["top_speakers"], "speaker", "statements")
    return page(request, "overview.html", {"data": data, "chart": chart, "top": top, "json_url": "/api/overview"})
