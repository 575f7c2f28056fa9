"""`create_app`: the read-only web interface and REST API over a presslens corpus."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..about import __version__
from ..options import Options
from .deps import HERE, AnalyzeBusy, AnalyzeQueue, QueryTimeout, page, templates, wants_json
from .routes import routers

log = logging.getLogger("presslens.web")

MAX_UPLOAD = 2 * 1024 * 1024  # bytes; `presslens serve --max-upload`
QUERY_TIMEOUT = 5.0  # seconds; `presslens serve --timeout`
BODY_TIMEOUT = 30.0  # seconds a client may take to send a request body (then a 408)
ANALYZE_QUEUE = 8  # analyses queued, the running one included; `presslens serve --analyze-queue`
ANALYZE_BUDGET = 60.0  # seconds one pasted article may take (then a 400, E118); `presslens serve --analyze-budget`
LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]", "::1"]

# Scripts only from this server (no inline script can run, even if escaping ever failed);
# Swagger UI on /docs needs inline styles.
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'{extra}; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY")]


def create_app(
    corpus: Any,
    *,
    max_upload: int = MAX_UPLOAD,
    query_timeout: float = QUERY_TIMEOUT,
    allowed_hosts: list[str] | None = None,
    analyze_queue: int = ANALYZE_QUEUE,
    body_timeout: float = BODY_TIMEOUT,
    analyze_budget: float | None = ANALYZE_BUDGET,
    pipeline: str = "default",
) -> FastAPI:
    """The app over `corpus`: a path to a corpus file (opened read-only) or an open `presslens.Corpus`.

    `allowed_hosts` are the Host headers accepted (default: loopback names only, which stops
    DNS-rebinding pages from reading a local corpus); `["*"]` accepts any. `analyze_budget`:
    the seconds one analysis may hold the analysis thread (None: no limit), checked between the
    parts of a long text as `Options.time_budget` is. `pipeline`: the `--pipeline` that the
    Analyze page and `POST /api/analyze` run (about.PIPELINES, checked by `Options`; the corpus is
    shown as stored).
    """
    analyze_options = Options(time_budget=analyze_budget, pipeline=pipeline)  # before the corpus opens: it may refuse
    opened = None
    if isinstance(corpus, (str, Path)):
        from ..corpus import Corpus

        corpus = opened = Corpus(corpus, read_only=True)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        if opened is not None and hasattr(opened, "close"):
            opened.close()

    app = FastAPI(
        title="presslens",
        version=__version__,
        summary="Who said what, about whom, when, and according to whom: a read-only news corpus.",
        description="Every HTML page has a JSON twin under `/api/`. The server never writes to the corpus.",
        docs_url=None,  # our own /docs page serves the vendored Swagger UI
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.corpus = corpus
    app.state.max_upload = max_upload
    app.state.query_timeout = query_timeout
    app.state.analyze_queue = AnalyzeQueue(analyze_queue)
    app.state.analyze_options = analyze_options
    # A read-only Corpus opens a connection per call, so calls may run side by side; anything
    # else (one shared DuckDB connection) is called one thread at a time.
    app.state.query_lock = None if getattr(corpus, "read_only", False) else threading.Lock()
    for router in routers:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _add_error_handlers(app)
    # The last added runs first: security headers on every response, the 413 included; the body
    # limit holds before any route or parser reads the body.
    app.add_middleware(BodyLimit, max_bytes=max_upload, timeout=body_timeout)
    app.add_middleware(KnownHosts, allowed_hosts=allowed_hosts or LOCAL_HOSTS)
    app.add_middleware(SecurityHeaders)
    return app


def error_body(status: int, message: str) -> dict:
    """The one shape of every JSON error (`responses.Error`)."""
    return {"error": {"status": status, "message": message}}


def _error(request: Request, status: int, message: str, headers: dict | None = None):
    if wants_json(request):
        return JSONResponse(error_body(status, message), status_code=status, headers=headers)
    return page(request, "error.html", {"status": status, "message": message, "json_url": None},
                status_code=status)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"Nothing at {request.url.path}."
        return _error(request, exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def bad_input(request: Request, exc: RequestValidationError):
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'input'}: {e.get('msg')}" for e in exc.errors()
        )
        return _error(request, 422, f"Bad input: {problems}.")

    @app.exception_handler(QueryTimeout)
    async def timeout(request: Request, exc: QueryTimeout):
        return _error(request, 503, str(exc), {"Retry-After": "5"})

    @app.exception_handler(AnalyzeBusy)
    async def busy(request: Request, exc: AnalyzeBusy):
        return _error(request, 503, str(exc), {"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception):
        log.exception("error serving %s", request.url.path)
        return _error(request, 500, f"Internal error ({type(exc).__name__}); see the server log.")


class BodyLimit:
    """413 for request bodies over `max_bytes`, by Content-Length or by counting what arrives;
    408 for a body that takes longer than `timeout` seconds to arrive (a slow or stalled client
    would otherwise hold its connection and request for ever).

    Bodies are at most `max_bytes` (2 MB by default), so buffering them whole is cheap and lets
    the limit hold before any parser, form or JSON, sees a byte.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float = BODY_TIMEOUT):
        self.app, self.max_bytes, self.timeout = app, max_bytes, timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await self._too_large(scope, receive, send)
        chunks, size = [], 0
        with anyio.move_on_after(self.timeout) as waited:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                size += len(message.get("body", b""))
                if size > self.max_bytes:
                    return await self._too_large(scope, receive, send)
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    break
        if waited.cancelled_caught:
            return await self._reply(scope, receive, send, 408,
                                     f"The request body did not arrive within {self.timeout:g} s. Send it again.")
        body, sent = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        mb = self.max_bytes / (1024 * 1024)
        message = (f"The upload is larger than this server's limit of {mb:g} MB "
                   f"({self.max_bytes:,} bytes). Send a smaller file, or start the server with a "
                   "larger --max-upload.")
        await self._reply(scope, receive, send, 413, message)

    async def _reply(self, scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
        response = _bare_error(scope, status, message)
        response.headers["connection"] = "close"  # the rest of the body is not read
        await response(scope, receive, send)


def _bare_error(scope: Scope, status: int, message: str):
    """The error a middleware sends (before any route or handler runs), in the app's one shape."""
    if scope["path"].startswith("/api/") or scope["path"] == "/openapi.json":
        return JSONResponse(error_body(status, message), status_code=status)
    html = templates.get_template("error.html").render(status=status, message=message, json_url=None)
    return HTMLResponse(html, status_code=status)


class KnownHosts(TrustedHostMiddleware):
    """Starlette's Host check, answering a refused Host with the app's error (JSON on `/api/`,
    the error page elsewhere) instead of Starlette's plain-text "Invalid host header"."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allow_any or scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        host = Headers(scope=scope).get("host", "").split(":")[0]
        if any(host == p or (p.startswith("*") and host.endswith(p[1:])) for p in self.allowed_hosts):
            return await self.app(scope, receive, send)
        message = (f"This server answers only for {', '.join(self.allowed_hosts)}, not for the host "
                   f"{host!r}. Open it at one of those names, or start it with `presslens serve --host`.")
        await _bare_error(scope, 400, message)(scope, receive, send)


class SecurityHeaders:
    """Content-Security-Policy and friends on every response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        csp = _CSP.format(extra=" 'unsafe-inline'" if scope["path"] == "/docs" else "").encode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"content-security-policy", csp), *_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def serve(
    corpus: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    max_upload: int = MAX_UPLOAD,
    query_timeout: float = QUERY_TIMEOUT,
    analyze_queue: int = ANALYZE_QUEUE,
    analyze_budget: float | None = ANALYZE_BUDGET,
    pipeline: str = "default",
) -> None:
    """Serve `corpus` (read-only) with uvicorn until interrupted. Loopback only unless `host` says otherwise."""
    import uvicorn

    local = host in LOCAL_HOSTS
    if not local:
        log.warning("binding %s: anyone who can reach this address can read the "
                    "corpus (the server has no authentication)", host)
    app = create_app(corpus, max_upload=max_upload, query_timeout=query_timeout, analyze_queue=analyze_queue,
                     analyze_budget=analyze_budget, allowed_hosts=None if local else ["*"], pipeline=pipeline)
    if open_browser:
        import webbrowser

        url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
        threading.Timer(1.0, webbrowser.open, [url]).start()
    uvicorn.run(app, host=host, port=port, log_level="info")
