"""Where analysis runs: the `Executor` seam between ingest and the NLP workers, and the one
process pool (`LocalExecutor`) behind both `ingest --workers` and `analyze_many(n_process=...)`.

Ingest hands an executor batches of `Record`s and gets back, per batch, plain dicts (the
`presslens/1` article and its MinHash signature, or a reject). Nothing in a result refers to
the spaCy Doc, so another executor (a Ray cluster working through shards) can replace the local
one without touching the store or the dedup logic. `analyze_many` runs `analyze_articles` in
the same pool instead of `analyze_batch`, and takes the results back in input order.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any, Protocol

from ..errors import Errors, PresslensError
from ..options import Options
from ..types import Article, Record, Reject

# analyze_batch: {"record": Record, "article": dict, "signature": bytes}; analyze_articles:
# {"record": Record, "article": Article}; either: {"record": Record, "reject": str}
Result = dict[str, Any]

_NLP = None  # the worker's pipeline, loaded once per worker process
_OPTIONS: Options | None = None
_LOAD_ERROR: PresslensError | None = None  # why the worker has no pipeline (no such model, ...)


class Executor(Protocol):
    """Analyses batches of records; yields each batch's results as soon as it is done (any order)."""

    def map(self, batches: Iterable[list[Record]]) -> Iterator[list[Result]]: ...

    def close(self) -> None: ...


def _init(options: Options, owner: int | None = None) -> None:
    global _NLP, _OPTIONS, _LOAD_ERROR
    from ..pipeline import build

    _OPTIONS = options
    try:
        _NLP = build.load(options.model, pipeline=options.pipeline)
    except PresslensError as exc:
        if owner is None:  # in this process: say it here
            raise
        # In a worker, an initializer that raises breaks the pool, which would be restarted and
        # every batch retried and rejected as a dead worker's ([E115]). The first batch raises
        # it instead, and the caller stops with the message (exit 2 from the CLI).
        _LOAD_ERROR = exc
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


def _loaded() -> None:
    if _LOAD_ERROR is not None:
        raise _LOAD_ERROR


def analyze_batch(batch: list[Record]) -> list[Result]:
    """Analyze one batch in this process (the pipeline loaded by `_init`). A record that makes
    the pipeline fail becomes a reject; the others of its batch are analyzed one by one."""
    from ..analyze import analyze_many
    from .dedup import signature

    def result(record: Record, item: Article | Reject) -> Result:
        if isinstance(item, Reject):  # analyze_many's own: a failed record, an article over its time budget
            return {"record": record, "reject": item.reason}
        article = item.to_dict()
        return {"record": record, "article": article, "signature": signature(article["text"])}

    _loaded()
    try:
        with _NLP.memory_zone():
            return [result(r, a) for r, a in zip(batch, analyze_many(batch, _OPTIONS, nlp=_NLP))]
    except Exception as exc:  # noqa: BLE001  (one bad record must not stop the run)
        if len(batch) == 1:
            return [{"record": batch[0], "reject": Errors.E114.format(error=f"{type(exc).__name__}: {exc}")}]
        return [res for r in batch for res in analyze_batch([r])]


def analyze_articles(batch: list[Record]) -> list[Result]:
    """What an `analyze_many(n_process=...)` worker runs on a batch: what `analyze_many` in one
    process does with it (the same batch through the same calls, so the same articles), with the
    `Article`s and rejects as they are."""
    from ..analyze import analyze_records

    _loaded()
    with _NLP.memory_zone():
        items = analyze_records(_NLP, batch, _OPTIONS)
    return [{"record": r, "article": a} if isinstance(a, Article) else {"record": r, "reject": a.reason}
            for r, a in zip(batch, items)]


class InProcessExecutor:
    """Analyses in the calling process (`workers=0`): no start-up cost, no parallelism."""

    def __init__(self, options: Options):
        _init(options)

    def map(self, batches: Iterable[list[Record]]) -> Iterator[list[Result]]:
        for batch in batches:
            yield analyze_batch(batch)

    def close(self) -> None:
        pass


class LocalExecutor:
    """A pool of `workers` processes, each loading the model once.

    Workers are replaced after `recycle_every` articles so memory stays flat over long runs, and
    at most `2 * workers` batches are in flight so reading never runs far ahead of analysis.

    A worker that dies (the out-of-memory killer, a crash in native code) breaks the pool: the
    pool is started again and every batch that was in flight is run again, alone; a batch that
    kills its worker again is split into its records, and a record that kills its worker alone
    becomes a reject ([E115]). `analyze` is what a worker runs on a batch: `analyze_batch` for
    ingest, `analyze_articles` for `analyze_many` (and the seam for tests).
    """

    def __init__(self, options: Options, workers: int | None = None, *, batch_size: int = 8,
                 recycle_every: int = 2000, analyze: Callable[[list[Record]], list[Result]] | None = None):
        self.workers = workers or os.cpu_count() or 1
        self.batch_size = batch_size
        self.options, self.recycle_every = options, recycle_every
        self.analyze = analyze or analyze_batch
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

    def map(self, batches: Iterable[list[Record]], *, ordered: bool = False) -> Iterator[list[Result]]:
        """Each batch's results, as one list, as soon as it is done; with `ordered`, in the order
        of `batches` (a finished batch waits for the ones before it, at most `4 * workers` of them)."""
        self._warming.join()
        pending: dict[Future, tuple[int, list[Record]]] = {}
        held: dict[int, list[Result]] = {}  # ordered: finished batches waiting for an earlier one
        after = 0  # ordered: the next batch to hand out
        window = 2 * self.workers
        it = enumerate(batches)
        exhausted = False

        def out(seq: int, results: list[Result]) -> Iterator[list[Result]]:
            nonlocal after
            if not ordered:
                yield results
                return
            held[seq] = results
            while after in held:
                yield held.pop(after)
                after += 1

        while True:
            while not exhausted and len(pending) < window and len(held) < 2 * window:
                item = next(it, None)
                if item is None:
                    exhausted = True
                else:
                    pending[self.pool.submit(self.analyze, item[1])] = item
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            suspects: list[tuple[int, list[Record]]] = []
            for fut in done:
                seq, batch = pending.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    suspects.append((seq, batch))
                    continue
                yield from out(seq, result)
            if suspects:  # a worker died: every batch still in flight fails with it
                for fut, (seq, batch) in list(pending.items()):
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        suspects.append((seq, batch))
                        continue
                    yield from out(seq, result)
                pending.clear()
                self._restart()
                for seq, batch in suspects:
                    yield from out(seq, self._alone(batch))

    def _alone(self, batch: list[Record]) -> list[Result]:
        """Run a batch that was in flight when a worker died alone; split one that kills its
        worker again, and reject a record that kills it alone."""
        try:
            return self.pool.submit(self.analyze, batch).result()
        except BrokenProcessPool as exc:
            self._restart()
            error = str(exc) or type(exc).__name__
        if len(batch) > 1:
            return [res for r in batch for res in self._alone([r])]
        return [{"record": batch[0], "reject": Errors.E115.format(error=error)}]

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def make_executor(options: Options, workers: int | None, *, batch_size: int = 8) -> Executor:
    if workers == 0:
        return InProcessExecutor(options)
    return LocalExecutor(options, workers, batch_size=batch_size)
