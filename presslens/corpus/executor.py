"""Where analysis runs: the `Executor` seam between ingest and the NLP workers.

Ingest hands an executor batches of `Record`s and gets back, per batch, plain dicts (the
`presslens/1` article and its MinHash signature, or a reject). Nothing in a result refers to
the spaCy Doc, so another executor (a Ray cluster working through shards) can replace the local
one without touching the store or the dedup logic.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any, Protocol

from ..analyze import Options
from ..errors import Errors
from ..types import Record

Result = dict[str, Any]  # {"record": Record, "article": dict, "signature": bytes} or {"record", "reject"}

_NLP = None  # the worker's pipeline, loaded once per worker process
_OPTIONS: Options | None = None


class Executor(Protocol):
    """Analyses batches of records; yields each batch's results as soon as it is done (any order)."""

    def map(self, batches: Iterable[list[Record]]) -> Iterator[list[Result]]: ...

    def close(self) -> None: ...


def _init(options: Options, owner: int | None = None) -> None:
    global _NLP, _OPTIONS
    from ..pipeline import build

    _OPTIONS = options
    _NLP = build.load(options.model, pipeline=options.pipeline)
    if owner is not None:
        threading.Thread(target=_watch, args=(owner,), daemon=True).start()


def _watch(owner: int) -> None:
    """Exit when the ingest process is gone (killed with -9, it cannot tell its workers), so no
    worker is left waiting on a queue that nobody will ever write to."""
    while True:
        time.sleep(1.0)
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # the pid now belongs to someone else's process
            os._exit(1)


def _context(options: Options):
    """Workers fork from a forkserver that preloaded the pipeline: cheap to start and to recycle,
    and never a fork of the main process, whose DuckDB and tantivy threads make fork unsafe."""
    ctx = get_context("forkserver")
    os.environ["PRESSLENS_WORKER_MODEL"] = options.model or ""
    os.environ["PRESSLENS_WORKER_PIPELINE"] = options.pipeline
    ctx.set_forkserver_preload(["presslens.corpus._preload"])
    return ctx


def _ready() -> bool:
    return _NLP is not None


def analyse_batch(batch: list[Record]) -> list[Result]:
    """Analyse one batch in this process (the pipeline loaded by `_init`). A record that makes
    the pipeline fail becomes a reject; the others of its batch are analysed one by one."""
    from ..analyze import analyze_many
    from .dedup import signature

    try:
        with _NLP.memory_zone():
            articles = [a.to_dict() for a in analyze_many(batch, _OPTIONS, nlp=_NLP)]
        return [
            {"record": r, "article": a, "signature": signature(a["text"])} for r, a in zip(batch, articles)
        ]
    except Exception as exc:  # noqa: BLE001  (one bad record must not stop the run)
        if len(batch) == 1:
            return [{"record": batch[0], "reject": Errors.E114.format(error=f"{type(exc).__name__}: {exc}")}]
        return [res for r in batch for res in analyse_batch([r])]


class InProcessExecutor:
    """Analyses in the calling process (`workers=0`): no start-up cost, no parallelism."""

    def __init__(self, options: Options):
        _init(options)

    def map(self, batches: Iterable[list[Record]]) -> Iterator[list[Result]]:
        for batch in batches:
            yield analyse_batch(batch)

    def close(self) -> None:
        pass


class LocalExecutor:
    """A pool of `workers` processes, each loading the model once.

    Workers are replaced after `recycle_every` articles so memory stays flat over long runs, and
    at most `2 * workers` batches are in flight so reading never runs far ahead of analysis.

    A worker that dies (the out-of-memory killer, a crash in native code) breaks the pool: the
    pool is started again and every batch that was in flight is run again, alone; a batch that
    kills its worker again is split into its records, and a record that kills its worker alone
    becomes a reject ([E115]). `analyse` is what a worker runs on a batch (the seam for tests).
    """

    def __init__(self, options: Options, workers: int | None = None, *, batch_size: int = 8,
                 recycle_every: int = 2000, analyse: Callable[[list[Record]], list[Result]] | None = None):
        self.workers = workers or os.cpu_count() or 1
        self.batch_size = batch_size
        self.options, self.recycle_every = options, recycle_every
        self.analyse = analyse or analyse_batch
        self.restarts = 0
        self.pool = self._new_pool()
        # Start the workers now, from a thread (starting the forkserver blocks for a second):
        # they come up while ingest reads the store and its inputs.
        self._warming = threading.Thread(target=self._warm, daemon=True)
        self._warming.start()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=_context(self.options),
            initializer=_init,
            initargs=(self.options, os.getpid()),
            max_tasks_per_child=max(1, self.recycle_every // self.batch_size),
        )

    def _restart(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = self._new_pool()
        self.restarts += 1

    def _warm(self) -> None:
        for fut in [self.pool.submit(_ready) for _ in range(self.workers)]:
            fut.exception()

    def map(self, batches: Iterable[list[Record]]) -> Iterator[list[Result]]:
        self._warming.join()
        pending: dict[Future, list[Record]] = {}
        window = 2 * self.workers
        it = iter(batches)
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                batch = next(it, None)
                if batch is None:
                    exhausted = True
                else:
                    pending[self.pool.submit(self.analyse, batch)] = batch
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            suspects: deque[list[Record]] = deque()
            for fut in done:
                batch = pending.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    suspects.append(batch)
                    continue
                yield result
            if suspects:  # a worker died: every batch still in flight fails with it
                for fut, batch in list(pending.items()):
                    try:
                        yield fut.result()
                    except BrokenProcessPool:
                        suspects.append(batch)
                pending.clear()
                self._restart()
                yield from self._isolate(suspects)

    def _isolate(self, suspects: deque[list[Record]]) -> Iterator[list[Result]]:
        """Run each batch that was in flight when a worker died alone; split one that kills its
        worker again, and reject a record that kills it alone."""
        while suspects:
            batch = suspects.popleft()
            try:
                yield self.pool.submit(self.analyse, batch).result()
                continue
            except BrokenProcessPool as exc:
                self._restart()
                error = str(exc) or type(exc).__name__
            if len(batch) > 1:
                suspects.extendleft([r] for r in reversed(batch))
            else:
                yield [{"record": batch[0], "reject": Errors.E115.format(error=error)}]

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def make_executor(options: Options, workers: int | None, *, batch_size: int = 8) -> Executor:
    if workers == 0:
        return InProcessExecutor(options)
    return LocalExecutor(options, workers, batch_size=batch_size)
