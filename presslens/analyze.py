"""`analyze` and `analyze_many`: text in, `presslens/1` articles out."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.language import Language

from . import nlp as nlp_module
from .convert import doc_parts, merge_parts
from .errors import Warnings
from .inputs import record_from_text
from .models import Article, Record, Reject

log = logging.getLogger("presslens")

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")


@dataclass(frozen=True)
class Options:
    """How articles are analysed. One frozen object instead of many keyword arguments."""

    model: str | None = None  # spaCy pipeline name; None: the default English pipeline
    batch_size: int = 16  # Docs per nlp.pipe batch
    max_chars: int = 100_000  # longer articles are analysed in parts of at most this size


def split_parts(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Cut `text` into `(start, end)` parts of at most `max_chars`, at paragraph breaks if possible.

    Falls back to the last sentence end, then the last space, then a hard cut, so no text is lost.
    """
    if len(text) <= max_chars:
        return [(0, len(text))]
    parts, start = [], 0
    while len(text) - start > max_chars:
        window = text[start : start + max_chars]
        cut = max((m.end() for m in _PARAGRAPH_BREAK.finditer(window)), default=0)
        if cut < max_chars // 4:
            cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! ")) + 2
        if cut < max_chars // 4:
            cut = window.rfind(" ") + 1
        if cut < max_chars // 4:
            cut = max_chars
        parts.append((start, start + cut))
        start += cut
    parts.append((start, len(text)))
    return parts


def analyze_many(
    records: Iterable[Record | Reject], options: Options | None = None, nlp: Language | None = None
) -> Iterator[Article | Reject]:
    """Analyse `records` in batches with `nlp.pipe`, yielding one `Article` per record, in order.

    `records` may hold `Reject`s too, as `inputs.iter_records` yields them: they are passed
    through (as soon as they are read, so not in order with the articles), which lets one loop
    write articles and rejects:

        for item in analyze_many(iter_records(["news/"])): ...
    """
    options = options or Options()
    nlp = nlp or nlp_module.load(options.model)
    model = f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')}-{nlp.meta.get('version', '')}"
    pending: list[tuple[Record, list[tuple[int, int]]]] = []
    rejects: list[Reject] = []

    def docs() -> Iterator:
        for record in records:
            if isinstance(record, Reject):
                rejects.append(record)
                continue
            bounds = split_parts(record.text, options.max_chars)
            pending.append((record, bounds))
            for start, end in bounds:
                doc = nlp.make_doc(record.text[start:end])
                doc._.published = record.published
                yield doc

    parts: list = []
    for doc in nlp.pipe(docs(), batch_size=options.batch_size):
        while rejects:
            yield rejects.pop(0)
        record, bounds = pending[0]
        parts.append(doc_parts(doc, shift=bounds[len(parts)][0]))
        if len(parts) < len(bounds):
            continue
        pending.pop(0)
        entities, statements, times = merge_parts(parts) if len(parts) > 1 else parts[0]
        warnings = list(record.warnings)
        for warning in warnings:
            log.warning("%s: %s", record.location or record.id, warning)
        if len(parts) > 1:
            warnings.append(Warnings.W001.format(chars=len(record.text), max_chars=options.max_chars, parts=len(parts)))
            log.warning("%s: %s", record.location or record.id, warnings[-1])
        parts = []
        yield Article(
            id=record.id,
            text=record.text,
            outlet=record.outlet,
            published=record.published,
            title=record.title,
            url=record.url,
            entities=entities,
            statements=statements,
            times=times,
            warnings=warnings,
            model=model,
        )
    yield from rejects


def analyze(
    text: str,
    *,
    id: str = "article",
    outlet: str | None = None,
    published: str | None = None,
    title: str | None = None,
    url: str | None = None,
    options: Options | None = None,
) -> Article:
    """Analyse one article. A dateline header (`date 2020-09-15 Outlet - body`) is recognised.

    >>> article = analyze('date 2020-09-15 Example News - "We will win," she said.')

    Raises `RecordError` when the text is empty or the date impossible.
    """
    record = record_from_text(text, id=id, outlet=outlet, published=published, title=title, url=url)
    article = next(analyze_many([record], options))
    assert isinstance(article, Article)
    return article
