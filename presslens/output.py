"""Writing analysed articles (jsonl, json, table), readable summaries, rejects, validation.

`validate(doc)` checks one `presslens/1` document against the shipped JSON Schema and checks
what a schema cannot say: every offset lies inside `text` and every quoted `text` of a
mention or time equals the slice it names.
"""

from __future__ import annotations

import functools
import json
import re
import textwrap
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO, Any

from .errors import Errors, UsageError
from .types import SKIP_REASONS, Article, Reject, Skip

__all__ = ["OUTPUT_FORMATS", "RejectLog", "Totals", "Writer", "format_summary", "rejects_path", "schema", "validate"]

OUTPUT_FORMATS = ("jsonl", "json", "table")
_EXCERPT = 90
# What a terminal would obey rather than show: C0 and C1 controls (ESC starts colour, cursor and
# title sequences), DEL, and the bidirectional overrides that reorder what is shown.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` safe to print on a terminal: each control character written as an escape (`\\x1b`)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


@functools.lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The `presslens/1` JSON Schema (draft 2020-12) shipped in `presslens/schema/`."""
    text = resources.files("presslens").joinpath("schema/presslens-1.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@functools.lru_cache(maxsize=1)
def _validator():
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


def _spans(doc: dict[str, Any]):
    for e in doc["entities"]:
        for m in e["mentions"]:
            yield f"entity {e['id']} mention", m["span"], m["text"]
    for s in doc["statements"]:
        for field in ("content", "cue", "source"):
            for span in s[field]:
                yield f"statement {s['id']} {field}", span, None
        for a in s["according_to"]:
            if a["span"] is not None:
                yield f"statement {s['id']} according_to", a["span"], None
    for t in doc["times"]:
        yield "time", t["span"], t["text"]


def validate(doc: dict[str, Any]) -> None:
    """Raise `ValueError` naming the first problem when `doc` is not a valid `presslens/1` document."""
    error = next(iter(_validator().iter_errors(doc)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(document)"
        raise ValueError(f"{doc.get('id', '?')}: {where}: {error.message}")
    text = doc["text"]
    ids = {e["id"] for e in doc["entities"]}
    for what, (start, end), quoted in _spans(doc):
        if not 0 <= start <= end <= len(text):
            raise ValueError(f"{doc['id']}: {what} [{start}, {end}] lies outside text (length {len(text)})")
        if quoted is not None and text[start:end] != quoted:
            raise ValueError(f"{doc['id']}: {what} text {quoted!r} differs from text[{start}:{end}]")
    for s in doc["statements"]:
        if s["speaker"] is not None and s["speaker"] not in ids:
            raise ValueError(f"{doc['id']}: statement {s['id']} speaker {s['speaker']} is not an entity")
    for e in doc["entities"]:
        if e.get("of") is not None and e["of"] not in ids:
            raise ValueError(f"{doc['id']}: entity {e['id']} is of {e['of']}, which is not an entity")


# --- readable forms -----------------------------------------------------------------------


def _excerpt(text: str, spans, width: int = _EXCERPT) -> str:
    joined = printable(" … ".join(" ".join(text[a:b].split()) for a, b in spans))
    return joined if len(joined) <= width else joined[: width - 1].rstrip() + "…"


def _speaker(article: Article, statement) -> str:
    entity = article.entity(statement.speaker)
    if entity is not None:
        return entity.name
    if statement.source:
        return _excerpt(article.text, statement.source, 40)
    return "(unattributed)"


def format_summary(article: Article) -> str:
    """A readable who-said-what summary of one article:

        Meridian Wire · 2020-03-12 · world:1
          Amal Haddad (direct): “We will not give up …”
    """
    head = printable(" · ".join(x for x in (article.outlet, article.published, article.title or article.id) if x))
    if article.title and article.id:
        head += f"  [{article.id}]"
    lines = [head]
    for s in article.statements:
        according = f" (according to {', '.join(a.name for a in s.according_to)})" if s.according_to else ""
        lines.append(printable(f"  {_speaker(article, s)} ({s.kind}){according}: ") + f"“{_excerpt(article.text, s.content)}”")
    if not article.statements:
        lines.append("  (no statements found)")
    return "\n".join(lines)


# --- writers --------------------------------------------------------------------------------


class Writer:
    """Writes articles to `stream` as `jsonl` (one document a line), `json` (one array) or
    `table` (speaker, kind and content, one statement a row). Use as a context manager."""

    def __init__(self, stream: IO[str], format: str = "jsonl"):
        if format not in OUTPUT_FORMATS:
            raise UsageError(Errors.E013.format(value=format, choices=", ".join(OUTPUT_FORMATS)))
        self.stream, self.format, self.count = stream, format, 0

    def __enter__(self) -> Writer:
        if self.format == "json":
            self.stream.write("[")
        elif self.format == "table":
            self.stream.write(f"{'ARTICLE':<24} {'SPEAKER':<24} {'KIND':<8} CONTENT\n")
        return self

    def write(self, article: Article) -> None:
        if self.format == "jsonl":
            self.stream.write(json.dumps(article.to_dict(), ensure_ascii=False) + "\n")
        elif self.format == "json":
            self.stream.write(("," if self.count else "") + "\n" + json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
        else:
            for s in article.statements:
                self.stream.write(
                    f"{textwrap.shorten(printable(article.id), 24):<24} "
                    f"{textwrap.shorten(printable(_speaker(article, s)), 24):<24} "
                    f"{s.kind:<8} {_excerpt(article.text, s.content, 70)}\n"
                )
        self.count += 1

    def __exit__(self, *exc: object) -> None:
        if self.format == "json":
            self.stream.write("\n]\n" if self.count else "]\n")
        self.stream.flush()


def rejects_path(output: str | None) -> Path:
    """Where rejects go: `OUT.rejects.jsonl` beside the output, or `presslens-rejects.jsonl`."""
    return Path(f"{output}.rejects.jsonl") if output else Path("presslens-rejects.jsonl")


class RejectLog:
    """Appends rejects as JSON lines to `path`, creating it only when the first one comes."""

    def __init__(self, path: Path):
        self.path, self.count, self._stream = path, 0, None

    def write(self, reject: Reject) -> None:
        if self._stream is None:
            self._stream = open(self.path, "a", encoding="utf-8")
        self._stream.write(json.dumps(reject.to_dict(), ensure_ascii=False) + "\n")
        self._stream.flush()
        self.count += 1

    def __enter__(self) -> RejectLog:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stream is not None:
            self._stream.close()


@dataclass
class Totals:
    """What one run did, for the closing summary."""

    articles: int = 0
    statements: int = 0
    rejects: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # Skip.reason -> records (WARC input)

    def add(self, item: Article | Reject | Skip) -> None:
        if isinstance(item, Reject):
            self.rejects += 1
        elif isinstance(item, Skip):
            self.skipped[item.reason] = self.skipped.get(item.reason, 0) + 1
        else:
            self.articles += 1
            self.statements += len(item.statements)

    def __str__(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count:,} {word}{'' if count == 1 else 's'}"

        text = f"{n(self.articles, 'article')}, {n(self.statements, 'statement')}, {n(self.rejects, 'reject')}"
        if self.skipped:
            text += f", {sum(self.skipped.values()):,} skipped ({skip_counts(self.skipped)})"
        return text


def skip_counts(skipped: dict[str, int]) -> str:
    """`not-response 3, http-status 1, ...`: skipped records by reason, in `SKIP_REASONS` order."""
    order = {r: i for i, r in enumerate(SKIP_REASONS)}
    return ", ".join(f"{r} {c:,}" for r, c in sorted(skipped.items(), key=lambda rc: order.get(rc[0], 99)))
