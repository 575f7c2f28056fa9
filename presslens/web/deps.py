"""What every route shares: the corpus call with a time limit, the templates, HTML-or-JSON errors."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio
from fastapi import HTTPException, Request
from fastapi.templating import Jinja2Templates

from ..errors import PresslensError

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))  # autoescape is on for .html
templates.env.globals["palette"] = range(10)


class QueryTimeout(Exception):
    """A corpus query ran past the server's `--timeout` and was interrupted."""

    def __init__(self, seconds: float):
        super().__init__(
            f"The query took longer than {seconds:g} s and was stopped. "
            "Narrow it: add a speaker, an outlet or a date range, or use fewer words."
        )


async def query(request: Request, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call `corpus.<method>(*args, **kwargs)` in a worker thread, stopped after the time limit.

    Calls on a shared connection are serialised (see `create_app`) and iterators are read to the
    end inside the worker, so no query runs on the event loop. DuckDB
    runs outside the GIL; on timeout `Corpus.interrupt()` stops the query running in that worker
    thread (it is not left to run on), and the request gets a 503 with a message saying what to do.
    """
    state = request.app.state
    corpus, timeout = state.corpus, state.query_timeout
    done = threading.Event()
    # `gate` makes "has the query started?" and "has the request given up?" one decision: either
    # the worker starts and the timeout sees it (and stops it), or the timeout comes first and the
    # worker never starts. Checked apart, a worker could pass its check just before the timeout
    # and start a query that nothing would stop.
    gate = threading.Lock()
    worker: list[int] = []  # the worker's thread id, once it has started
    cancelled = False

    lock = state.query_lock

    def call() -> Any:
        if lock is not None and not lock.acquire(timeout=timeout):
            raise QueryTimeout(timeout)  # still waiting for an earlier query
        try:
            with gate:
                if cancelled:  # the request timed out before this thread got to run
                    raise QueryTimeout(timeout)
                worker.append(threading.get_ident())
            result = getattr(corpus, method)(*args, **kwargs)
            if not isinstance(result, (list, dict, type(None))):
                result = list(result)
            return result
        finally:
            with gate:  # after this no interrupt of `_stop` can reach this thread's next query
                done.set()
            if lock is not None:
                lock.release()

    try:
        with anyio.fail_after(timeout):
            return await anyio.to_thread.run_sync(call, abandon_on_cancel=True)
    except TimeoutError:
        with gate:
            cancelled = True
            started = bool(worker)
        interrupt = getattr(corpus, "interrupt", None)
        if started and not done.is_set() and callable(interrupt):
            threading.Thread(target=_stop, args=(interrupt, worker[0], done, gate), daemon=True).start()
        raise QueryTimeout(timeout) from None
    except PresslensError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    except ValueError as exc:  # e.g. a search string the full-text index refuses
        raise HTTPException(status_code=400, detail=f"The query could not be run ({exc}). "
                                                    "Use plain words or a \"quoted phrase\".") from exc


def _stop(interrupt, thread: int, done: threading.Event, gate: threading.Lock, every: float = 0.05,
          limit: float = 600.0) -> None:
    """Interrupt the query of worker `thread` until that worker has ended. Once is not enough:
    on a loaded machine the time limit can pass while the worker is still opening its connection
    or has not started its query yet, and DuckDB drops an interrupt that no running query
    receives (the query then ran on for good). Each interrupt is sent under `gate`, which the
    worker takes to say it has ended: the thread, back in its pool, may run another request's
    query next, and no interrupt meant for this one may reach it."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with gate:
            if done.is_set():
                return
            interrupt(thread)
        done.wait(every)


_analyze_lock = threading.Lock()  # one analysis at a time: it is CPU-bound and shares one pipeline


class AnalyzeBusy(Exception):
    """More analyses are waiting than the server's `--analyze-queue` allows (a 503)."""

    def __init__(self, waiting: int):
        super().__init__(f"The server is busy analyzing ({waiting} articles are waiting). Try again in a few "
                         "seconds, or analyze many articles at once with `presslens analyze`.")


class AnalyzeQueue:
    """Where analyses wait: one runs at a time, in a thread of its own (anyio's limiter of 1), so
    waiting analyses hold no thread and reads always find one; beyond `size` waiting, a request
    is refused at once (503 with Retry-After) instead of queueing for minutes."""

    def __init__(self, size: int):
        self.size, self.waiting = size, 0
        self.limiter = anyio.CapacityLimiter(1)


async def analyze(request: Request, text: str, **kwargs: Any) -> dict:
    """`presslens.analyze` in the analysis thread; returns the `presslens/1` dict."""
    from ..analyze import analyze as analyze_article

    queue: AnalyzeQueue = request.app.state.analyze_queue
    if queue.waiting >= queue.size:
        raise AnalyzeBusy(queue.waiting)

    options = request.app.state.analyze_options

    def run() -> dict:
        with _analyze_lock:
            return analyze_article(text, options=options, **kwargs).to_dict()

    queue.waiting += 1
    try:
        return await anyio.to_thread.run_sync(run, limiter=queue.limiter)
    except PresslensError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    finally:
        queue.waiting -= 1


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def page(request: Request, name: str, context: dict, status_code: int = 200):
    """Render `templates/<name>` with the page's data and a link to its JSON twin."""
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def link(path: str, **params: Any) -> str:
    """`path?k=v&...` with empty parameters left out and everything URL-encoded."""
    kept = {k: v for k, v in params.items() if v not in (None, "", [])}
    return f"{path}?{urlencode(kept)}" if kept else path


def page_links(path: str, paging: dict, total: int, limit: int, offset: int, max_offset: int | None = None) -> dict:
    """first / prev / next / last links of a paged list (`paging`: the other parameters); no link
    past `max_offset`, the deepest offset the route accepts (the download has every row)."""
    def at(start: int) -> str | None:
        return link(path, **paging, offset=start or None) if max_offset is None or start <= max_offset else None

    last = max(total - 1, 0) // limit * limit
    return {"first": at(0) if offset > 0 else None,
            "prev": at(max(min(offset - limit, last), 0)) if offset > 0 else None,
            "next": at(offset + limit) if offset + limit < total else None,
            "last": at(last) if offset < last else None}


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


templates.env.globals["link"] = link


async def query_all(request: Request, *calls: tuple) -> list[Any]:
    """Run several `(method, args, kwargs)` corpus calls at once (each in its own worker thread;
    a read-only corpus opens a connection per call), results in the order given."""
    results: list[Any] = [None] * len(calls)

    async def one(i: int, method: str, args: tuple, kwargs: dict) -> None:
        results[i] = await query(request, method, *args, **kwargs)

    try:
        async with anyio.create_task_group() as tg:
            for i, (method, args, kwargs) in enumerate(calls):
                tg.start_soon(one, i, method, args, kwargs)
    except BaseExceptionGroup as group:  # the error handlers expect the first failure itself
        first = group.exceptions[0]
        while isinstance(first, BaseExceptionGroup):
            first = first.exceptions[0]
        raise first from None
    return results
