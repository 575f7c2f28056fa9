"""One view per page: a single async function computes the page's data once, and `page_view`
registers it twice, as the JSON route under `/api/` (the response model, in OpenAPI) and as
the HTML page (its template, hidden from OpenAPI), the way datasette renders one view as HTML
or `.json`.

    @page_view(router, "/relays", "/api/relays", template="relays.html", html=relays_html,
               response_model=responses.Relays, tags=["pages"], summary="...")
    async def relays(request: Request, since: dt.date | None = None, ...) -> dict: ...

The view's parameters are those of both routes (FastAPI reads them from the signature, so
validation, OpenAPI and the 422s are the view's own), except `download`: the JSON route's whole
list as a file, which the page links to instead of taking (the page is called with its default).
The view returns the JSON body, a `Result` when the page needs more than the body, or a
`Response` (a download), which is sent as it is.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from .deps import link, page, page_links
from .downloads import download_links

JSON_ONLY = ("download",)  # parameters of the JSON route only (see the module docstring)


@dataclass(frozen=True)
class Result:
    """A view's answer when the page needs more than the JSON body: `data` is the body (the
    response model), `extra` reaches `html` only (e.g. every row behind one page, for a chart)."""

    data: Any
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PageView:
    """One registered view: its two paths, its template and how the page adds to the data."""

    name: str
    html_path: str
    api_path: str
    template: str
    methods: tuple[str, ...]
    view: Callable
    html: Callable[[Any, dict, dict], dict]


registry: dict[str, PageView] = {}  # every view, by name (a test checks each has its two routes)


def page_view(router: APIRouter, html_path: str, api_path: str, *, template: str,
              html: Callable[[Any, dict, dict], dict], methods: tuple[str, ...] = ("GET",),
              **api: Any) -> Callable[[Callable], Callable]:
    """Register the decorated view as `api_path` (JSON; `api` are that route's FastAPI arguments:
    `response_model`, `tags`, `summary`, `responses`, ...) and `html_path` (the page).

    `html(data, params, extra)` returns the page's own context (charts, page and download
    links, `json_url`) beside `data`; `params` are the view's arguments, `extra` a `Result`'s.
    The routes are named `<view>_json` and `<view>_page`, which keeps OpenAPI's operationIds.
    """

    def register(view: Callable) -> Callable:
        spec = PageView(view.__name__, html_path, api_path, template, tuple(methods), view, html)
        known = registry.get(spec.name)
        # The name makes the route names and OpenAPI's operationIds, which must stay unique (the
        # same module registering again is a reload).
        if known is not None and known.view.__module__ != view.__module__:
            raise ValueError(f"A page view named {spec.name!r} is registered already, in {known.view.__module__}.")
        signature = inspect.signature(view, eval_str=True).replace(return_annotation=inspect.Signature.empty)
        request_arg = next((p.name for p in signature.parameters.values() if p.annotation is Request), None)
        if request_arg is None:
            raise TypeError(f"The view {spec.name!r} needs a `request: Request` parameter.")
        json_only = {p.name: p.default for p in signature.parameters.values() if p.name in JSON_ONLY}

        @functools.wraps(view)
        async def as_json(**kwargs: Any) -> Any:
            result = await view(**kwargs)
            return result.data if isinstance(result, Result) else result

        @functools.wraps(view)
        async def as_html(**kwargs: Any) -> Response:
            result = await view(**kwargs, **json_only)
            if isinstance(result, Response):
                return result
            data, extra = (result.data, result.extra) if isinstance(result, Result) else (result, {})
            params = {k: v for k, v in kwargs.items() if k != request_arg}
            return page(kwargs[request_arg], template, {"data": data, **html(data, params, extra)})

        as_json.__signature__ = signature
        as_html.__signature__ = signature.replace(
            parameters=[p for p in signature.parameters.values() if p.name not in json_only])
        as_json.page_view = as_html.page_view = spec  # which view a route renders (the tests read it)
        router.add_api_route(api_path, as_json, methods=list(methods), name=f"{spec.name}_json", **api)
        router.add_api_route(html_path, as_html, methods=list(methods), name=f"{spec.name}_page",
                             response_class=HTMLResponse, include_in_schema=False)
        registry[spec.name] = spec
        return view

    return register


def list_links(html_path: str, api_path: str, params: dict, total: int, limit: int, offset: int,
               default_limit: int, max_offset: int | None = None) -> dict:
    """The links of one page of a list: `pages` (first, prev, next, last), `downloads` (the whole
    list for `params`, the filters, as CSV, JSON and JSON Lines) and `json_url` (this page's JSON).
    A default `limit` stays out of the links."""
    paging = {**params, "limit": limit if limit != default_limit else None}
    return {"pages": page_links(html_path, paging, total, limit, offset, max_offset),
            "downloads": download_links(api_path, params),
            "json_url": link(api_path, **paging, offset=offset or None)}
