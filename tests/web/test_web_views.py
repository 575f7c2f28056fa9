"""Each page is one view (issue 11 §3, fault 12): one function computes the page's data, and
`views.page_view` registers it as the HTML page and as its JSON twin under `/api/`, instead of
twin functions that could drift apart."""

from __future__ import annotations

import inspect
import re

from fastapi.responses import HTMLResponse

from presslens.web import create_app, views
from presslens.web.routes import routers

from .conftest import Client

PAGES = {  # view: (page, JSON twin)
    "overview": ("/", "/api/overview"),
    "search": ("/search", "/api/search"),
    "speakers": ("/speakers", "/api/speakers"),
    "speaker": ("/speakers/{name:path}", "/api/speakers/{name:path}"),
    "article": ("/articles/{article_id:path}", "/api/articles/{article_id:path}"),
    "relays": ("/relays", "/api/relays"),
    "analyze": ("/analyze", "/api/analyze"),
}


def _routes_by_view() -> dict[str, list]:
    found: dict[str, list] = {}
    for router in routers:
        for route in router.routes:
            spec = getattr(route.endpoint, "page_view", None)
            if spec is not None:
                found.setdefault(spec.name, []).append(route)
    return found


def test_every_page_is_one_view_with_one_html_and_one_json_route():
    assert {name: (v.html_path, v.api_path) for name, v in views.registry.items()} == PAGES
    found = _routes_by_view()
    assert set(found) == set(PAGES)
    for name, spec in views.registry.items():
        assert len(found[name]) == 2, [r.path for r in found[name]]
        (api,) = [r for r in found[name] if r.include_in_schema]
        (html,) = [r for r in found[name] if not r.include_in_schema]
        assert api.path == spec.api_path and api.name == f"{name}_json" and api.response_model is not None
        assert html.path == spec.html_path and html.name == f"{name}_page" and html.response_class is HTMLResponse
        assert api.methods == html.methods == set(spec.methods)
        assert inspect.unwrap(api.endpoint) is inspect.unwrap(html.endpoint) is spec.view  # one function
    # no JSON route outside the views: every /api/ path is a page's twin
    assert {r.path for router in routers for r in router.routes if r.path.startswith("/api/")} == \
        {api for _, api in PAGES.values()}


def test_both_routes_take_the_views_parameters_the_page_all_but_the_download():
    for name, routes in _routes_by_view().items():
        view = inspect.signature(views.registry[name].view).parameters
        for route in routes:
            taken = inspect.signature(route.endpoint).parameters
            expected = [p for p in view if route.include_in_schema or p not in views.JSON_ONLY]
            assert list(taken) == expected, (route.path, list(taken))


class _NoCorpus:
    """The OpenAPI document does not read the corpus."""

    read_only = True


def test_openapi_keeps_every_api_route_with_the_views_parameters():
    doc = Client(create_app(_NoCorpus())).get("/openapi.json").json()
    paths = {api.replace(":path}", "}"): name for name, (_, api) in PAGES.items()}
    assert set(doc["paths"]) == set(paths)
    for path, name in paths.items():
        (method,) = views.registry[name].methods
        op = doc["paths"][path][method.lower()]
        assert op["operationId"] == re.sub(r"\W", "_", f"{name}_json{path}") + f"_{method.lower()}"  # as before
        assert op["summary"] and op["description"] == inspect.cleandoc(views.registry[name].view.__doc__)
        assert "$ref" in str(op["responses"]["200"]) and "500" in op["responses"]
        params = [p for p in inspect.signature(views.registry[name].view).parameters if p != "request"]
        assert [p["name"] for p in op.get("parameters", [])] == params
    # the page routes stay out of the document
    assert not {html for html, _ in PAGES.values()} & set(doc["paths"])
