"""`analyze` and `analyze_many`: text in, `presslens/1` articles out."""

from __future__ import annotations

import dataclasses
import itertools
import logging
import os
import re
import time
from collections import deque
from collections.abc import Iterable, Iterator

from spacy.language import Language

from .errors import Errors, RecordError, UsageError, Warnings
from .inputs.readers import record_from_text
from .options import Options
from .pipeline import build
from .pipeline.convert import doc_parts, merge_parts
from .types import Article, Record, Reject, Skip, content_text

log = logging.getLogger("presslens")

clock = time.monotonic  # the time budget's clock (tests replace it)

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")


_SENTENCE_END_OR_QUOTE = re.compile(r"[.?!][\"\u201d\u2019)]*\s+|[\"\u201c\u201d]")


def _sentence_end_outside_quotes(window: str) -> int:
    """Where the last sentence of `window` ends with no double quotation open (0: nowhere)."""
    straight, curly, best = False, 0, 0
    for m in _SENTENCE_END_OR_QUOTE.finditer(window):
        for ch in m.group():
            if ch == '"':
                straight = not straight
            elif ch == "\u201c":
                curly += 1
            elif ch == "\u201d":
                curly = max(0, curly - 1)
        if m.group()[0] in ".?!" and not straight and curly == 0:
            best = m.end()
    return best


def split_parts(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Cut `text` into `(start, end)` parts of at most `max_chars`, at paragraph breaks if possible.

    Falls back to the last sentence end where no quotation is open (a quotation cut in two loses
    its statement: both halves lack either the cue or the content), then the last sentence end,
    then the last space, then a hard cut, so no text is lost.
    """
    if len(text) <= max_chars:
        return [(0, len(text))]
    parts, start = [], 0
    while len(text) - start > max_chars:
        window = text[start : start + max_chars]
        cut = max((m.end() for m in _PARAGRAPH_BREAK.finditer(window)), default=0)
        if cut < max_chars // 4:
            cut = _sentence_end_outside_quotes(window)
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
    records: Iterable[Record | Reject | Skip | str],
    options: Options | None = None,
    nlp: Language | None = None,
    n_process: int = 1,
) -> Iterator[Article | Reject | Skip]:
    """Analyze `records` in batches with `nlp.pipe`, yielding one `Article` per record, in order.

    Plain strings are articles too, as `nlp.pipe` takes them (id `text-1`, `text-2`, ... by
    position; a dateline header is recognised); an empty one is a `Reject`.

    `records` may hold `Reject`s and `Skip`s too, as `inputs.iter_records` yields them: they are
    passed through (as soon as they are read, so not in order with the articles), which lets one
    loop write articles and rejects:

        for item in analyze_many(iter_records(["news/"])): ...

    A record that makes the pipeline fail becomes a `Reject` ([E114]) and the others go on. A
    batch holds at most `batch_size` records and `max_chars` characters, and the parts of a long
    article are analyzed one at a time, so memory follows the part size, not the article size.

    `n_process`, as in spaCy's `nlp.pipe`: 1 (or 0) analyzes in this process; more runs the
    batches in that many worker processes, each loading the pipeline `options` names once, and
    -1 in one per CPU core. The results are the same, in the same order, as with 1: each batch is
    the one this process would analyze, through the same calls. The pool is ingest's
    (`corpus.executor.LocalExecutor`): a worker that dies is replaced and its batches are run
    again, and a record that kills its worker twice is a `Reject` ([E115]). Workers load their
    own pipeline, so `nlp` goes with `n_process` 1 only ([E019]). As with spaCy, a script that
    starts workers does it under `if __name__ == "__main__":` (each worker imports the script).
    """
    processes = worker_count(n_process)
    options = options or Options()
    if processes > 1:
        if nlp is not None:
            raise UsageError(Errors.E019.format(n=n_process))
        yield from _analyze_in_workers(records, options, processes)
        return
    nlp = nlp or build.load(options.model, pipeline=options.pipeline)
    for batch, rejects in _batches(records, options):
        yield from rejects
        if batch:
            yield from analyze_records(nlp, batch, options)


def worker_count(n_process: int) -> int:
    """The processes `n_process` means: 0 and 1 this one (1), -1 one per CPU core, N > 1 N."""
    if n_process == -1:
        return os.cpu_count() or 1
    if n_process < -1:
        raise UsageError(Errors.E018.format(n=n_process))
    return max(n_process, 1)


def analyze_records(nlp: Language, batch: list[Record], options: Options) -> list[Article | Reject]:
    """One batch of records through `nlp`, one `Article` (or [E114] `Reject`) per record, in
    order: what `analyze_many` runs on each batch, in this process or in a worker."""
    # the articles say which tagger made them: the one in `nlp`, whatever `options` asked for
    options = dataclasses.replace(options, pipeline=nlp.meta.get("presslens_pipeline", options.pipeline))
    model = f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')}-{nlp.meta.get('version', '')}"
    try:
        return list(_analyze(nlp, batch, options, model))
    except Exception:  # noqa: BLE001  (find the record: one bad record must not stop the rest)
        return [_analyze_alone(nlp, record, options, model) for record in batch]


def _analyze_in_workers(records: Iterable[Record | Reject | Skip | str], options: Options,
                        processes: int) -> Iterator[Article | Reject | Skip]:
    """`analyze_many` over `processes` workers: the same batches, handed out in input order, with
    the rejects read before each batch handed out just before its articles, as in one process."""
    from .corpus.executor import LocalExecutor, analyze_articles

    before: deque[list[Reject | Skip]] = deque()  # per batch sent, the rejects that come first
    read: list[Reject | Skip] = []  # rejects read since the last batch sent

    def batches() -> Iterator[list[Record]]:
        for batch, rejects in _batches(records, options):
            read.extend(rejects)
            if batch:
                before.append(read[:])
                read.clear()
                yield batch

    feed = batches()
    first = next(feed, None)
    if first is None:  # nothing to analyze (no records, or rejects only): no workers to start
        yield from read
        return
    pool = LocalExecutor(options, processes, batch_size=options.batch_size, analyze=analyze_articles)
    try:
        for results in pool.map(itertools.chain([first], feed), ordered=True):
            yield from before.popleft()
            for res in results:
                if "article" in res:
                    yield res["article"]
                else:
                    record = res["record"]
                    yield Reject(record.location or record.id, res["reject"], record.id)
    finally:
        pool.close()
    yield from read


def _batches(records: Iterable[Record | Reject | Skip],
             options: Options) -> Iterator[tuple[list[Record], list[Reject | Skip]]]:
    """Groups of at most `batch_size` records and `max_chars` characters (a longer record goes
    alone), each with the rejects read since the previous group."""
    batch: list[Record] = []
    rejects: list[Reject | Skip] = []
    chars = 0
    for n, record in enumerate(records, 1):
        if isinstance(record, str):  # a plain text, as nlp.pipe takes them
            try:
                record = record_from_text(record, id=f"text-{n}")
            except RecordError as exc:
                record = Reject(exc.location, exc.reason, f"text-{n}")
        if isinstance(record, (Reject, Skip)):
            if batch:
                rejects.append(record)
            else:
                yield [], [record]
            continue
        if batch and (len(batch) >= options.batch_size or chars + len(record.text) > options.max_chars):
            yield batch, rejects
            batch, rejects, chars = [], [], 0
        batch.append(record)
        chars += len(record.text)
    if batch or rejects:
        yield batch, rejects


def _analyze(nlp: Language, batch: list[Record], options: Options, model: str) -> Iterator[Article | Reject]:
    planned = [(record, split_parts(record.text, options.max_chars)) for record in batch]

    def docs() -> Iterator:
        for record, bounds in planned:
            for start, end in bounds:
                doc = build.make_doc(nlp, record.text[start:end])
                doc._.published = record.published
                yield doc

    # One part at a time when the batch is one long article (its parts add up to more than
    # max_chars); otherwise the batch is at most max_chars characters in all.
    size = 1 if len(planned[0][1]) > 1 else options.batch_size
    todo = iter(planned)
    record, bounds = next(todo)
    parts: list = []
    started = clock()
    for doc in nlp.pipe(docs(), batch_size=size):
        parts.append(doc_parts(doc, shift=bounds[len(parts)][0]))
        if len(parts) < len(bounds):
            # only a long article has parts left here, and it is alone in its batch
            spent = clock() - started
            if options.time_budget and spent > options.time_budget:
                yield Reject(record.location or record.id, Errors.E118.format(
                    seconds=spent, part=len(parts), parts=len(bounds), chars=len(record.text),
                    budget=options.time_budget), record.id)
                return
            continue
        yield _article(record, parts, options, model)
        parts = []
        record, bounds = next(todo, (None, None))


def _analyze_alone(nlp: Language, record: Record, options: Options, model: str) -> Article | Reject:
    try:
        return next(_analyze(nlp, [record], options, model))
    except Exception as exc:  # noqa: BLE001  (a bad record is a Reject, never a crash)
        log.debug("analysis of %s failed", record.location or record.id, exc_info=True)
        return Reject(record.location or record.id, Errors.E114.format(error=f"{type(exc).__name__}: {exc}"),
                      record.id)


def _article(record: Record, parts: list, options: Options, model: str) -> Article:
    entities, statements, times = merge_parts(parts) if len(parts) > 1 else parts[0]
    for s in statements:
        s.text = content_text(record.text, s.content)
    warnings = list(record.warnings)
    for warning in warnings:
        log.warning("%s: %s", record.location or record.id, warning)
    if len(parts) > 1:
        warnings.append(Warnings.W001.format(chars=len(record.text), max_chars=options.max_chars, parts=len(parts)))
        log.warning("%s: %s", record.location or record.id, warnings[-1])
    return Article(
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
        origin=record.origin,
        pipeline=options.pipeline,
    )


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
    """Analyze one article. A dateline header (`date 2020-09-15 Outlet - body`) is recognised.

    >>> article = analyze('date 2020-09-15 Example News - "We will win," she said.')

    Raises `RecordError` when the text is empty or the date impossible, when the analysis fails
    on it ([E114]) or when it takes longer than `options.time_budget` ([E118]).
    """
    record = record_from_text(text, id=id, outlet=outlet, published=published, title=title, url=url)
    article = next(analyze_many([record], options))
    if isinstance(article, Reject):
        raise RecordError(article.location, article.reason)
    return article
