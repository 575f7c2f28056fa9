"""Article: the text with every statement highlighted, and who said what."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request

from ...corpus import schemas
from ...corpus.export import article_rows
from .. import responses
from ..deps import query
from ..downloads import Download, download_links, rows_file
from ..render import article_view
from ..views import page_view

router = APIRouter()


def article_html(article: dict, params: dict, extra: dict) -> dict:
    api = f"/api/articles/{quote(params['article_id'])}"
    return {"article": article, "view": article_view(article), "stored": True,
            "downloads": download_links(api, {}), "json_url": api}


@page_view(router, "/articles/{article_id:path}", "/api/articles/{article_id:path}", template="article.html",
           html=article_html, tags=["pages"], summary="One article as presslens/1 JSON",
           response_model=responses.Article, response_model_exclude_unset=True,
           responses={**responses.downloads(), **responses.errors(400, 404, 422, 503)})
async def article(request: Request, article_id: str, download: Download = None):
    """The stored `presslens/1` article, as `presslens analyze` writes it. With `download=csv`,
    `json` or `jsonl`, its statements as rows (speaker, cue and content as text), the rows of
    `presslens article ID --format csv`."""
    found = await query(request, "article", article_id)
    if found is None:
        raise HTTPException(status_code=404, detail=f"No article with id {article_id!r} in this corpus.")
    if download:
        name = f"statements-{found['corpus']['article_id']}"
        return rows_file(article_rows(found), download, name, schemas.ARTICLE_STATEMENTS)
    return found
