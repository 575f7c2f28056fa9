"""Builds small WARC files as CC-NEWS ships them (one gzip member per record), for the tests and
benchmarks/scale.py. Records are written by hand from the WARC 1.0 format, so the reader is
tested against bytes it did not write itself."""

from __future__ import annotations

import gzip
import html
import uuid
from pathlib import Path

CRAWLED = "2024-03-02T10:15:00Z"


def record(warc_type: str, uri: str, block: bytes, *, date: str = CRAWLED, record_id: str | None = None,
           content_type: str | None = None) -> bytes:
    """One WARC record: header, block, and the blank line that closes it."""
    rid = record_id or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, warc_type + uri)}"
    ctype = content_type or f"application/http; msgtype={'request' if warc_type == 'request' else 'response'}"
    head = (f"WARC/1.0\r\nWARC-Type: {warc_type}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: {date}\r\n"
            f"WARC-Record-ID: <{rid}>\r\nContent-Type: {ctype}\r\nContent-Length: {len(block)}\r\n\r\n")
    return head.encode("utf-8") + block + b"\r\n\r\n"


def response(uri: str, body: bytes, *, status: int = 200, content_type: str = "text/html; charset=utf-8",
             headers: tuple[str, ...] = (), **kw) -> bytes:
    reason = {200: "OK", 404: "Not Found", 301: "Moved Permanently"}.get(status, "Status")
    head = f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
    head += "".join(h + "\r\n" for h in headers)
    return record("response", uri, head.encode("latin-1") + b"\r\n" + body, **kw)


def request(uri: str) -> bytes:
    host = uri.split("/")[2]
    return record("request", uri, f"GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: test\r\n\r\n".encode())


def metadata(uri: str) -> bytes:
    return record("metadata", uri, b"fetchTimeMs: 120\r\n", content_type="application/warc-fields")


def page(title: str, text: str, *, site: str | None = None, published: str | None = None,
         lang: str = "en", charset: str = "utf-8") -> bytes:
    """An article page: one <p> per paragraph of `text`, og:site_name and a publication date."""
    meta = f'<meta charset="{charset}">'
    if site:
        meta += f'<meta property="og:site_name" content="{html.escape(site)}">'
    if published:
        meta += f'<meta property="article:published_time" content="{published}">'
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())
    doc = (f'<!DOCTYPE html><html lang="{lang}"><head>{meta}<title>{html.escape(title)}</title></head><body>'
           f'<nav><a href="/">Home</a> <a href="/news">News</a></nav><article><h1>{html.escape(title)}</h1>'
           f"{paras}</article><footer>Copyright</footer></body></html>")
    return doc.encode(charset)


def write(path: Path, records: list[bytes], *, gz: bool = True, truncate_last: int = 0) -> list[int]:
    """Write `records` to `path` (one gzip member each when `gz`); cut the last one short by
    `truncate_last` bytes. Returns each record's byte offset."""
    offsets, pos = [], 0
    with open(path, "wb") as f:
        for n, rec in enumerate(records):
            data = gzip.compress(rec, mtime=0) if gz else rec
            if truncate_last and n == len(records) - 1:
                data = data[:-truncate_last]
            offsets.append(pos)
            f.write(data)
            pos += len(data)
    return offsets
