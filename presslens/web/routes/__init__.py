"""One module per page; each defines the HTML page and its JSON twin under `/api/`."""

from . import analyze, articles, docs, overview, search, sources, speakers

routers = [overview.router, search.router, speakers.router, articles.router, sources.router, analyze.router,
           docs.router]
