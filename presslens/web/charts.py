"""Geometry for the server-rendered SVG charts: numbers and labels only, no markup.

The templates in `templates/_charts.html` draw these; labels are escaped there like any text.
"""

from __future__ import annotations

from typing import Any


def columns(rows: list[dict], label: str, series: list[str], *, width: int = 720, height: int = 200) -> dict:
    """Grouped columns, one group per row (e.g. per month), one column per series."""
    top, bottom, left = 10, 24, 44
    plot_h = height - top - bottom
    peak = max((int(r.get(k) or 0) for r in rows for k in series), default=0) or 1
    group_w = (width - left) / max(len(rows), 1)
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1)
    bars, labels = [], []
    every = max(1, len(rows) // 12)  # at most ~12 axis labels
    for i, row in enumerate(rows):
        x0 = left + i * group_w + group_w * 0.1
        for j, key in enumerate(series):
            v = int(row.get(key) or 0)
            h = plot_h * v / peak
            bars.append({"x": round(x0 + j * bar_w, 1), "y": round(top + plot_h - h, 1), "w": round(bar_w, 1),
                         "h": round(h, 1), "series": j, "title": f"{row.get(label)}: {v:,} {key}"})
        if i % every == 0:
            labels.append({"x": round(left + i * group_w + group_w / 2, 1), "text": str(row.get(label) or "")})
    return {"width": width, "height": height, "bars": bars, "labels": labels, "series": series,
            "peak": peak, "left": left, "base": top + plot_h, "top": top}


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
    """Outlets on the left, the sources they relay on the right, edges as wide as the count.

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
