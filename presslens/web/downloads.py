"""Downloads of a whole list (every row, not one page), streamed as CSV or JSON Lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse

MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
CHUNK = 500  # rows per piece of the response


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _lines(rows: Iterator[dict], fmt: str) -> Iterator[str]:
    buf = io.StringIO()
    writer = None
    n = 0
    for row in rows:
        if fmt == "jsonl":
            buf.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        else:
            if writer is None:
                writer = csv.DictWriter(buf, fieldnames=list(row), lineterminator="\n")
                writer.writeheader()
            writer.writerow({k: _cell(v) for k, v in row.items()})
        n += 1
        if n % CHUNK == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def stream_rows(request: Request, method: str, kwargs: dict, fmt: str, name: str) -> StreamingResponse:
    """Every row of `corpus.<method>(**kwargs)` as a `name.csv` / `name.jsonl` attachment. The rows
    are read while the response is sent (Starlette iterates a plain iterator in a worker thread),
    so memory stays flat however long the list is."""
    corpus = request.app.state.corpus
    lock = request.app.state.query_lock

    def body() -> Iterator[str]:
        if lock is not None:  # a shared connection: hold it for the whole download
            with lock:
                yield from _lines(getattr(corpus, method)(**kwargs), fmt)
        else:
            yield from _lines(getattr(corpus, method)(**kwargs), fmt)

    return StreamingResponse(body(), media_type=MEDIA[fmt],
                             headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
