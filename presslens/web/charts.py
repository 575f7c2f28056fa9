"""Geometry for the server-rendered SVG charts: numbers and labels only, no markup.

The templates in `templates/_charts.html` draw these; labels are escaped there like any text.
"""

from __future__ import annotations

import re
from typing import Any


MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_MONTHS = 240  # a longer span is drawn by year: a column per month would be under a pixel wide
LABEL_W = 56  # px an axis label needs ("2016-03" at the stylesheet's tick size, and a gap)


def _month_slots(rows: list[dict], label: str, series: list[str]) -> list[dict]:
    """Rows on a calendar: every month from the first to the last, a month without a row being a
    gap (drawn as one, never bridged or left off the axis); rows whose label is not a month (the
    speaker page's `undated`) stay last. Over MAX_MONTHS months, years instead."""
    dated = [r for r in rows if MONTH.match(str(r.get(label) or ""))]
    other = [r for r in rows if not MONTH.match(str(r.get(label) or ""))]
    if not dated:
        return [{"label": str(r.get(label) or ""), "row": r, "gap": False} for r in rows]
    first, last = (tuple(int(x) for x in str(dated[i].get(label)).split("-")) for i in (0, -1))
    months = (last[0] - first[0]) * 12 + last[1] - first[1] + 1
    if months > MAX_MONTHS:
        years: dict[str, dict] = {}
        for r in dated:
            year = str(r.get(label))[:4]
            acc = years.setdefault(year, {label: year, **{k: 0 for k in series}})
            for k in series:
                acc[k] += int(r.get(k) or 0)
        keys = [str(y) for y in range(first[0], last[0] + 1)]
        by_key = years
    else:
        keys = [f"{(first[1] - 1 + i) // 12 + first[0]:04d}-{(first[1] - 1 + i) % 12 + 1:02d}" for i in range(months)]
        by_key = {str(r.get(label)): r for r in dated}
    slots = [{"label": k, "row": by_key.get(k), "gap": k not in by_key} for k in keys]
    return slots + [{"label": str(r.get(label) or ""), "row": r, "gap": False} for r in other]


def _nice(peak: int) -> int:
    """The axis top: `peak` rounded up to 1, 2 or 5 times a power of ten."""
    if peak <= 1:
        return 1
    step = 10 ** (len(str(peak)) - 1)
    return next(m * step for m in (1, 2, 5, 10) if m * step >= peak)


def columns(rows: list[dict], label: str, series: list[str], *, right: list[str] | None = None,
            empty: str = "none", width: int = 720, height: int = 220) -> dict:
    """Grouped columns, one group per row (e.g. per month), one column per series. Monthly rows
    are laid on a calendar (see `_month_slots`): a month without a row is a gap, titled `empty`.
    Series named in `right` are scaled to an axis of their own on the right (statements outnumber
    articles several times over: on one axis the articles would be slivers)."""
    right = [k for k in (right or []) if k in series]
    left_series = [k for k in series if k not in right]
    top, bottom, left = 12, 30, 56
    margin_r = 56 if right else 12
    plot_w, plot_h = width - left - margin_r, height - top - bottom
    base = top + plot_h
    slots = _month_slots(rows, label, series)
    peaks = {side: _nice(max((int((s["row"] or {}).get(k) or 0) for s in slots for k in keys), default=0))
             for side, keys in (("left", left_series), ("right", right))}
    group_w = plot_w / max(len(slots), 1)
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1)
    every = max(1, -(-len(slots) // max(1, int(plot_w // LABEL_W))))  # labels that do not overlap
    bars, labels, gaps = [], [], []
    for i, slot in enumerate(slots):
        x = left + i * group_w
        if slot["gap"]:
            gaps.append({"x": round(x, 1), "w": round(group_w, 1), "label": slot["label"],
                         "title": f"{slot['label']}: {empty}"})
        else:
            for j, key in enumerate(series):
                v = int(slot["row"].get(key) or 0)
                h = plot_h * v / peaks["right" if key in right else "left"]
                bars.append({"x": round(x + group_w * 0.1 + j * bar_w, 1), "y": round(base - h, 1),
                             "w": round(bar_w, 1), "h": round(h, 1), "series": j,
                             "title": f"{slot['label']}: {v:,} {key}"})
        calendar = MONTH.match(slot["label"]) or len(slot["label"]) == 4
        if not calendar:  # `undated` is always labelled: the month label next to it gives way
            while labels and x + group_w / 2 - labels[-1]["x"] < LABEL_W:
                labels.pop()
        if i % every == 0 or not calendar:
            labels.append({"x": round(x + group_w / 2, 1), "text": slot["label"]})

    def axis(side: str, keys: list[str]) -> dict | None:
        if not keys:
            return None
        peak = peaks[side]
        values = [0, peak // 2, peak] if peak % 2 == 0 else [0, peak]
        return {"title": " and ".join(keys), "series": [series.index(k) for k in keys],
                "x": left if side == "left" else left + plot_w,
                "ticks": [{"y": round(base - plot_h * v / peak, 1), "text": f"{v:,}"} for v in values]}

    return {"width": width, "height": height, "bars": bars, "labels": labels, "gaps": gaps, "empty": empty,
            "series": series,
            "slots": [{"label": s["label"], "gap": s["gap"]} for s in slots],
            "axes": {"left": axis("left", left_series), "right": axis("right", right)},
            "peak": peaks["left"], "left": left, "plot_right": left + plot_w, "base": base, "top": top,
            "plot_h": plot_h}


def hbars(rows: list[dict], label: str, value: str, *, width: int = 360, bar_h: int = 18,
          key: str | None = None) -> dict:
    """Horizontal bars with the label on the left; `key` names the field a bar links by (default the label)."""
    peak = max((int(r.get(value) or 0) for r in rows), default=0) or 1
    label_w = 150
    items = []
    for i, row in enumerate(rows):
        v = int(row.get(value) or 0)
        items.append({"y": i * (bar_h + 4), "w": round((width - label_w - 50) * v / peak, 1), "value": v,
                      "label": str(row.get(label) or ""),
                      "key": str(row.get(key) or row.get(label) or "") if key else str(row.get(label) or "")})
    return {"width": width, "height": max(len(rows) * (bar_h + 4), bar_h), "bar_h": bar_h,
            "label_w": label_w, "rows": items}


def bipartite(rows: list[dict], left: str, right: str, weight: str, *, max_nodes: int = 30,
              width: int = 760) -> dict[str, Any]:
    """Outlets on the left, what they relay on the right, edges as wide as the count.

    Keeps the `max_nodes` heaviest nodes on each side so the graph stays readable.
    """
    def name(value: Any) -> str:  # a missing value is a visible node, never "None"
        return "(no outlet)" if value is None else str(value)

    def totals(key: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in rows:
            out[name(r.get(key))] = out.get(name(r.get(key)), 0) + int(r.get(weight) or 0)
        return out

    lt, rt = totals(left), totals(right)
    lnames = sorted(lt, key=lambda k: -lt[k])[:max_nodes]
    rnames = sorted(rt, key=lambda k: -rt[k])[:max_nodes]
    step = 26
    height = max(len(lnames), len(rnames), 1) * step + 20
    ly = {n: 20 + i * step * max(len(rnames), 1) / max(len(lnames), 1) for i, n in enumerate(lnames)}
    ry = {n: 20 + i * step for i, n in enumerate(rnames)}
    x1, x2 = 200, width - 220
    peak = max((int(r.get(weight) or 0) for r in rows), default=0) or 1
    edges = []
    for r in rows:
        a, b, w = name(r.get(left)), name(r.get(right)), int(r.get(weight) or 0)
        if a in ly and b in ry:
            mid = (x1 + x2) / 2
            edges.append({"d": f"M{x1},{ly[a]:.1f} C{mid:.1f},{ly[a]:.1f} {mid:.1f},{ry[b]:.1f} {x2},{ry[b]:.1f}",
                          "w": round(1 + 9 * w / peak, 1), "title": f"{a} → {b}: {w:,} statements"})
    return {"width": width, "height": height, "x1": x1, "x2": x2, "edges": edges,
            "left": [{"name": n, "y": round(ly[n], 1), "total": lt[n]} for n in lnames],
            "right": [{"name": n, "y": round(ry[n], 1), "total": rt[n]} for n in rnames]}
