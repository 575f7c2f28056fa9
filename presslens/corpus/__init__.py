"""The DuckDB corpus: ingest (workers, dedup, resumable), a full-text index, queries, exports.

Modules: `store` (schema, the one writer), `executor` (where analysis runs), `ingest`,
`dedup` (MinHash/LSH stories), `search` (tantivy), `queries`, `export`, `api` (`Corpus`).
`Corpus` and `IngestReport` are imported when first used, so that importing a light module of
this package (`presslens.corpus.export` aside) does not load DuckDB and spaCy.
"""

from __future__ import annotations

import importlib
import typing

__all__ = ["Corpus", "IngestReport"]
_LAZY = {"Corpus": "api", "IngestReport": "ingest"}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'presslens.corpus' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


if typing.TYPE_CHECKING:
    from .api import Corpus
    from .ingest import IngestReport
