"""`presslens serve`: a read-only web interface and REST API over a corpus.

    >>> from presslens.web import create_app
    >>> app = create_app("corpus.duckdb")  # then: uvicorn.run(app, host="127.0.0.1")
"""

from .app import create_app, serve

__all__ = ["create_app", "serve"]
