"""Article: the text with every statement highlighted, and who said what."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from ...corpus import schemas
from ...corpus.export import article_rows
from .. import responses
from ..deps import page, query
from ..downloads import Download, download_links, rows_file
from ..render import article_view

router = APIRouter()


async def article_data(request: Request, article_id: str) -> dict:
    article = await query(request, "article", article_id)
    if article is None:
        raise HTTPException(status_code=404, detail=f"No article with id {article_id!r} in this corpus.")
    return article


@router.get("/api/articles/{article_id:path}", tags=["pages"], summary="One article as presslens/1 JSON",
            response_model=responses.Article, response_model_exclude_unset=True,
            responses={**responses.downloads(), **responses.errors(400, 404, 422, 503)})
async def article_json(request: Request, article_id: str, download: Download = None):
    """The stored `presslens/1` article, as `presslens analyze` writes it. With `download=csv`,
    `json` or `jsonl`, its statements as rows (speaker, cue and content as text), the rows of
    `presslens article ID --format csv`."""
    article = await article_data(request, article_id)
    if download:
        name = f"statements-{article['corpus']['article_id']}"
        return rows_file(article_rows(article), download, name, schemas.ARTICLE_STATEMENTS)
    return article


@router.get("/articles/{article_id:path}", response_class=HTMLResponse, include_in_schema=False)
async def article_page(request: Request, article_id: str):
    article = await article_data(request, article_id)
    return page(request, "article.html", {"article": article, "view": article_view(article), "stored": True,
                                          "downloads": download_links(f"/api/articles/{quote(article_id)}", {}),
                                          "json_url": f"/api/articles/{quote(article_id)}"})
