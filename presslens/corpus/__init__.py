"""The DuckDB corpus: ingest (workers, dedup, resumable), a full-text index, queries, exports.

Modules: `store` (schema, the one writer), `executor` (where analysis runs), `ingest`,
`dedup` (MinHash/LSH stories), `search` (tantivy), `queries`, `export`, `api` (`Corpus`).
"""

from .api import Corpus
from .ingest import IngestReport

__all__ = ["Corpus", "IngestReport"]
