"""The fixed column types of every export: the same Parquet schema whatever the rows hold (an
empty corpus, a column that is empty in this corpus, a store without persons). See docs/corpus.md."""

from __future__ import annotations

Schema = list[tuple[str, str]]  # (column, DuckDB type)

QUOTES: Schema = [
    ("article_id", "VARCHAR"), ("statement_id", "VARCHAR"), ("outlet", "VARCHAR"), ("published", "DATE"),
    ("title", "VARCHAR"), ("speaker", "VARCHAR"), ("person_id", "VARCHAR"), ("speaker_entity", "VARCHAR"),
    ("kind", "VARCHAR"), ("attribution", "VARCHAR"), ("content", "VARCHAR"), ("cue", "VARCHAR"),
    ("according_to", "VARCHAR[]"), ("confidence", "DOUBLE"), ("score", "DOUBLE"),
]
SPEAKERS: Schema = [
    ("person_id", "VARCHAR"), ("speaker", "VARCHAR"), ("kind", "VARCHAR"), ("statements", "BIGINT"),
    ("articles", "BIGINT"), ("stories", "BIGINT"), ("outlets", "BIGINT"), ("aliases", "VARCHAR[]"),
]
SPEAKERS_BY_OUTLET: Schema = [
    ("person_id", "VARCHAR"), ("speaker", "VARCHAR"), ("kind", "VARCHAR"), ("outlet", "VARCHAR"),
    ("statements", "BIGINT"), ("articles", "BIGINT"), ("stories", "BIGINT"), ("aliases", "VARCHAR[]"),
]
ALIASES: Schema = [
    ("person_id", "VARCHAR"), ("alias", "VARCHAR"), ("mentions", "BIGINT"), ("statements", "BIGINT"),
    ("first_seen", "DATE"), ("last_seen", "DATE"),
]
RELAYS: Schema = [("outlet", "VARCHAR"), ("relay", "VARCHAR"), ("statements", "BIGINT")]
TIMELINE: Schema = [
    ("published", "DATE"), ("article_id", "VARCHAR"), ("outlet", "VARCHAR"), ("title", "VARCHAR"),
    ("statement_id", "VARCHAR"), ("kind", "VARCHAR"), ("speaker", "VARCHAR"), ("person_id", "VARCHAR"),
    ("content", "VARCHAR"),
]
REJECTS: Schema = [("location", "VARCHAR"), ("reason", "VARCHAR"), ("seen_at", "TIMESTAMP")]
ARTICLE_STATEMENTS: Schema = [
    ("statement_id", "VARCHAR"), ("speaker", "VARCHAR"), ("kind", "VARCHAR"), ("attribution", "VARCHAR"),
    ("cue", "VARCHAR"), ("content", "VARCHAR"), ("according_to", "VARCHAR[]"), ("confidence", "DOUBLE"),
]
