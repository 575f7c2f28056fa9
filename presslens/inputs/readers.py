"""Reading articles from files, folders and standard input.

`iter_records(paths)` is the one reader: `presslens analyze` and `presslens ingest` both use it.
It streams: files are read one at a time and line formats one line at a time, so a corpus is
never held in memory. Every input yields `Record`s; anything that cannot be used yields a
`Reject` naming the file and line or record and the reason, and reading goes on.

Formats (by extension, else by sniffing the content; `input_format` overrides both):

    dateline  one article per line: `date YYYY-MM-DD <Outlet> - <body>`; id `<stem>:<line>`
    txt       one article per file, text unchanged; id `<stem>`; a dateline header on the
              first line that is not blank is recognised (and removed from the text)
    jsonl     one JSON object per line with `id, url, outlet, published, title, text`
    json      one JSON object, or an array of them
    csv       a header row and the same columns (`.tsv`: tab-separated)
    html      a web page: main text and metadata (title, date, site name) via trafilatura
    warc      a web archive (`.warc`, `.warc.gz`, as CC-NEWS ships them): every HTML response
              record as above, other records counted as `Skip`s by reason (presslens.inputs.warc)

Paths may be files, folders (walked recursively), glob patterns (`crawl/*.warc.gz`) and, for
WARC files, fsspec URLs (`s3://bucket/CC-NEWS-*.warc.gz`, with s3fs installed).

Text encodings: UTF-8 (with or without BOM) and UTF-16 with a BOM are read as they are. Text
that is not valid UTF-8 is decoded as Windows-1252 (the usual culprit) with warning [W002]; text
that is neither is rejected [E101]. A file with NUL bytes is binary and rejected [E102].
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import glob
import io
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from ..errors import Errors, RecordError, UsageError, Warnings
from ..types import Record, Reject, Skip
from .warc import is_warc, iter_warc, looks_like_warc

__all__ = ["FIELDS", "FORMATS", "Dateline", "iter_records", "normalize_date", "parse_dateline", "parse_mapping"]

FORMATS = ("dateline", "txt", "jsonl", "json", "csv", "html", "warc")
FIELDS = ("id", "url", "outlet", "published", "title", "text")
EXTENSIONS = {
    ".txt": "txt",  # or dateline, decided by sniffing the first lines
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".html": "html",
    ".htm": "html",
}

# Leading whitespace, blank lines, a byte-order mark or a zero-width space before the header are
# web and editor debris, not part of it: without them the header would stay in the text and the
# outlet, the date and every relative time would be lost without a word.
_DATELINE = re.compile(r"[\s\ufeff\u200b]*date (\d{4}-\d{2}-\d{2}) ([^\n]+?) - ")
_SNIFF_BYTES = 65_536
_STDIN_SPOOL = 16 * 1024 * 1024  # stdin beyond this goes to a temporary file, not memory
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y")
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # whole articles sit in one CSV field
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True)
class Dateline:
    published: str
    outlet: str
    text: str  # the body after the header
    offset: int  # where the body starts in the line


def parse_dateline(line: str) -> Dateline | None:
    """Split `date YYYY-MM-DD <Outlet> - <body>`; the outlet may hold spaces, the separator is
    the first ` - ` after the date. Whitespace, blank lines or a byte-order mark before the
    header are skipped (`offset` counts them). Returns None when `line` has no such header.

    The date is returned as written; `normalize_date` checks that it exists.
    """
    m = _DATELINE.match(line)
    if m is None:
        return None
    return Dateline(published=m.group(1), outlet=m.group(2).strip(), text=line[m.end():], offset=m.end())


def normalize_date(value: object) -> str | None:
    """An ISO date (`YYYY-MM-DD`) from `value`, or None when it is empty.

    Accepts ISO dates and date-times (`2020-09-15T10:00:00Z`), `2020/09/15`, `15 September 2020`
    and `September 15, 2020`. Raises `ValueError` for impossible dates (`2020-02-30`) and
    for anything else it cannot read.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
        raise ValueError(f"impossible date {text!r}")
    raise ValueError(f"cannot read date {text!r}: write it as YYYY-MM-DD")


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """`["text=body", "published=date"]` -> `{"text": "body", "published": "date"}`."""
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not column:
            raise UsageError(Errors.E012.format(what=f"--field {pair!r}", choices=", ".join(FIELDS)))
        if field not in FIELDS:
            raise UsageError(Errors.E012.format(what=f"--field {pair!r}", choices=", ".join(FIELDS)))
        mapping[field] = column
    return mapping


# --- decoding ---------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str | None]:
    """Text of `data` and a warning when it was not UTF-8. Raises UnicodeDecodeError."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined: text with those is not cp1252 either.
        return data.decode("cp1252"), Warnings.W002


def _decode_error(exc: UnicodeDecodeError) -> str:
    return Errors.E101.format(byte=exc.object[exc.start], offset=exc.start)


@dataclass
class _InputFile:
    """One input: a file or standard input (spooled so that it can be sniffed)."""

    name: str  # shown in locations: the path as given, or "<stdin>"
    stem: str
    suffix: str
    stream: BinaryIO

    def head(self) -> bytes:
        data = self.stream.read(_SNIFF_BYTES)
        self.stream.seek(0)
        return data


def _lines(infile: _InputFile) -> Iterator[tuple[int, str | None, str | None, str | None]]:
    """`(line number, text, warning, error)` per line, line ends kept. UTF-16 reads as a whole
    stream; other encodings line by line, so that one bad line rejects only itself."""
    head = infile.stream.read(4)
    infile.stream.seek(0)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        with io.TextIOWrapper(infile.stream, encoding="utf-16", newline="") as text:
            for number, line in enumerate(text, start=1):
                yield number, line, None, None
        return
    for number, raw in enumerate(infile.stream, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        try:
            line, warning = _decode(raw)
            yield number, line, warning, None
        except UnicodeDecodeError as exc:
            yield number, None, None, _decode_error(exc)


def _whole(infile: _InputFile) -> tuple[str, str | None]:
    return _decode(infile.stream.read())


# --- sniffing -----------------------------------------------------------------------------


def _sniff(infile: _InputFile) -> str:
    """The format of `infile` from its extension, else from its first bytes."""
    head = infile.head()
    fmt = EXTENSIONS.get(infile.suffix)
    if fmt not in (None, "txt"):
        return fmt
    try:
        text, _ = _decode(head)
    except UnicodeDecodeError:
        return fmt or "txt"
    stripped = text.lstrip()
    if fmt is None:
        if stripped.startswith("["):
            return "json"
        if stripped.startswith("{"):
            first = stripped.split("\n", 1)[0]
            try:
                json.loads(first)
                return "jsonl"
            except (ValueError, RecursionError):
                return "json"
        if re.match(r"<(!doctype html|html|head|body)\b", stripped, re.IGNORECASE):
            return "html"
        first = stripped.split("\n", 1)[0].lower()
        if "text" in [c.strip().strip('"') for c in first.split(",")]:
            return "csv"
    lines = [line for line in text.splitlines() if line.strip()][:2]
    if lines and all(_DATELINE.match(line) for line in lines):
        return "dateline"
    return "txt"


# --- readers ------------------------------------------------------------------------------


_SURROGATE = re.compile("[\ud800-\udfff]")


def _unpaired(fields: Mapping[str, object]) -> tuple[dict[str, object], list[str]]:
    """`fields` with lone surrogates (JSON escapes such as \\ud800 without their pair: no file
    can hold them, and writing them fails) replaced by U+FFFD, one for one so that offsets hold;
    and a warning per field that had any."""
    out, warnings = dict(fields), []
    for name, value in fields.items():
        if isinstance(value, str) and _SURROGATE.search(value):
            out[name], count = _SURROGATE.subn("\ufffd", value)
            warnings.append(Warnings.W003.format(count=count, field=name))
    return out, warnings


def _record(fields: Mapping[str, object], location: str, default_id: str, warning: str | None) -> Record | Reject:
    """A Record from mapped `fields`, or a Reject saying what is wrong with them."""
    fields, warnings = _unpaired(fields)
    if warning:
        warnings.insert(0, warning)
    for name in FIELDS:
        if name != "text" and isinstance(fields.get(name), (dict, list)):
            return Reject(location, Errors.E117.format(field=name, found=type(fields[name]).__name__), default_id)
    raw_id = fields.get("id")
    record_id = str(raw_id).strip() if raw_id not in (None, "") else default_id
    text = fields.get("text")
    if text is None:
        return Reject(location, Errors.E105.format(what="field in this record"), record_id)
    if not isinstance(text, str):
        return Reject(location, Errors.E110.format(found=type(text).__name__), record_id)
    if not text.strip():
        return Reject(location, Errors.E106, record_id)
    try:
        published = normalize_date(fields.get("published"))
    except ValueError as exc:
        return Reject(location, Errors.E107.format(error=exc), record_id)

    def opt(name: str) -> str | None:
        value = fields.get(name)
        return str(value).strip() or None if value not in (None, "") else None

    return Record(
        id=record_id,
        text=text,
        outlet=opt("outlet"),
        published=published,
        title=opt("title"),
        url=opt("url"),
        location=location,
        warnings=tuple(warnings),
    )


def _mapped(obj: Mapping[str, object], mapping: Mapping[str, str]) -> dict[str, object]:
    return {field: obj.get(mapping.get(field, field)) for field in FIELDS}


def _read_dateline(infile: _InputFile, mapping: Mapping[str, str]) -> Iterator[Record | Reject]:
    for number, line, warning, error in _lines(infile):
        location = f"{infile.name}:{number}"
        if error:
            yield Reject(location, error)
            continue
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        dated = parse_dateline(line)
        if dated is None:
            yield Reject(location, Errors.E108)
            continue
        fields = {"id": f"{infile.stem}:{number}", "text": dated.text, "outlet": dated.outlet, "published": dated.published}
        yield _record(fields, location, fields["id"], warning)


def _read_txt(infile: _InputFile, mapping: Mapping[str, str]) -> Iterator[Record | Reject]:
    try:
        text, warning = _whole(infile)
    except UnicodeDecodeError as exc:
        yield Reject(infile.name, _decode_error(exc), infile.stem)
        return
    fields: dict[str, object] = {"id": infile.stem, "text": text}
    dated = parse_dateline(text)  # on the first line that is not blank
    if dated is not None:
        fields.update(text=text[dated.offset:], outlet=dated.outlet, published=dated.published)
    yield _record(fields, infile.name, infile.stem, warning)


def _read_jsonl(infile: _InputFile, mapping: Mapping[str, str]) -> Iterator[Record | Reject]:
    for number, line, warning, error in _lines(infile):
        location = f"{infile.name}:{number}"
        if error:
            yield Reject(location, error)
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            yield Reject(location, Errors.E103.format(error=exc))
            continue
        except RecursionError as exc:
            yield Reject(location, Errors.E113.format(error=exc))
            continue
        if not isinstance(obj, dict):
            yield Reject(location, Errors.E104.format(found=type(obj).__name__))
            continue
        yield _record(_mapped(obj, mapping), location, f"{infile.stem}:{number}", warning)


def _read_json(infile: _InputFile, mapping: Mapping[str, str]) -> Iterator[Record | Reject]:
    try:
        text, warning = _whole(infile)
    except UnicodeDecodeError as exc:
        yield Reject(infile.name, _decode_error(exc))
        return
    try:
        data = json.loads(text)
    except ValueError as exc:
        yield Reject(infile.name, Errors.E103.format(error=exc))
        return
    except RecursionError as exc:
        yield Reject(infile.name, Errors.E113.format(error=exc))
        return
    items = data if isinstance(data, list) else [data]
    for number, obj in enumerate(items, start=1):
        location = f"{infile.name}#{number}"
        if not isinstance(obj, dict):
            yield Reject(location, Errors.E104.format(found=type(obj).__name__))
            continue
        yield _record(_mapped(obj, mapping), location, f"{infile.stem}:{number}", warning)


def _swallows_records(lines: list[str], header: list[str], delimiter: str) -> bool:
    """Whether a row that spans `lines` holds, after its first line, a line that reads as a
    record of its own: as many fields as the header and a short first field without spaces (an
    id, a date, a number): the sign of a quote left open. Paragraphs of a quoted text field
    rarely look like that; if one does, the record is rejected with the lines named, never
    silently merged."""
    for line in lines[1:]:
        try:
            fields = next(csv.reader([line], delimiter=delimiter, strict=True), [])
        except csv.Error:
            continue
        first = fields[0].strip() if fields else ""
        if len(fields) == len(header) and first and len(first) <= 40 and " " not in first:
            return True
    return False


def _read_csv(infile: _InputFile, mapping: Mapping[str, str]) -> Iterator[Record | Reject]:
    errors: dict[int, str] = {}
    warnings: dict[int, str] = {}
    row_lines: list[str] = []  # the physical lines of the row being read

    def text_lines() -> Iterator[str]:
        for number, line, warning, error in _lines(infile):
            if error:
                errors[number] = error
                row_lines.append("")
                yield ""
                continue
            if warning:
                warnings[number] = warning
            row_lines.append(line)
            yield line

    delimiter = "\t" if infile.suffix == ".tsv" else ","
    # strict: a quote that closes in the middle of a field ('"a"b'), or never, is an error rather
    # than text silently run together with the next records
    reader = csv.reader(text_lines(), delimiter=delimiter, strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        yield Reject(f"{infile.name}:1", Errors.E111.format(what="header", error=exc))
        return
    if not any(mapping.get("text", "text") == h for h in header):
        yield Reject(
            f"{infile.name}:1",
            Errors.E105.format(what=f"column (the header has {', '.join(header)})"),
        )
        return
    while True:
        start = reader.line_num + 1
        row_lines.clear()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            lines = f"line {start}" if reader.line_num <= start else f"lines {start}-{reader.line_num}"
            yield Reject(f"{infile.name}:{start}", Errors.E111.format(what=f"row ({lines})", error=exc))
            continue
        location = f"{infile.name}:{start}"
        span = range(start, reader.line_num + 1)
        error = next((errors[n] for n in span if n in errors), None)
        if error:
            yield Reject(location, error)
            continue
        if len(row_lines) > 1 and _swallows_records(row_lines, header, delimiter):
            yield Reject(location, Errors.E116.format(start=start, end=reader.line_num))
            continue
        if not any(cell.strip() for cell in row):
            continue
        obj = {h: (row[i] if i < len(row) else None) for i, h in enumerate(header)}
        warning = next((warnings[n] for n in span if n in warnings), None)
        yield _record(_mapped(obj, mapping), location, f"{infile.stem}:{start}", warning)


def _read_html(infile: _InputFile, mapping: Mapping[str, str]) -> Iterator[Record | Reject]:
    import trafilatura  # imported here: slow to import and only needed for web pages

    data = infile.stream.read()
    try:
        html, warning = _decode(data)
    except UnicodeDecodeError as exc:
        yield Reject(infile.name, _decode_error(exc), infile.stem)
        return
    doc = trafilatura.bare_extraction(html, with_metadata=True)
    if doc is None or not (doc.text or "").strip():
        yield Reject(infile.name, Errors.E109, infile.stem)
        return
    fields = {
        "id": infile.stem,
        "text": doc.text,
        "title": doc.title,
        "published": doc.date,
        "outlet": doc.sitename,
        "url": doc.url,
    }
    yield _record(fields, infile.name, infile.stem, warning)


_READERS = {
    "dateline": _read_dateline,
    "txt": _read_txt,
    "jsonl": _read_jsonl,
    "json": _read_json,
    "csv": _read_csv,
    "html": _read_html,
}


# --- walking paths ------------------------------------------------------------------------


def _files(path: str) -> Iterator[Path]:
    """Files named by `path`: itself, or every file with a known extension below it, sorted."""
    return (file for file, readable in _walk(path) if readable)


def not_input(file: Path) -> Skip:
    """The skip of a file that a folder walk passes over (its extension is not one presslens reads)."""
    return Skip(str(file), "not-input", file.suffix.lower() or "no extension", file.stem)


def _walk(path: str) -> Iterator[tuple[Path, bool]]:
    """`path` itself, or every file below it (hidden ones left out), sorted, each with whether
    its extension is one presslens reads; the others are passed over, counted as skips."""
    p = Path(path)
    if p.is_dir():
        for root, dirs, files in os.walk(p):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith("."):
                    yield Path(root) / name, Path(name).suffix.lower() in EXTENSIONS or is_warc(name)
    elif p.is_file():
        yield p, True
    else:
        raise UsageError(Errors.E010.format(path=path))


def _spool_stdin() -> BinaryIO:
    spool = tempfile.SpooledTemporaryFile(max_size=_STDIN_SPOOL)
    shutil.copyfileobj(sys.stdin.buffer, spool)
    spool.seek(0)
    return spool  # type: ignore[return-value]


def _read_input(infile: _InputFile, input_format: str | None, mapping: Mapping[str, str],
                 done: Container[str] = frozenset()) -> Iterator[Record | Reject | Skip]:
    head = infile.head()
    if input_format == "warc" or (input_format is None and (is_warc(infile.name) or looks_like_warc(head))):
        yield from iter_warc(infile.name, stream=infile.stream, done=done)
        return
    is_utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in head and not is_utf16:
        yield Reject(infile.name, Errors.E102, infile.stem)
        return
    fmt = input_format or _sniff(infile)
    yield from _READERS[fmt](infile, mapping)


def _is_url(path: str) -> bool:
    return "://" in path


def _expand(path: str) -> list[str]:
    """The paths a glob pattern (local or fsspec URL) names, sorted; `path` itself otherwise."""
    if not glob.has_magic(path):
        return [path]
    if _is_url(path):
        try:
            import fsspec
        except ImportError as exc:
            raise UsageError(Errors.E015.format(path=path, problem="reading URLs needs fsspec "
                                                                   "(pip install fsspec s3fs)")) from exc
        fs, _ = fsspec.core.url_to_fs(path)
        return sorted(fs.unstrip_protocol(p) for p in fs.glob(path))
    return sorted(glob.glob(path, recursive=True))


def iter_records(
    paths: Iterable[str],
    input_format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    exclude: Iterable[str] = (),
    done: Container[str] = frozenset(),
) -> Iterator[Record | Reject | Skip]:
    """Every article in `paths` (files, folders walked recursively, glob patterns, fsspec URLs of
    WARC files, `-` for standard input) as a `Record`, every unusable record as a `Reject`, and
    every WARC record that is not an article as a `Skip`, in input order.

    `input_format` forces one of `FORMATS` instead of guessing; `mapping` maps presslens fields
    to the names used by JSON and CSV inputs (`{"text": "body"}`); files in `exclude` are skipped
    (the command's own output, when it is written into an input folder); WARC records whose
    location (`file@offset`) is in `done` are yielded as `Skip(reason="stored")` without being
    extracted (a resumed ingest). Raises `UsageError` at once (before anything is read) for an
    unknown format or field, or a path or pattern that names nothing.
    """
    mapping = dict(mapping or {})
    if input_format is not None and input_format not in FORMATS:
        raise UsageError(Errors.E011.format(value=input_format, choices=", ".join(FORMATS)))
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise UsageError(Errors.E012.format(what=f"unknown field {', '.join(sorted(unknown))}", choices=", ".join(FIELDS)))
    paths = list(paths)
    if not paths:
        raise UsageError(Errors.E014)
    expanded = []
    for path in paths:  # a typo should fail before any work is done
        names = [path] if path == "-" else _expand(path)
        if not names:
            raise UsageError(Errors.E016.format(path=path))
        for name in names:
            if _is_url(name):
                if not (is_warc(name) or input_format == "warc"):
                    raise UsageError(Errors.E015.format(path=name, problem="only WARC files (.warc, .warc.gz) "
                                                                              "are read from URLs"))
            elif name != "-" and not Path(name).exists():
                raise UsageError(Errors.E010.format(path=name))
        expanded.extend(names)
    skip = {Path(p).resolve() for p in exclude}
    return _iter_paths(expanded, input_format, mapping, skip, done)


def _iter_paths(
    paths: list[str], input_format: str | None, mapping: dict[str, str], skip: set[Path],
    done: Container[str] = frozenset(),
) -> Iterator[Record | Reject | Skip]:
    for path in paths:
        if path == "-":
            with _spool_stdin() as stream:
                yield from _read_input(_InputFile("<stdin>", "stdin", "", stream), input_format, mapping, done)
            continue
        if _is_url(path):
            yield from iter_warc(path, done=done)
            continue
        for file, readable in _walk(path):
            if skip and file.resolve() in skip:
                continue
            if not readable:  # "photo.jpg", "notes.dat" in a folder: counted, never silently dropped
                yield not_input(file)
                continue
            try:
                stream = open(file, "rb")
            except OSError as exc:
                yield Reject(str(file), Errors.E112.format(error=exc.strerror), file.stem)
                continue
            with stream:
                infile = _InputFile(str(file), file.stem, file.suffix.lower(), stream)
                yield from _read_input(infile, input_format, mapping, done)


def record_from_text(text: str, id: str = "article", **meta: str | None) -> Record:
    """A Record for one text given to `presslens.analyze`; a dateline header is recognised.

    Raises `RecordError` when the text is empty or its date impossible.
    """
    fields: dict[str, object] = {"id": id, "text": text, **meta}
    dated = parse_dateline(text)
    if dated is not None:
        fields["text"] = dated.text
        fields["published"] = meta.get("published") or dated.published
        fields["outlet"] = meta.get("outlet") or dated.outlet
    result = _record(fields, id, id, None)
    if isinstance(result, Reject):
        raise RecordError(result.location, result.reason)
    return replace(result, location="")
