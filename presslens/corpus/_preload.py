"""Imported once by the forkserver that starts analysis workers (`ingest`, `analyze --workers`; see
executor.py): loads the pipeline there, so every worker, and every recycled worker, starts from a
fork that already has the model instead of loading it again."""

import os

# Before anything loads OpenMP: an OpenMP thread pool started here would be copied half-alive
# into every forked worker, and a worker whose pipeline differs from the one preloaded (another
# --pipeline in the same process) hung in its first parallel region while loading its judge
# (with LightGBM; the judges are now evaluated by presslens itself, attribution/trees.py, but a
# user's pipeline may load any OpenMP library). Each worker owns one core: one thread loses nothing.
os.environ["OMP_NUM_THREADS"] = "1"

from ..pipeline import torchless  # noqa: E402

torchless.import_spacy()  # this process is presslens's: thinc need not import torch here

import datasketch  # noqa: E402, F401  (scipy: imported once, in the forkserver)

from ..pipeline import build as _nlp  # noqa: E402

try:
    _nlp.load(os.environ.get("PRESSLENS_WORKER_MODEL") or None, pipeline=os.environ.get("PRESSLENS_WORKER_PIPELINE") or "default")
except Exception:  # noqa: BLE001  (the worker loads it again and reports the error properly)
    pass
