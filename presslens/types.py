"""Plain data that leaves the spaCy Doc: the `presslens/1` article and its parts.

Offsets are Python string indices into `Article.text`, end exclusive. Spans are lists of
`(start, end)` pairs because quotes, cues and sources (speaker mentions) can be discontinuous.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .about import SCHEMA, pipeline_version

Offsets = list[tuple[int, int]]
MentionKind = Literal["name", "title", "role", "pronoun", "group"]
StatementKind = Literal["direct", "mixed", "indirect"]
Attribution = Literal["named", "pronoun", "group", "vague", "unattributed"]
Granularity = Literal["day", "week", "month", "year"]


@dataclass(frozen=True)
class Record:
    """One article as read from an input, before analysis."""

    id: str
    text: str
    outlet: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) or None
    title: str | None = None
    url: str | None = None
    location: str = ""  # where it came from, e.g. "news.jsonl:17" or "CC-NEWS-x.warc.gz@1234"
    warnings: tuple[str, ...] = ()  # reading problems that did not stop it, e.g. Warnings.W002
    origin: Origin | None = None  # the web-archive record it came from (WARC input only)


@dataclass(frozen=True)
class Origin:
    """Where in a web archive an article was read: the WARC file, the byte offset of its record
    (of the gzip member, for .warc.gz), the record's WARC-Record-ID, the crawl date (WARC-Date,
    kept beside the published date) and the language identified in its text."""

    file: str
    offset: int
    record_id: str | None = None
    crawled: str | None = None  # ISO date-time, UTC
    language: str | None = None  # ISO 639-1, e.g. "en"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Skip:
    """An input record that is not an article and is counted, not analyzed and not an error: a
    WARC request or metadata record, a non-200 response, a PDF, a page without an article, a
    page in another language, a record already stored, or a file in a folder whose extension
    presslens does not read. `reason` is one of `SKIP_REASONS`;
    `detail` says more (the record type, the status, the content type, the language)."""

    location: str
    reason: str
    detail: str | None = None
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# Why a record was skipped (Skip.reason), in the order reports list them.
SKIP_REASONS = ("stored", "not-response", "http-status", "not-html", "no-article", "language", "not-input")


@dataclass(frozen=True)
class Reject:
    """An input record that could not be used, with where it was and why."""

    location: str
    reason: str
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Mention:
    start: int
    end: int
    kind: MentionKind
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"span": [self.start, self.end], "kind": self.kind, "text": self.text}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Mention:
        return cls(int(d["span"][0]), int(d["span"][1]), d["kind"], d.get("text", ""))


@dataclass
class Entity:
    id: str  # "e1", "e2", ... unique within the article
    name: str  # canonical name: the longest proper name seen
    type: str  # PERSON, ORG, GPE, NORP, ...
    mentions: list[Mention] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)  # "deputy head of Hezbollah"
    titles: list[str] = field(default_factory=list)  # "Sheikh", "US President"
    of: str | None = None  # the possessor's entity id: "Clinton's campaign", "Trump aides"

    def to_dict(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "mentions": [m.to_dict() for m in self.mentions],
            "roles": list(self.roles),
            "titles": list(self.titles),
        }
        if self.of is not None:  # optional: only possessed entities have a possessor
            out["of"] = self.of
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Entity:
        return cls(d["id"], d["name"], d["type"], [Mention.from_dict(m) for m in d.get("mentions", [])],
                   list(d.get("roles", [])), list(d.get("titles", [])))


@dataclass
class Relay:
    """One link of a reporting chain ("according to Press TV")."""

    name: str
    span: tuple[int, int] | None = None
    entity: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "span": list(self.span) if self.span else None, "entity": self.entity}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Relay:
        span = d.get("span")
        return cls(d["name"], (int(span[0]), int(span[1])) if span else None, d.get("entity"))


@dataclass
class Statement:
    id: str  # "s1", "s2", ...
    content: Offsets
    cue: Offsets
    source: Offsets  # the mention naming the speaker; [] when none
    speaker: str | None  # entity id
    kind: StatementKind
    attribution: Attribution = "named"
    according_to: list[Relay] = field(default_factory=list)
    confidence: float = 1.0
    # The content's text (its spans joined with " ... "), at hand for a reader of the dataclass;
    # set by analyze and from_dict, not part of the presslens/1 JSON (the offsets are).
    text: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "content": [list(s) for s in self.content],
            "cue": [list(s) for s in self.cue],
            "source": [list(s) for s in self.source],
            "speaker": self.speaker,
            "kind": self.kind,
            "attribution": self.attribution,
            "according_to": [s.to_dict() for s in self.according_to],
            "confidence": round(float(self.confidence), 4),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], article_text: str = "") -> Statement:
        def spans(key: str) -> Offsets:
            return [(int(a), int(b)) for a, b in d.get(key, [])]

        content = spans("content")
        return cls(d["id"], content, spans("cue"), spans("source"), d.get("speaker"), d["kind"],
                   d.get("attribution", "named"), [Relay.from_dict(a) for a in d.get("according_to", [])],
                   float(d.get("confidence", 1.0)), content_text(article_text, content))


@dataclass
class TimeExpression:
    start: int
    end: int
    text: str
    value: str | None  # ISO: 2020-09-15, 2020-W38, 2020-09, 2020; None when unresolved
    granularity: Granularity | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "span": [self.start, self.end],
            "text": self.text,
            "value": self.value,
            "granularity": self.granularity,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TimeExpression:
        return cls(int(d["span"][0]), int(d["span"][1]), d.get("text", ""), d.get("value"), d.get("granularity"))


@dataclass
class Article:
    id: str
    text: str
    outlet: str | None = None
    published: str | None = None
    title: str | None = None
    url: str | None = None
    entities: list[Entity] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    times: list[TimeExpression] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    model: str = ""
    origin: Origin | None = None
    pipeline: str = "default"  # about.PIPELINES

    def to_dict(self) -> dict[str, Any]:
        doc = {
            "schema": SCHEMA,
            "id": self.id,
            "outlet": self.outlet,
            "published": self.published,
            "title": self.title,
            "url": self.url,
            "text": self.text,
            "entities": [e.to_dict() for e in self.entities],
            "statements": [s.to_dict() for s in self.statements],
            "times": [t.to_dict() for t in self.times],
            "warnings": list(self.warnings),
            "pipeline": {"version": pipeline_version(self.pipeline), "model": self.model, "name": self.pipeline},
        }
        if self.origin is not None:  # only articles read from a web archive have one
            doc["origin"] = self.origin.to_dict()
        return doc

    def entity(self, entity_id: str | None) -> Entity | None:
        return next((e for e in self.entities if e.id == entity_id), None)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        """The Article a `presslens/1` dict describes (as `to_dict` wrote it, or the corpus stored it).

            >>> Article.from_dict(article.to_dict()) == article
        """
        if d.get("schema") not in (None, SCHEMA):
            raise ValueError(f"not a {SCHEMA} document: schema {d.get('schema')!r}")
        text = d.get("text", "")
        return cls(
            id=d["id"], text=text, outlet=d.get("outlet"), published=d.get("published"), title=d.get("title"),
            url=d.get("url"), entities=[Entity.from_dict(e) for e in d.get("entities", [])],
            statements=[Statement.from_dict(s, text) for s in d.get("statements", [])],
            times=[TimeExpression.from_dict(t) for t in d.get("times", [])], warnings=list(d.get("warnings", [])),
            model=(d.get("pipeline") or {}).get("model", ""),
        )


def content_text(text: str, content: Offsets) -> str:
    """A statement's content: its spans of `text` joined with " ... "."""
    return " ... ".join(text[a:b] for a, b in content)
