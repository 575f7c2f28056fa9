"""The bodies the REST API answers with, as pydantic models: FastAPI declares them in
`/openapi.json` and checks every answer against them (a route whose rows stop matching fails
with a 500 in the tests instead of drifting from its documentation).

They mirror what the corpus queries return (`presslens/corpus/queries.py`, `profiles.py`; the
column types are those of `presslens/corpus/schemas.py`). Fields a store without persons does
not have (`person_id`, `kind`, `aliases`, ...) are null or empty there, never missing.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    # `forbid`: a field a query adds must be declared here, or the tests' responses fail
    # (response_model would otherwise drop it from the JSON without a word).
    model_config = ConfigDict(extra="forbid")


# -- errors ------------------------------------------------------------------------------------
class ErrorDetail(_Body):
    status: int = Field(description="The HTTP status, repeated")
    message: str = Field(description="What was wrong and what to do")


class Error(_Body):
    """Every error on `/api/` paths, whatever its status: `{"error": {"status": ..., "message": ...}}`."""

    error: ErrorDetail


_WHEN = {
    400: "A query the corpus or its full-text index cannot run (the message says why)",
    404: "Nothing at this path, or nothing found for it",
    408: "The request body did not arrive in time",
    413: "The request body is over the server's --max-upload",
    415: "A body that is neither JSON nor a form",
    422: "A parameter or field of the wrong form (a date that is not a date, a limit out of bounds, ...)",
    500: "An internal error (the server log has the traceback)",
    503: "A query ran past the server's --timeout, or the analysis queue is full (see Retry-After)",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status (and 500) with the one error body. A declared 422
    replaces FastAPI's own validation-error schema, which this app never sends (see
    `app._add_error_handlers`); every route with parameters declares it."""
    return {s: {"model": Error, "description": _WHEN[s]} for s in sorted({*statuses, 500})}


def downloads() -> dict[int | str, dict[str, Any]]:
    """The 200 of a list that can also stream its whole result as a file (`download=`). The JSON
    download (an array of the rows) shares `application/json` with the page, whose schema
    FastAPI writes there from `response_model`, so it is named in the description only."""
    return {200: {"content": {"text/csv": {"schema": {"type": "string"}},
                              "application/x-ndjson": {"schema": {"type": "string"}}},
                  "description": "One page as JSON; with `download=csv`, `json` or `jsonl`, every row as a file "
                                 "(CSV, a JSON array of the rows, or JSON Lines)"}}


# -- rows --------------------------------------------------------------------------------------
class Statement(_Body):
    """A statement found by search (columns of `schemas.QUOTES`)."""

    article_id: str
    statement_id: str
    outlet: str | None
    published: str | None = Field(description="YYYY-MM-DD; null when undated")
    title: str | None
    speaker: str | None = Field(description="The person's canonical name (the name as written without persons)")
    person_id: str | None
    speaker_entity: str | None
    kind: str | None
    attribution: str | None
    content: str | None
    cue: str | None
    according_to: list[str]
    confidence: float | None
    score: float | None = Field(description="BM25 score of a text search; null without text")


class TimelineRow(_Body):
    """One of a speaker's statements (columns of `schemas.TIMELINE`)."""

    published: str | None
    article_id: str
    outlet: str | None
    title: str | None
    statement_id: str
    kind: str | None
    speaker: str | None
    person_id: str | None
    content: str | None


class SpeakerCounts(_Body):
    person_id: str | None = None
    speaker: str | None
    kind: str | None = None
    statements: int
    articles: int
    stories: int
    aliases: list[str] = Field([], description="Names the person is quoted under, most used first")


class Speaker(SpeakerCounts):
    """A row of the speaker list (`schemas.SPEAKERS`)."""

    outlets: int | None = None


class SpeakerInOutlet(SpeakerCounts):
    """A row of the speaker list per outlet, `by=outlet` (`schemas.SPEAKERS_BY_OUTLET`)."""

    outlet: str | None


class RelayRow(_Body):
    outlet: str | None
    relay: str
    statements: int


class Facet(_Body):
    value: str | None
    count: int
    person_id: str | None = Field(None, description="Speaker buckets of a store with persons")


class Facets(_Body):
    speaker: list[Facet]
    outlet: list[Facet]
    kind: list[Facet]
    month: list[Facet]


# -- pages -------------------------------------------------------------------------------------
class Stats(_Body):
    articles: int
    stories: int
    statements: int
    speakers: int
    outlets: int
    rejects: int
    skipped: int
    first_published: str | None
    last_published: str | None


class Period(_Body):
    period: str
    articles: int
    statements: int


class Overview(_Body):
    stats: Stats
    over_time: list[Period] = Field(description="Months with dated articles, in order (months without are absent)")
    top_speakers: list[Speaker]
    top_speakers_by_outlet: dict[str, list[SpeakerCounts]]


class SearchQuery(_Body):
    q: str | None
    speaker: str | None
    outlet: str | None
    kind: Literal["direct", "mixed", "indirect"] | None
    since: str | None
    until: str | None
    limit: int
    offset: int


class Search(_Body):
    query: SearchQuery
    total: int = Field(description="Every match for these filters, not only this page")
    undated: int = Field(description="Matches a since/until filter left out for want of a date")
    results: list[Statement]
    facets: Facets


class Dates(_Body):
    since: str | None
    until: str | None


class Filters(_Body):
    outlet: str | None
    since: str | None
    until: str | None


class SpeakerFilters(Filters):
    by: Literal["outlet"] | None = None


class Speakers(_Body):
    query: SpeakerFilters
    total: int
    limit: int
    offset: int
    speakers: list[Speaker | SpeakerInOutlet] = Field(description="`SpeakerInOutlet` rows with by=outlet")


class Alias(_Body):
    alias: str
    mentions: int
    statements: int | None
    first_seen: str | None
    last_seen: str | None


class Title(_Body):
    title: str
    mentions: int
    first_seen: str | None
    last_seen: str | None


class Role(_Body):
    role: str
    mentions: int
    first_seen: str | None
    last_seen: str | None


class Link(_Body):
    rule: str | None
    mentions: int
    confidence: float | None
    example: str | None


class Month(_Body):
    month: str = Field(description="YYYY-MM, or `undated` (last)")
    statements: int


class OutletCount(_Body):
    outlet: str | None = Field(description="null for statements without an outlet")
    statements: int


class SpeakerPage(_Body):
    speaker: str
    person_id: str | None
    kind: str | None
    aliases: list[Alias]
    titles: list[Title]
    roles: list[Role]
    links: list[Link]
    first_seen: str | None
    last_seen: str | None
    query: Filters
    statements: int
    total: int
    limit: int
    offset: int
    by_month: list[Month]
    by_outlet: list[OutletCount]
    timeline: list[TimelineRow] = Field(description="This page of the statements, oldest first (undated last)")


class Relays(_Body):
    query: Dates
    total: int
    limit: int
    offset: int
    relays: list[RelayRow]


class ArticlePlace(_Body):
    location: str
    record_id: str | None


class ArticleInCorpus(_Body):
    article_id: str
    story_id: str | None
    pipeline_version: str | None
    content_hash: str | None
    places: list[ArticlePlace] = Field(description="Every place the article was read from")


class Article(BaseModel):
    """A `presslens/1` article (docs/schema.md, `presslens/schema/presslens-1.schema.json`), as
    `presslens analyze` writes it; a stored one adds `corpus`. Entities, statements and times are
    declared as objects, not field by field: their schema is the pipeline's (versioned by
    `schema`), and a field it adds must reach the client, not be filtered out here."""

    model_config = ConfigDict(extra="allow")

    schema_: Literal["presslens/1"] = Field(alias="schema")
    id: str
    outlet: str | None
    published: str | None
    title: str | None
    url: str | None
    text: str
    entities: list[dict[str, Any]]
    statements: list[dict[str, Any]]
    times: list[dict[str, Any]]
    warnings: list[str]
    pipeline: dict[str, Any]
    corpus: ArticleInCorpus | None = Field(None, description="Only for a stored article: where it is in the corpus")
