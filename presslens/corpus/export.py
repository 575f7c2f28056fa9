"""Writing query results: table, csv, jsonl, parquet. Rows are streamed, never capped.

Parquet goes through a temporary JSON Lines file that DuckDB converts (`COPY ... (FORMAT
parquet)`), so memory stays flat without pyarrow. Given a schema (presslens.corpus.schemas),
DuckDB reads that file with the declared column types, so the Parquet schema is the same
whatever the rows hold, no rows at all included; without one, types are inferred.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from ..errors import Errors, UsageError
from ..output import printable

FORMATS = ("table", "csv", "jsonl", "parquet")
TABLE_SAMPLE = 200  # rows looked at to size the table's columns
TABLE_MAX_WIDTH = 60


def _cell(value: Any) -> str:
    """A table cell: one line, with the control characters of article text (terminal escape
    sequences) shown as escapes, never sent to the terminal."""
    if value is None:
        return ""
    if isinstance(value, list):
        return printable("; ".join(str(v) for v in value).replace("\n", " "))
    if isinstance(value, float):
        return f"{value:.3g}"
    return printable(str(value).replace("\n", " ").replace("\t", " "))


# Columns a reader of a table does not need (they stay in csv, jsonl and parquet).
HIDDEN = {"speaker_entity", "score", "attribution"}


def _terminal_width(out: IO[str]) -> int | None:
    """The terminal's width when `out` is one; None for files and pipes (no limit)."""
    try:
        if out.isatty():
            return shutil.get_terminal_size().columns
    except (AttributeError, ValueError, OSError):
        pass
    return None


def fit(widths: dict[str, int], total: int | None) -> None:
    """Narrow the widest columns until the table (two spaces between columns) fits `total`."""
    if total is None:
        return
    while widths and sum(widths.values()) + 2 * (len(widths) - 1) > total:
        widest = max(widths, key=lambda c: widths[c])
        if widths[widest] <= 8:
            break
        widths[widest] -= 1


def write_table(rows: Iterator[dict], out: IO[str]) -> int:
    first = []
    for row in rows:
        first.append(row)
        if len(first) >= TABLE_SAMPLE:
            break
    if not first:
        out.write("(no rows)\n")
        return 0
    cols = [c for c in first[0] if c not in HIDDEN]
    widths = {c: min(TABLE_MAX_WIDTH, max([len(c)] + [len(_cell(r.get(c))) for r in first])) for c in cols}
    fit(widths, _terminal_width(out))

    def line(values: dict) -> str:
        cells = []
        for c in cols:
            text = _cell(values.get(c))
            if len(text) > widths[c]:
                text = text[: widths[c] - 1] + "\u2026"
            cells.append(text.ljust(widths[c]))
        return "  ".join(cells).rstrip() + "\n"

    out.write(line({c: c for c in cols}))
    out.write("  ".join("-" * widths[c] for c in cols) + "\n")
    n = 0
    for row in _chain(first, rows):
        out.write(line(row))
        n += 1
    return n


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


def write_csv(rows: Iterator[dict], out: IO[str]) -> int:
    writer = None
    n = 0
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
            writer.writeheader()
        writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                         for k, v in row.items()})
        n += 1
    return n


def write_jsonl(rows: Iterator[dict], out: IO[str]) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        n += 1
    return n


def write_parquet(rows: Iterator[dict], path: str, schema: list[tuple[str, str]] | None = None) -> int:
    import duckdb  # here: `presslens --help` imports this module and must not load DuckDB

    with tempfile.TemporaryDirectory(prefix="presslens-export-") as tmp:
        src = os.path.join(tmp, "rows.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            if schema is not None:  # exactly the declared columns, in their order
                names = [c for c, _ in schema]
                rows = ({c: r.get(c) for c in names} for r in rows)
            n = write_jsonl(rows, f)
        con = duckdb.connect()
        try:
            dst = path.replace("'", "''")
            if schema is not None:
                cols = ", ".join(f'CAST(NULL AS {t}) AS "{c}"' for c, t in schema)
                declared = "{" + ", ".join(f"'{c}': '{t}'" for c, t in schema) + "}"
                src_sql = src.replace("'", "''")
                rel = (f"SELECT * FROM read_json('{src_sql}', format='newline_delimited', columns={declared})"
                       if n else f"SELECT {cols} WHERE FALSE")
                con.execute(f"COPY ({rel}) TO '{dst}' (FORMAT parquet)")
            elif n == 0:
                con.execute(f"COPY (SELECT NULL AS empty WHERE FALSE) TO '{dst}' (FORMAT parquet)")
            else:
                src_sql = src.replace("'", "''")
                rel = f"read_json('{src_sql}', format='newline_delimited', sample_size=-1)"
                # Lists that were empty everywhere come back as JSON[]: store them as text lists.
                casts = [
                    f'CAST("{name}" AS VARCHAR[]) AS "{name}"' if typ.upper().startswith("JSON[")
                    else f'CAST("{name}" AS VARCHAR) AS "{name}"'
                    for name, typ, *_ in con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()
                    if typ.upper().startswith("JSON")
                ]
                select = f"SELECT * REPLACE ({', '.join(casts)})" if casts else "SELECT *"
                con.execute(f"COPY ({select} FROM {rel}) TO '{dst}' (FORMAT parquet)")
        finally:
            con.close()
    return n


def export(rows: Iterable[dict] | dict | None, fmt: str = "table", output: str | None = None,
           schema: list[tuple[str, str]] | None = None) -> int:
    """Write `rows` as `fmt` to the file `output` (stdout when None); return how many rows.
    `schema` fixes the Parquet column types (presslens.corpus.schemas)."""
    if fmt not in FORMATS:
        raise UsageError(Errors.E310.format(value=fmt, choices=", ".join(FORMATS)))
    if isinstance(rows, dict) or rows is None:
        rows = [] if rows is None else [rows]
    rows = iter(rows)
    if fmt == "parquet":
        if not output:
            if sys.stdout.isatty():
                raise UsageError(Errors.E311)
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "out.parquet")
                n = write_parquet(rows, path, schema)
                with open(path, "rb") as f:
                    shutil.copyfileobj(f, sys.stdout.buffer)
                return n
        return write_parquet(rows, output, schema)
    writer = {"table": write_table, "csv": write_csv, "jsonl": write_jsonl}[fmt]
    if output:
        with open(output, "w", encoding="utf-8", newline="") as f:
            return writer(rows, f)
    return writer(rows, sys.stdout)


def article_rows(article: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One article's statements as flat rows (for table, csv and parquet)."""
    text = article.get("text", "")
    names = {e["id"]: e["name"] for e in article.get("entities", [])}
    for s in article.get("statements", []):
        yield {
            "statement_id": s["id"],
            "speaker": names.get(s.get("speaker")),
            "kind": s.get("kind"),
            "attribution": s.get("attribution"),
            "cue": " ".join(text[a:b] for a, b in s.get("cue", [])),
            "content": " ... ".join(text[a:b] for a, b in s.get("content", [])),
            "according_to": [a["name"] for a in s.get("according_to", [])],
            "confidence": s.get("confidence"),
        }
