"""One module per page; each page is one view (`views.page_view`): the HTML page and its JSON twin
under `/api/` from one function."""

from . import analyze, articles, docs, overview, search, relays, speakers

routers = [overview.router, search.router, speakers.router, articles.router, relays.router, analyze.router,
           docs.router]
