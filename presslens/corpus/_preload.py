"""Imported once by the forkserver that starts analysis workers (`ingest`, `analyze --workers`; see
executor.py): loads the pipeline there, so every worker, and every recycled worker, starts from a
fork that already has the model instead of loading it again."""

import os

import datasketch  # noqa: F401  (scipy: imported once, in the forkserver)

from ..pipeline import build as _nlp

try:
    _nlp.load(os.environ.get("PRESSLENS_WORKER_MODEL") or None, pipeline=os.environ.get("PRESSLENS_WORKER_PIPELINE") or "default")
except Exception:  # noqa: BLE001  (the worker loads it again and reports the error properly)
    pass
