"""Reading web archives: WARC files as Common Crawl and CC-NEWS ship them, through FastWARC.

`iter_warc(name)` reads a `.warc` or `.warc.gz` (one gzip member per record, or one stream) from a
local path or any fsspec URL (`s3://...` with s3fs installed) and yields, for every record of
the file, exactly one of:

- a `Record`: an HTTP 200 `response` with an HTML page in which trafilatura finds an article
  in one of `languages` (default English). The URL is the record's `WARC-Target-URI`; text,
  title, published date and site name come from the page; the outlet is the site name the page
  gives, else the registered domain of the URL (tldextract, offline suffix list); the crawl date
  (`WARC-Date`), the record id and the identified language go into `Record.origin`.
- a `Skip` with its reason (`types.SKIP_REASONS`): `not-response` (request, metadata,
  warcinfo, revisit records), `http-status` (not 200), `not-html` (PDF, images, ...),
  `no-article` (trafilatura finds no main text: an empty page, a front page), `language`
  (the language is kept in `detail`), or `stored` (the caller already holds this record).
- a `Reject`: a truncated or corrupt record (E120-E123), named by file and byte offset.
  Reading goes on at the next record that can be found.

A record's location is `<file>@<offset>`, the byte offset at which the record starts (its gzip
member, in a `.warc.gz`): the key that makes ingest resumable per record.

Charset: the HTTP header's, else the page's `<meta charset>`, else UTF-8, else the best guess
of charset_normalizer (warning W004).
"""

from __future__ import annotations

import email.parser
import email.policy
import functools
import logging
import re
import zlib
from collections.abc import Container, Iterable, Iterator
from dataclasses import replace
from typing import BinaryIO
from urllib.parse import urlsplit

from ..errors import Errors, UsageError, Warnings
from ..types import Origin, Record, Reject, Skip

__all__ = ["SUFFIXES", "is_warc", "iter_warc", "looks_like_warc"]

SUFFIXES = (".warc", ".warc.gz")
LANGUAGES = ("en",)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_GZIP = b"\x1f\x8b\x08"
_STATUS = re.compile(rb"HTTP/\d(?:\.\d)?\s+(\d{3})")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_HTML_START = re.compile(rb"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_LANGUAGE_CHARS = 5000  # language identification reads the start of the text
_RESYNC_CHUNK = 1 << 20
_TRUNCATED = Errors.E120.split("]")[0] + "]"
# trafilatura warns about every page it finds nothing in ("discarding data"): a WARC has
# thousands; they are counted as `no-article` skips instead.
logging.getLogger("trafilatura").setLevel(logging.ERROR)


def is_warc(name: str) -> bool:
    """True when `name` (a path or URL) ends like a WARC file."""
    return name.lower().endswith(SUFFIXES)


def looks_like_warc(head: bytes) -> bool:
    """True when the first bytes of a file are a WARC record (plain or gzip)."""
    if head.startswith(_GZIP):
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith(b"WARC/")


def open_stream(name: str) -> BinaryIO:
    """A seekable binary stream of a local path or an fsspec URL."""
    if "://" in name and not name.startswith("file://"):
        try:
            import fsspec
        except ImportError as exc:
            raise UsageError(Errors.E015.format(path=name, problem="reading URLs needs fsspec "
                                                                   "(pip install fsspec s3fs)")) from exc
        try:
            return fsspec.open(name, "rb").open()
        except (ImportError, ValueError) as exc:
            raise UsageError(Errors.E015.format(path=name, problem=str(exc))) from exc
    return open(name.removeprefix("file://"), "rb")


# --- one record -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _domains():
    import tldextract

    # No suffix-list URLs: the snapshot shipped in the package, never a download at run time.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@functools.lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE)  # shipped in the package


def language(text: str) -> str:
    """The ISO 639-1 code of the language of `text` (py3langid, offline)."""
    return _identifier().classify(text[:_LANGUAGE_CHARS])[0]


def registered_domain(url: str | None) -> str | None:
    if not url:
        return None
    parts = _domains()(url)
    return parts.top_domain_under_public_suffix or parts.domain or None


def _http(block: bytes) -> tuple[int, dict[str, str], bytes] | None:
    """(status, headers with lower-case names, body) of an HTTP response, or None."""
    head, sep, body = block.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = block.partition(b"\n\n")
    status_line, _, fields = head.partition(b"\n")
    m = _STATUS.match(status_line)
    if not sep or m is None:
        return None
    message = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(fields)
    return int(m.group(1)), {k.lower(): str(v) for k, v in message.items()}, body


def _dechunk(body: bytes) -> bytes:
    out, pos = [], 0
    while True:
        end = body.index(b"\r\n", pos)
        size = int(body[pos:end].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(body[end + 2 : end + 2 + size])
        pos = end + 2 + size + 2


def _charset(value: str | None) -> str | None:
    m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", value or "", re.IGNORECASE)
    return m.group(1) if m else None


def decode_html(body: bytes, header_charset: str | None) -> tuple[str, str | None]:
    """The page as text and a warning when its charset had to be guessed."""
    meta = _META_CHARSET.search(body[:4096])
    for candidate in (header_charset, meta.group(1).decode("ascii") if meta else None, "utf-8"):
        if not candidate:
            continue
        try:
            return body.decode(candidate), None
        except (LookupError, UnicodeDecodeError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is None:
        return body.decode("utf-8", errors="replace"), Warnings.W004.format(
            detail="none detected: decoded as UTF-8, bad bytes replaced")
    return str(best), Warnings.W004.format(detail=f"detected {best.encoding}")


def _article(name: str, offset: int, record_id: str | None, uri: str | None, crawled: str | None,
             block: bytes, languages: Container[str]) -> Record | Reject | Skip:
    """What one complete `response` record holds."""
    from . import readers as inputs

    location = f"{name}@{offset}"
    http = _http(block)
    if http is None:
        return Reject(location, Errors.E122.format(file=name, offset=offset), record_id)
    status, headers, body = http
    if status != 200:
        return Skip(location, "http-status", str(status), record_id)
    ctype = headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in _HTML_TYPES and not (not ctype and _HTML_START.match(body[:1024])):
        return Skip(location, "not-html", ctype or "unknown", record_id)
    try:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = _dechunk(body)
        encoding = headers.get("content-encoding", "").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            body = zlib.decompress(body, wbits=47)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding not in ("", "identity"):
            return Reject(location, Errors.E123.format(file=name, offset=offset,
                                                       problem=f"cannot decode Content-Encoding {encoding!r}"),
                          record_id)
    except (ValueError, zlib.error) as exc:
        return Reject(location, Errors.E123.format(file=name, offset=offset,
                                                   problem=f"broken transfer or content encoding ({exc})"),
                      record_id)
    html, warning = decode_html(body, _charset(headers.get("content-type")))
    import trafilatura  # imported here: slow to import, and only web pages need it

    doc = trafilatura.bare_extraction(html, url=uri, with_metadata=True)
    text = (doc.text or "") if doc is not None else ""
    if not text.strip():
        return Skip(location, "no-article", None, record_id)
    lang = language(text)
    if lang not in languages:
        return Skip(location, "language", lang, record_id)
    outlet = doc.sitename
    host = (urlsplit(uri).hostname or "").lower() if uri else ""
    if not outlet or (host and outlet.lower() in host):  # trafilatura's fallback is the host name
        outlet = registered_domain(uri) or outlet
    try:
        published = inputs.normalise_date(doc.date)
    except ValueError:
        published = None  # a date trafilatura found but cannot be read is no reason to drop the page
    fields = {"id": record_id or location, "text": text, "title": doc.title, "published": published,
              "outlet": outlet, "url": uri}
    result = inputs._record(fields, location, record_id or location, warning)
    if isinstance(result, Record):
        result = replace(result, origin=Origin(name, offset, record_id, crawled, lang))
    return result


# --- the file -------------------------------------------------------------------------------


def _member_end(stream: BinaryIO, offset: int) -> tuple[int, bytes] | None:
    """Where the gzip member starting at `offset` ends, and what it holds; None when broken."""
    stream.seek(offset)
    z = zlib.decompressobj(wbits=31)
    out, read = [], 0
    while not z.eof:
        chunk = stream.read(_RESYNC_CHUNK)
        if not chunk:
            return None
        try:
            out.append(z.decompress(chunk))
        except zlib.error:
            return None
        read += len(chunk)
    return offset + read - len(z.unused_data), b"".join(out)


def _record_end(stream: BinaryIO, offset: int, gz: bool) -> int | None:
    """Where the record at `offset` ends when it ends where its Content-Length says (its block
    followed by the blank line that closes every record); None when it does not, so that it ate
    bytes of the record after it."""
    if gz:
        member = _member_end(stream, offset)
        if member is None:
            return None
        end, data = member
    else:
        stream.seek(offset)
        data = stream.read(64 * 1024)
    head, sep, _ = data.partition(b"\r\n\r\n")
    m = re.search(rb"\r\nContent-Length:\s*(\d+)", head, re.IGNORECASE)
    if not sep or m is None:
        return None
    size = len(head) + 4 + int(m.group(1))
    if gz:
        return end if data[size : size + 4] == b"\r\n\r\n" else None
    stream.seek(offset + size)
    return offset + size + 4 if stream.read(4) == b"\r\n\r\n" else None


def _next_record(stream: BinaryIO, start: int, gz: bool) -> int | None:
    """The offset of the first record that starts after `start`: a gzip member that decompresses
    to a WARC header (.warc.gz), or a `WARC/1.x` line (.warc). None when there is none."""
    marker = _GZIP if gz else b"WARC/1."
    pos = start
    while True:
        stream.seek(pos)
        chunk = stream.read(_RESYNC_CHUNK + len(marker))
        if not chunk:
            return None
        i = chunk.find(marker)
        while i >= 0:
            at = pos + i
            if gz:
                stream.seek(at)
                if looks_like_warc(stream.read(512)):
                    return at
            elif chunk[i : i + 10] in (b"WARC/1.0\r\n", b"WARC/1.1\r\n"):
                return at
            i = chunk.find(marker, i + 1)
        if len(chunk) <= len(marker):
            return None
        pos += len(chunk) - len(marker)


def iter_warc(name: str, *, stream: BinaryIO | None = None, done: Container[str] = frozenset(),
              languages: Iterable[str] = LANGUAGES) -> Iterator[Record | Reject | Skip]:
    """Every record of the WARC file `name` as a Record, Skip or Reject (see the module doc).

    `stream`: read from this seekable stream instead of opening `name`. `done`: locations
    (`name@offset`) already held by the caller: yielded as `Skip(reason="stored")` without
    being extracted again.
    """
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    languages = frozenset(languages)
    own = stream is None
    raw = open_stream(name) if own else stream
    try:
        gz = raw.read(3) == _GZIP
        base = 0
        while base is not None:
            raw.seek(base)
            # HTTP is parsed here, not by FastWARC: a block shorter than its Content-Length
            # (a truncated record) must be told apart from a record that is not HTTP.
            records = iter(ArchiveIterator(raw, parse_http=False))
            held = None  # (offset, result): yielded once the next record header reads cleanly
            try:
                for rec in records:
                    offset = rec.stream_pos  # from the start of the stream, wherever it was seeked to
                    if held is not None:
                        yield held[1]
                    held = (offset, _read(rec, name, offset, done, languages, WarcRecordType))
                if held is not None:
                    yield held[1]
                    if isinstance(held[1], Reject) and held[1].reason.startswith(_TRUNCATED):
                        # A record that ran to the end of the file may have swallowed the records
                        # after it (a wrong Content-Length): read on from the next one there is.
                        base = _next_record(raw, held[0] + 1, gz)
                        continue
                return
            except OSError as exc:
                # FastWARC stops at bytes it cannot read. The record before them may have eaten
                # the start of the next one (a wrong Content-Length): then that record is the bad one.
                bad = base
                if held is not None:
                    end = _record_end(raw, held[0], gz)
                    if end is None:
                        bad = held[0]
                    else:
                        yield held[1]
                        bad = end
                base = _next_record(raw, bad + 1, gz)
                resume = f"reading goes on at byte {base}" if base is not None else "nothing after it can be read"
                yield Reject(f"{name}@{bad}", Errors.E121.format(file=name, offset=bad, error=exc, resume=resume))
    finally:
        if own:
            raw.close()


def _read(rec, name: str, offset: int, done: Container[str], languages: Container[str],
          types) -> Record | Reject | Skip:
    record_id = (rec.record_id or "").strip("<>") or None
    location = f"{name}@{offset}"
    if location in done:
        return Skip(location, "stored", None, record_id)
    if rec.record_type != types.response:
        return Skip(location, "not-response", str(rec.record_type), record_id)
    declared = rec.headers.get("Content-Length")
    block = rec.reader.read()
    if declared is None or not declared.strip().isdigit() or len(block) < int(declared):
        return Reject(location, Errors.E120.format(file=name, offset=offset, declared=declared or "missing",
                                                   present=len(block)), record_id)
    crawled = rec.headers.get("WARC-Date")
    return _article(name, offset, record_id, rec.headers.get("WARC-Target-URI"), crawled, block, languages)
