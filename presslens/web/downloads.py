"""Downloads of a whole list (every row, not one page), streamed as CSV, JSON or JSON Lines.

Each list's JSON twin takes `download=csv|json|jsonl`; the columns are the list's fixed export
schema (`presslens/corpus/schemas.py`, the same as the CLI's), so an empty result still has its
CSV header and a column is never missing because the first row lacked it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import StreamingResponse

from ..corpus.schemas import Schema
from .deps import link

FORMATS = ("csv", "json", "jsonl")
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8",
         "jsonl": "application/x-ndjson; charset=utf-8"}
CHUNK = 500  # rows per piece of the response
Download = Annotated[str | None, Query(pattern="^(csv|json|jsonl)$",
                                       description="Every row instead of one page, streamed as a file: csv, json "
                                                   "(an array) or jsonl (JSON Lines)")]


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _lines(rows: Iterator[dict], fmt: str, columns: list[str]) -> Iterator[str]:
    buf = io.StringIO()
    writer = None
    if fmt == "csv":
        writer = csv.DictWriter(buf, fieldnames=columns, restval="", lineterminator="\n")
        writer.writeheader()
    elif fmt == "json":
        buf.write("[")
    n = 0
    for row in rows:
        row = {c: row.get(c) for c in columns}
        if writer is not None:
            writer.writerow({k: _cell(v) for k, v in row.items()})
        else:
            line = json.dumps(row, ensure_ascii=False, default=str)
            buf.write(line + "\n" if fmt == "jsonl" else ("," if n else "") + "\n" + line)
        n += 1
        if n % CHUNK == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    if fmt == "json":
        buf.write("\n]\n")
    yield buf.getvalue()


def stream_rows(request: Request, method: str, args: tuple, kwargs: dict, fmt: str, name: str,
                schema: Schema) -> StreamingResponse:
    """Every row of `corpus.<method>(*args, **kwargs)` as a `name.<fmt>` attachment with the
    columns of `schema`. The rows are read while the response is sent (Starlette iterates a plain
    iterator in a worker thread), so memory stays flat however long the list is."""
    corpus = request.app.state.corpus
    lock = request.app.state.query_lock

    def rows() -> Iterator[dict]:
        if lock is not None:  # a shared connection: hold it for the whole download
            with lock:
                yield from getattr(corpus, method)(*args, **kwargs)
        else:
            yield from getattr(corpus, method)(*args, **kwargs)

    return rows_file(rows(), fmt, name, schema)


def rows_file(rows: Iterable[dict], fmt: str, name: str, schema: Schema) -> StreamingResponse:
    """`rows` as a `name.<fmt>` attachment with the columns of `schema`."""
    return StreamingResponse(_lines(iter(rows), fmt, [c for c, _ in schema]), media_type=MEDIA[fmt],
                             headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


def download_links(path: str, params: dict) -> dict[str, str]:
    """`{"csv": url, "json": url, "jsonl": url}`: the whole list behind a page, in each format."""
    return {fmt: link(path, **params, download=fmt) for fmt in FORMATS}
