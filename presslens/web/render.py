"""Turn a `presslens/1` article dict into what the article template draws.

The text is cut at every span boundary (statement content, cue and source, entity mentions,
time expressions), so overlapping and discontinuous spans never need a tree: each segment is
one flat `<span>` carrying the classes of every layer that covers it. The template escapes the
text; nothing here builds HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PALETTE_SIZE = 10  # colour classes sp0..sp9 in static/presslens.css; unattributed is `spx`


@dataclass
class Segment:
    text: str
    classes: list[str] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)  # data-* attributes, escaped by the template
    anchor: str | None = None  # id of the first segment of a statement, for #stmt-s1 links
    tip: str | None = None  # resolved name shown on hover (pronouns and other non-name mentions)


def _spans(value: Any) -> list[tuple[int, int]]:
    """Accept `[[s, e], ...]`, a single `[s, e]` or None; drop malformed pairs."""
    if not value:
        return []
    if len(value) == 2 and all(isinstance(v, int) for v in value):
        value = [value]
    out = []
    for pair in value:
        if isinstance(pair, (list, tuple)) and len(pair) == 2 and all(isinstance(v, int) for v in pair):
            out.append((pair[0], pair[1]))
    return out


def speaker_colours(article: dict) -> dict[str | None, str]:
    """Entity id -> colour class, in order of each speaker's first statement."""
    colours: dict[str | None, str] = {None: "spx"}
    for st in article.get("statements") or []:
        speaker = st.get("speaker")
        if speaker not in colours:
            colours[speaker] = f"sp{(len(colours) - 1) % PALETTE_SIZE}"
    return colours


def _text_of(text: str, spans: list[tuple[int, int]]) -> str:
    return " … ".join(text[s:e] for s, e in spans)


def segments(article: dict) -> list[Segment]:
    """Cut the article text into flat, classed segments (see module docstring)."""
    text = article.get("text") or ""
    n = len(text)
    entities = {e.get("id"): e for e in article.get("entities") or []}
    colours = speaker_colours(article)
    layers: list[tuple[int, int, str, dict]] = []  # (start, end, layer, info)
    for st in article.get("statements") or []:
        speaker = entities.get(st.get("speaker"))
        info = {
            "id": str(st.get("id", "")),
            "colour": colours.get(st.get("speaker"), "spx"),
            "speaker": speaker.get("name") if speaker else "",
            "kind": str(st.get("kind", "")),
        }
        for part in ("content", "cue", "source"):
            for s, e in _spans(st.get(part)):
                layers.append((s, e, part, info))
    for ent in entities.values():
        for m in ent.get("mentions") or []:
            for s, e in _spans(m.get("span")):
                layers.append((s, e, "mention", {"entity": ent, "kind": str(m.get("kind", "name"))}))
    for t in article.get("times") or []:
        for s, e in _spans(t.get("span")):
            layers.append((s, e, "time", {"value": t.get("value") or "", "text": t.get("text") or ""}))

    layers = [(max(0, s), min(n, e), kind, info) for s, e, kind, info in layers if s < e and s < n and e > 0]
    cuts = sorted({0, n, *(s for s, _, _, _ in layers), *(e for _, e, _, _ in layers)})
    starts: dict[int, list[int]] = {}
    for i, (s, _, _, _) in enumerate(layers):
        starts.setdefault(s, []).append(i)
    active: set[int] = set()
    seen_statements: set[str] = set()
    out: list[Segment] = []
    for a, b in zip(cuts, cuts[1:]):
        active = {i for i in active if layers[i][1] > a} | set(starts.get(a, []))
        seg = Segment(text=text[a:b])
        if active:
            _classify(seg, [layers[i] for i in sorted(active)], b, seen_statements)
        out.append(seg)
    return out


def _classify(seg: Segment, covering: list[tuple[int, int, str, dict]], end: int, seen: set[str]) -> None:
    statement_ids = []
    for s, e, layer, info in covering:
        if layer in ("content", "cue", "source"):
            if info["id"] not in statement_ids:
                statement_ids.append(info["id"])
            if layer == "content" and "stmt" not in seg.classes:
                seg.classes += ["stmt", info["colour"], f"kind-{info['kind']}"]
                if info["speaker"]:
                    seg.attrs["speaker"] = info["speaker"]
            elif layer != "content":
                seg.classes += [layer, info["colour"]]
            if info["id"] not in seen:
                seen.add(info["id"])
                seg.anchor = f"stmt-{info['id']}"
        elif layer == "mention":
            kind = info["kind"]
            seg.classes += ["mention", f"m-{kind}"]
            seg.attrs["entity"] = str(info["entity"].get("id", ""))
            if kind != "name":
                name = str(info["entity"].get("name") or "")
                seg.attrs["resolved"] = name
                if e == end:  # one tooltip per mention, on its last segment
                    seg.tip = name
        elif layer == "time":
            seg.classes.append("time")
            seg.attrs["time"] = str(info["value"])
    if statement_ids:
        seg.attrs["statements"] = " ".join(statement_ids)
    seg.classes = list(dict.fromkeys(seg.classes))


def panel(article: dict) -> list[dict]:
    """The side panel: who said what, in text order."""
    text = article.get("text") or ""
    entities = {e.get("id"): e for e in article.get("entities") or []}
    colours = speaker_colours(article)
    rows = []
    for st in article.get("statements") or []:
        speaker = entities.get(st.get("speaker"))
        content = _spans(st.get("content"))
        rows.append(
            {
                "id": str(st.get("id", "")),
                "speaker": speaker.get("name") if speaker else None,
                "colour": colours.get(st.get("speaker"), "spx"),
                "content": _text_of(text, content),
                "cue": _text_of(text, _spans(st.get("cue"))),
                "source": _text_of(text, _spans(st.get("source"))),
                "kind": st.get("kind"),
                "attribution": st.get("attribution"),
                "according_to": [a.get("name") for a in st.get("according_to") or [] if a.get("name")],
                "confidence": st.get("confidence"),
                "start": content[0][0] if content else 0,
            }
        )
    rows.sort(key=lambda r: r["start"])
    return rows


def heading(article: dict, words: int = 12) -> str:
    """The title, or else the first words of the text (record ids make poor headings)."""
    if article.get("title"):
        return str(article["title"])
    first = (article.get("text") or "").split()
    return " ".join(first[:words]) + (" …" if len(first) > words else "") or str(article.get("id") or "Article")


def article_view(article: dict) -> dict:
    """Everything the article template needs besides the article dict itself."""
    colours = speaker_colours(article)
    entities = article.get("entities") or []
    names = {e.get("id"): e.get("name") for e in entities}
    said = {st.get("speaker") for st in article.get("statements") or []}
    legend = [(names.get(eid) or ("unattributed" if eid is None else str(eid)), cls)
              for eid, cls in colours.items() if eid in said]
    return {
        "heading": heading(article),
        "segments": segments(article),
        "panel": panel(article),
        "legend": legend,
        "entities": [
            {
                "id": e.get("id"),
                "name": e.get("name"),
                "type": e.get("type"),
                "mentions": len(e.get("mentions") or []),
                "kinds": sorted({m.get("kind") for m in e.get("mentions") or [] if m.get("kind")}),
                "roles": e.get("roles") or [],
                "titles": e.get("titles") or [],
                "colour": colours.get(e.get("id")),
            }
            for e in entities
        ],
        "times": article.get("times") or [],
    }
