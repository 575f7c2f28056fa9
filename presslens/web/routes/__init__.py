"""One module per page; each defines the HTML page and its JSON twin under `/api/`."""

from . import analyze, articles, docs, overview, search, relays, speakers

routers = [overview.router, search.router, speakers.router, articles.router, relays.router, analyze.router,
           docs.router]
