"""Read queries over the store. Each takes an open DuckDB connection (and the full-text index
for text search) and returns or yields plain dicts; `Corpus` wraps them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from ..errors import Errors, UsageError
from .search import Index

_QUOTE_SELECT = (
    "seq, article_id, statement_id, outlet, published, title, speaker, speaker_entity, kind, attribution, "
    "content, cue, according_to, confidence"
)
KINDS = ("direct", "mixed", "indirect")
PERIODS = ("day", "week", "month", "year")
# Runs of anything but letters and digits, as tantivy's default tokenizer (the index's speaker
# field) splits; SPEAKER_SQL uses the same classes (RE2's \W alone is ASCII-only).
_NONWORD = re.compile(r"[\W_]+")
FETCH = 2_000


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _dicts(cur, *, size: int = FETCH) -> Iterator[dict[str, Any]]:
    cols = [d[0] for d in cur.description]
    dated: list[int] | None = None  # columns holding dates, found on the first chunk
    while chunk := cur.fetchmany(size):
        if dated is None:
            dated = [i for i in range(len(cols)) if any(isinstance(r[i], date) for r in chunk)]
        for row in chunk:
            d = dict(zip(cols, row))
            for i in dated:
                d[cols[i]] = _plain(row[i])
            yield d


def _date(value: str | date | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        text = str(value)
        if len(text) == 4:
            text += "-01-01"
        elif len(text) == 7:
            text += "-01"
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(Errors.E303.format(name=name, value=value)) from None


def speaker_pattern(speaker: str) -> str:
    """A LIKE pattern matching a speaker name that contains `speaker` as whole words, in any case
    ("trump" finds "Donald Trump"), the way the index's phrase query on the speaker field does."""
    words = _NONWORD.sub(" ", speaker.lower()).strip()
    return f"% {words} %"


SPEAKER_SQL = "(' ' || trim(regexp_replace(lower(speaker), '[^\\pL\\pN]+', ' ', 'g')) || ' ') LIKE ?"


def _where(*, speaker=None, outlet=None, since=None, until=None, kind=None, prefix: str = "") -> tuple[str, list]:
    clauses, params = [], []
    if speaker:
        clauses.append(SPEAKER_SQL.replace("speaker", prefix + "speaker"))
        params.append(speaker_pattern(speaker))
    if outlet:
        clauses.append(f"lower({prefix}outlet) = ?")
        params.append(outlet.lower())
    if kind:
        if kind not in KINDS:
            raise UsageError(Errors.E304.format(value=kind, choices=", ".join(KINDS)))
        clauses.append(f"{prefix}kind = ?")
        params.append(kind)
    if since:
        clauses.append(f"{prefix}published >= ?")
        params.append(_date(since, "since"))
    if until:
        clauses.append(f"{prefix}published <= ?")
        params.append(_date(until, "until"))
    return (" AND ".join(clauses) or "TRUE"), params


def _fast(index: Index | None) -> bool:
    """Whether `index` can count facets and order by date (an index in the current format)."""
    return index is not None and index.current


def _index_query(index: Index, text: str | None, *, speaker=None, outlet=None, since=None, until=None, kind=None):
    return index.query(text, speaker=speaker, outlet=outlet, kind=kind, since=_date(since, "since"),
                       until=_date(until, "until"))


def _quote_rows(con, seqs_scores: list[tuple[int, float | None]]) -> list[dict[str, Any]]:
    """Statement rows for index hits, in hit order; hits no longer in the store drop out."""
    if not seqs_scores:
        return []
    cur = con.execute(
        f"SELECT {_QUOTE_SELECT} FROM statements WHERE seq IN (SELECT unnest(?::BIGINT[]))",
        [[s for s, _ in seqs_scores]],
    )
    by_seq = {row.pop("seq"): row for row in _dicts(cur)}
    out = []
    for seq, score in seqs_scores:
        row = by_seq.get(seq)
        if row is not None:
            row["according_to"] = list(row["according_to"] or [])
            row["score"] = None if score is None else round(score, 4)
            out.append(row)
    return out


def quotes(con, index: Index | None, text: str | None = None, *, limit: int | None = 50, offset: int = 0,
           **filters) -> list[dict[str, Any]]:
    """Statements matching `text` (BM25, best first) and the filters; without text, newest first."""
    if limit is None:
        return list(iter_quotes(con, index, text, offset=offset, **filters))
    if text and text.strip():
        if index is None:
            raise UsageError(Errors.E305)
        return _quote_rows(con, index.search(_index_query(index, text, **filters), limit=limit, offset=offset))
    if filters.get("speaker") and _fast(index):
        # The SQL speaker filter scans every statement; the index finds them by term and
        # orders them by its fast `day` field.
        seqs = index.by_date(_index_query(index, None, **filters), limit=limit, offset=offset)
        return _quote_rows(con, [(seq, None) for seq in seqs])
    return list(iter_quotes(con, None, None, limit=limit, offset=offset, **filters))


def iter_quotes(con, index: Index | None, text: str | None = None, *, limit: int | None = None, offset: int = 0,
                **filters) -> Iterator[dict[str, Any]]:
    """Every matching statement, streamed (no cap)."""
    if text and text.strip():
        if index is None:
            raise UsageError(Errors.E305)
        page: list[tuple[int, float]] = []
        query = _index_query(index, text, **filters)
        for i, hit in enumerate(index.iter_hits(query)):
            if i < offset:
                continue
            if limit is not None and i >= offset + limit:
                break
            page.append(hit)
            if len(page) >= FETCH:
                yield from _quote_rows(con, page)
                page = []
        yield from _quote_rows(con, page)
        return
    where, params = _where(**filters)
    if filters.get("speaker") and _fast(index):
        where, params = _seq_filter(index.seqs(_index_query(index, None, **filters)))
    sql = f"SELECT {_QUOTE_SELECT}, NULL AS score FROM statements WHERE {where} ORDER BY published DESC NULLS LAST, seq"
    if limit is not None:
        sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
    for row in _dicts(con.execute(sql, params)):
        row.pop("seq")
        row["according_to"] = list(row["according_to"] or [])
        yield row


def _seq_filter(seqs: list[int]) -> tuple[str, list]:
    """A WHERE clause for the statements numbered `seqs` (index hits), for DuckDB to order."""
    return "seq IN (SELECT unnest(?::BIGINT[]))", [seqs]


FACETS = {"speaker": "speaker_name", "outlet": "outlet_name", "kind": "kind", "month": "month"}


def quote_facets(con, index: Index | None, text: str | None = None, *, top: int | None = 20,
                 **filters) -> dict[str, list]:
    """Counts of the matching statements by speaker, outlet, kind and month (the top `top`
    speakers and outlets, most first, ties by value; every one with `top=None`; every month, in
    order). A statement without a value (no speaker, no outlet, undated) is in no bucket."""
    if top is not None and int(top) < 0:
        raise UsageError(Errors.E309.format(value=top))
    if _fast(index):
        counted = index.facets(_index_query(index, text, **filters), FACETS)
        facets = {}
        for name, pairs in counted.items():
            if name == "month":
                pairs.sort()
            else:
                pairs.sort(key=lambda p: (-p[1], p[0]))
                pairs = pairs if top is None else pairs[:int(top)]
            facets[name] = [{"value": v, "count": c} for v, c in pairs]
        return facets
    if text and text.strip():
        if index is None:
            raise UsageError(Errors.E305)
        seqs = [s for s, _ in index.iter_hits(_index_query(index, text, **filters))]
        con.execute("CREATE OR REPLACE TEMP TABLE _hits AS SELECT unnest(?::BIGINT[]) AS seq", [seqs])
        source = "(SELECT s.* FROM statements s JOIN _hits USING (seq))"
        where, params = "TRUE", []
    else:
        source = "statements"
        where, params = _where(**filters)
    facets = {}
    for name, expr in (("speaker", "speaker"), ("outlet", "outlet"), ("kind", "kind"),
                       ("month", "strftime(published, '%Y-%m')")):
        sql = (f"SELECT {expr} AS value, count(*) AS count FROM {source} WHERE {where} AND {expr} IS NOT NULL "
               f"GROUP BY ALL ORDER BY count DESC, value")
        if name != "month" and top is not None:
            sql += f" LIMIT {int(top)}"
        rows = [{"value": v, "count": c} for v, c in con.execute(sql, params).fetchall()]
        if name == "month":
            rows.sort(key=lambda r: r["value"])
        facets[name] = rows
    return facets


def speakers(con, *, by: str | None = None, since=None, until=None, outlet=None, limit: int | None = None) -> Iterator[dict]:
    """Who is quoted, how often, in how many articles and stories; per outlet with `by="outlet"`."""
    if by not in (None, "outlet"):
        raise UsageError(Errors.E306.format(value=by))
    where, params = _where(outlet=outlet, since=since, until=until)
    keys = "speaker, outlet" if by == "outlet" else "speaker"
    # Three plain GROUP BYs instead of count(DISTINCT ...): an article belongs to one story, so
    # counting groups level by level is exact, and DuckDB runs it faster than distinct counts.
    sql = (f"SELECT {keys}, sum(n)::BIGINT AS statements, sum(a)::BIGINT AS articles, count(*) AS stories FROM "
           f"(SELECT {keys}, story_id, sum(n) AS n, count(*) AS a FROM "
           f" (SELECT {keys}, story_id, article_id, count(*) AS n FROM statements "
           f"  WHERE speaker IS NOT NULL AND {where} GROUP BY ALL) GROUP BY ALL) "
           f"GROUP BY {keys} ORDER BY statements DESC, {keys}")
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return _dicts(con.execute(sql, params))


def sources(con, *, since=None, until=None) -> Iterator[dict]:
    """Who relays whom: for each outlet, the sources its statements are attributed through."""
    where, params = _where(since=since, until=until)
    sql = (f"SELECT outlet, source, count(*) AS statements FROM "
           f"(SELECT outlet, unnest(according_to) AS source FROM statements WHERE {where}) "
           f"GROUP BY outlet, source ORDER BY statements DESC, outlet, source")
    return _dicts(con.execute(sql, params))


TIMELINE_COLUMNS = "published, article_id, outlet, title, statement_id, kind, speaker, content"


def timeline(con, speaker: str, *, outlet=None, since=None, until=None, index: Index | None = None,
             limit: int | None = None, offset: int = 0) -> Iterator[dict]:
    """A speaker's statements in date order, oldest first (undated last, ties by `seq`): all of
    them, or the page `offset`, `offset + limit`. Found through the index when there is one."""
    if not speaker or not speaker.strip():
        raise UsageError(Errors.E307)
    if (limit is not None and int(limit) < 0) or int(offset) < 0:
        raise UsageError(Errors.E313.format(limit=limit, offset=offset))
    filters = {"speaker": speaker, "outlet": outlet, "since": since, "until": until}
    where, params = _where(**filters)
    page = ""
    if _fast(index) and limit is not None:
        # The page itself from the index (ordered by its fast `day` field, ties by seq, exactly
        # as the ORDER BY below), so DuckDB reads only these rows.
        where, params = _seq_filter(index.by_date(_index_query(index, None, **filters), limit=int(limit),
                                                  offset=int(offset), newest_first=False))
    else:
        if _fast(index):
            where, params = _seq_filter(index.seqs(_index_query(index, None, **filters)))
        if limit is not None:
            page = f" LIMIT {int(limit)} OFFSET {int(offset)}"
        elif offset:
            page = f" OFFSET {int(offset)}"
    sql = f"SELECT {TIMELINE_COLUMNS} FROM statements WHERE {where} ORDER BY published NULLS LAST, seq{page}"
    return _dicts(con.execute(sql, params))


def article(con, article_id: str) -> dict[str, Any] | None:
    """The stored presslens/1 JSON of one article (by corpus id or by the record id it was read
    with), plus a `corpus` member: its corpus id, story, pipeline version and every place it came from."""
    row = con.execute(
        "SELECT article_id, analysis, story_id, pipeline_version, content_hash FROM articles WHERE article_id = ?",
        [article_id],
    ).fetchone()
    if row is None:
        row = con.execute(
            "SELECT article_id, analysis, story_id, pipeline_version, content_hash FROM articles WHERE article_id = "
            "(SELECT min(article_id) FROM article_sources WHERE record_id = ?)",
            [article_id],
        ).fetchone()
    if row is None:
        return None
    aid, analysis, story, version, chash = row
    data = json.loads(analysis) if analysis else {}
    places = con.execute(
        "SELECT location, record_id FROM article_sources WHERE article_id = ? ORDER BY seen_at, location", [aid]
    ).fetchall()
    data["corpus"] = {
        "article_id": aid, "story_id": story, "pipeline_version": version, "content_hash": chash,
        "sources": [{"location": loc, "record_id": rid} for loc, rid in places],
    }
    return data


def counts_over_time(con, *, by: str = "month") -> list[dict]:
    if by not in PERIODS:
        raise UsageError(Errors.E308.format(value=by, choices=", ".join(PERIODS)))
    fmt = {"day": "%Y-%m-%d", "week": "%G-W%V", "month": "%Y-%m", "year": "%Y"}[by]
    sql = (f"SELECT coalesce(a.period, s.period) AS period, coalesce(a.n, 0) AS articles, coalesce(s.n, 0) AS statements "
           f"FROM (SELECT strftime(published, '{fmt}') AS period, count(*) AS n FROM articles "
           f"      WHERE published IS NOT NULL GROUP BY 1) a "
           f"FULL JOIN (SELECT strftime(published, '{fmt}') AS period, count(*) AS n FROM statements "
           f"      WHERE published IS NOT NULL GROUP BY 1) s USING (period) ORDER BY period")
    return list(_dicts(con.execute(sql)))


def rejects(con) -> Iterator[dict]:
    return _dicts(con.execute("SELECT location, reason, seen_at FROM rejects ORDER BY seen_at, location"))


def _has_skips(con) -> bool:
    """A corpus written before WARC input has no `skips` table until its next writable open."""
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'skips'").fetchone()[0] > 0


def skipped(con) -> Iterator[dict]:
    """Input records that are not articles, counted by reason and detail (status, type, language)."""
    if not _has_skips(con):
        return iter(())
    return _dicts(con.execute(
        "SELECT reason, detail, count(*) AS records FROM skips GROUP BY reason, detail ORDER BY records DESC, reason, detail"))


def stats(con) -> dict[str, Any]:
    a = con.execute(
        "SELECT count(*), count(DISTINCT story_id), count(DISTINCT outlet), min(published), max(published) FROM articles"
    ).fetchone()
    s = con.execute("SELECT count(*), count(DISTINCT speaker) FROM statements").fetchone()
    r = con.execute("SELECT count(*) FROM rejects").fetchone()
    k = con.execute("SELECT count(*) FROM skips").fetchone() if _has_skips(con) else (0,)
    return {
        "articles": a[0], "stories": a[1], "statements": s[0], "speakers": s[1], "outlets": a[2],
        "rejects": r[0], "skipped": k[0], "first_published": _plain(a[3]), "last_published": _plain(a[4]),
    }
