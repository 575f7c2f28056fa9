"""Inputs: files, folders, globs, URLs and standard input to `Record`s, `Reject`s and `Skip`s.

`readers` reads every format (dateline text, `.txt`, JSON Lines, JSON, CSV/TSV, HTML, WARC);
`warc` holds what is particular to web archives (FastWARC, truncation and resync, charsets,
outlet and language); `metadata` joins a metadata file (outlet, published, url, title) to the
records by id or file name. Nothing here imports spaCy.
"""

from .readers import FORMATS, iter_records, normalise_date, parse_dateline, parse_mapping, record_from_text

__all__ = ["FORMATS", "iter_records", "normalise_date", "parse_dateline", "parse_mapping", "record_from_text"]
