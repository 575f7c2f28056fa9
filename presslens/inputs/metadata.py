"""Metadata that comes beside the articles: a CSV, TSV or JSON Lines file keyed by record id or
file name, with outlet, published, url and title (`--metadata FILE` of `analyze` and `ingest`).

Column names are matched loosely so that common layouts work as they are (PolNeAR's
`data/metadata.tsv` has `filename`, `publisher`, `publication_date`, `title`):

    key        id, record_id, filename, file_name, file, name, path
    outlet     outlet, publisher, source, site, site_name, publication
    published  published, publication_date, date, pubdate, published_at
    url        url, link, source_url
    title      title, headline

A record is matched by its id, then by the stem and the name of the file it was read from, so
`a.txt`, `a` and `folder/a.txt` all find the metadata row `a`. Metadata values replace what the
record carried (a dateline header, an HTML page's own title); an empty value, `None`, `null` or
`NA` leaves the record's value as it was. Dates go through the same reader as the inputs.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import Errors, UsageError
from ..types import Record, Reject

__all__ = ["Metadata", "ReadOptions", "apply_metadata", "load_metadata", "read_records"]

KEYS = ("id", "record_id", "filename", "file_name", "file", "name", "path")
COLUMNS = {
    "outlet": ("outlet", "publisher", "source", "site", "site_name", "publication"),
    "published": ("published", "publication_date", "date", "pubdate", "published_at"),
    "url": ("url", "link", "source_url"),
    "title": ("title", "headline"),
}
EMPTY = {"", "none", "null", "nan", "na", "n/a"}


def _value(raw: object) -> str | None:
    if raw is None:
        return None
    text = str(raw).strip()
    return None if text.lower() in EMPTY else text


def _key_forms(value: str) -> list[str]:
    """The forms a key or a location is matched under: as given, file name, file stem."""
    p = Path(value)
    forms = [value, p.name, p.stem]
    return list(dict.fromkeys(f for f in forms if f))


@dataclass(frozen=True)
class Metadata:
    """Rows of a metadata file by key: `{key: {"outlet": ..., "published": ..., ...}}`."""

    path: str
    rows: dict[str, dict[str, str]]

    def __len__(self) -> int:
        return len(self.rows)

    def find(self, record: Record) -> dict[str, str] | None:
        candidates = [record.id]
        if record.location:
            candidates.append(record.location.rsplit(":", 1)[0] if _has_line(record.location) else record.location)
        for c in candidates:
            for form in _key_forms(c):
                if form in self.rows:
                    return self.rows[form]
        return None

    def apply(self, record: Record | Reject) -> Record | Reject:
        """`record` with the metadata of its row, when there is one."""
        if not isinstance(record, Record):
            return record
        row = self.find(record)
        if not row:
            return record
        return replace(record, **row)


def _has_line(location: str) -> bool:
    head, _, tail = location.rpartition(":")
    return bool(head) and tail.isdigit()


def load_metadata(path: str | Path) -> Metadata:
    """Read a metadata file (`.csv`, `.tsv`, `.jsonl`/`.ndjson`; else sniffed). Raises UsageError
    [E030] for a missing or unreadable file, [E031] when no key column is found, [E032] for an
    impossible date (with its line)."""
    from .readers import normalise_date

    path = Path(path)
    if not path.is_file():
        raise UsageError(Errors.E030.format(path=path, problem="no such file"))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(Errors.E030.format(path=path, problem=f"cannot read it as UTF-8 text ({exc})")) from exc
    rows: dict[str, dict[str, str]] = {}
    for line, obj in _objects(path, text):
        lowered = {str(k).strip().lower(): v for k, v in obj.items()}
        key = next((_value(lowered[k]) for k in KEYS if _value(lowered.get(k))), None)
        if key is None:
            raise UsageError(Errors.E031.format(path=path, line=line, choices=", ".join(KEYS)))
        values: dict[str, str] = {}
        for field, names in COLUMNS.items():
            value = next((_value(lowered[n]) for n in names if _value(lowered.get(n))), None)
            if value is None:
                continue
            if field == "published":
                try:
                    value = normalise_date(value)
                except ValueError as exc:
                    raise UsageError(Errors.E032.format(path=path, line=line, error=exc)) from None
                if value is None:
                    continue
            values[field] = value
        for form in _key_forms(key):
            rows.setdefault(form, values)  # the exact key first; a stem never replaces another row
        rows[key] = values
    return Metadata(str(path), rows)


def _objects(path: Path, text: str) -> Iterator[tuple[int, dict]]:
    suffix = path.suffix.lower()
    first = text.lstrip()[:1]
    if suffix in (".jsonl", ".ndjson", ".json") or first in ("{", "["):
        stripped = text.strip()
        if stripped.startswith("["):
            try:
                items = json.loads(stripped)
            except ValueError as exc:
                raise UsageError(Errors.E030.format(path=path, problem=f"broken JSON ({exc})")) from None
            for i, obj in enumerate(items, 1):
                if isinstance(obj, dict):
                    yield i, obj
            return
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                raise UsageError(Errors.E030.format(path=f"{path}:{n}", problem=f"broken JSON ({exc})")) from None
            if not isinstance(obj, dict):
                raise UsageError(Errors.E030.format(path=f"{path}:{n}", problem="each line must be a JSON object"))
            yield n, obj
        return
    header = text.split("\n", 1)[0]
    delimiter = "\t" if suffix == ".tsv" or header.count("\t") > header.count(",") else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    for obj in reader:
        yield reader.line_num, {k: v for k, v in obj.items() if k is not None}


def apply_metadata(records: Iterable[Record | Reject], metadata: Metadata | None) -> Iterator[Record | Reject]:
    """`records` with the metadata of their rows (all of them, unchanged, when `metadata` is None)."""
    for r in records:
        yield metadata.apply(r) if metadata is not None else r


@dataclass(frozen=True)
class ReadOptions:
    """How inputs are read, the same for `analyze` and `ingest`: a forced format, field names
    (`{"text": "body"}`) and a metadata file."""

    input_format: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    metadata: str | None = None

    @classmethod
    def from_cli(cls, input_format: str | None, fields: Iterable[str], metadata: str | None) -> ReadOptions:
        from .readers import parse_mapping

        return cls(input_format, tuple(parse_mapping(fields).items()), metadata)


def read_records(paths: Iterable[str], options: ReadOptions | None = None,
                 exclude: Iterable[str] = ()) -> Iterator[Record | Reject]:
    """Every record of `paths` read with `options` (presslens.inputs.iter_records, then the
    metadata). Bad paths, formats, fields and metadata files fail here, before anything is read."""
    from .readers import iter_records

    options = options or ReadOptions()
    metadata = load_metadata(options.metadata) if options.metadata else None
    records = iter_records(list(paths), options.input_format, dict(options.fields), exclude=exclude)
    return apply_metadata(records, metadata)
