"""Read queries over the store. Each takes an open DuckDB connection (and the full-text index
for text search) and returns or yields plain dicts; `Corpus` wraps them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import tantivy

from ..errors import Errors, UsageError
from . import persons
from .search import Index

_QUOTE_SELECT = (
    "seq, article_id, statement_id, outlet, published, title, speaker, person_id, speaker_entity, kind, attribution, "
    "content, cue, according_to, confidence"
)
# Statements with the person their speaker is linked to (`person_id`, and `speaker` the person's
# canonical name); in a store without persons, the statements as they are.
_LINKED = (
    "(SELECT s.seq, s.article_id, s.statement_id, s.speaker_entity, coalesce(p.name, s.speaker) AS speaker, "
    "l.person_id, s.kind, s.attribution, s.content, s.cue, s.according_to, s.confidence, s.published, s.outlet, "
    "s.story_id, s.title FROM statements s LEFT JOIN person_links l "
    "ON l.article_id = s.article_id AND l.entity_id = s.speaker_entity "
    "LEFT JOIN persons p ON p.person_id = l.person_id)"
)
_UNLINKED = "(SELECT *, NULL::VARCHAR AS person_id FROM statements)"


def _source(con) -> str:
    """The statements to read from: linked to persons when the store has them."""
    return _LINKED if persons.has_persons(con) else _UNLINKED


def by_person(con, index: Index | None, filters: dict) -> dict:
    """`filters` with `speaker` replaced by the person it names (`person`, and for the index the
    `seqs` of that person's statements) when the store has persons; unchanged otherwise."""
    speaker = filters.get("speaker")
    if not speaker or not persons.has_persons(con):
        return filters
    pid = persons.resolve(con, speaker)
    out = {k: v for k, v in filters.items() if k != "speaker"}
    out["person"] = pid or ""
    if index is not None:
        out["seqs"] = [] if pid is None else [r[0] for r in con.execute(
            "SELECT s.seq FROM statements s JOIN person_links l ON l.article_id = s.article_id "
            "AND l.entity_id = s.speaker_entity WHERE l.person_id = ? ORDER BY s.seq", [pid]).fetchall()]
    return out
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


def _where(*, speaker=None, outlet=None, since=None, until=None, kind=None, person=None, seqs=None,
           prefix: str = "") -> tuple[str, list]:
    clauses, params = [], []
    if person is not None:  # the statements of one person (see by_person); "" for nobody
        clauses.append(f"{prefix}person_id = ?")
        params.append(person)
    elif speaker:
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


def _index_query(index: Index, text: str | None, *, speaker=None, outlet=None, since=None, until=None, kind=None,
                 person=None, seqs=None):
    query = index.query(text, speaker=None if seqs is not None else speaker, outlet=outlet, kind=kind,
                        since=_date(since, "since"), until=_date(until, "until"))
    if seqs is None:
        return query
    # one person's statements: their seqs, as a term set on the index's key
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, query),
                                        (tantivy.Occur.Must, tantivy.Query.term_set_query(index.schema, "seq", seqs))])


def _quote_rows(con, seqs_scores: list[tuple[int, float | None]]) -> list[dict[str, Any]]:
    """Statement rows for index hits, in hit order; hits no longer in the store drop out."""
    if not seqs_scores:
        return []
    cur = con.execute(
        f"SELECT {_QUOTE_SELECT} FROM {_source(con)} WHERE seq IN (SELECT unnest(?::BIGINT[]))",
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
    filters = by_person(con, index, filters)
    if filters.get("seqs") == []:
        return []
    if limit is None:
        return list(iter_quotes(con, index, text, offset=offset, **filters))
    if text and text.strip():
        if index is None:
            raise UsageError(Errors.E305)
        return _quote_rows(con, index.search(_index_query(index, text, **filters), limit=limit, offset=offset))
    if (filters.get("speaker") or filters.get("seqs")) and _fast(index):
        # The SQL speaker filter scans every statement; the index finds them by term and
        # orders them by its fast `day` field.
        seqs = index.by_date(_index_query(index, None, **filters), limit=limit, offset=offset)
        return _quote_rows(con, [(seq, None) for seq in seqs])
    return list(iter_quotes(con, None, None, limit=limit, offset=offset, **filters))


def iter_quotes(con, index: Index | None, text: str | None = None, *, limit: int | None = None, offset: int = 0,
                **filters) -> Iterator[dict[str, Any]]:
    """Every matching statement, streamed (no cap)."""
    filters = by_person(con, index, filters)
    if filters.get("seqs") == []:
        return
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
    if filters.get("speaker") and "person" not in filters and _fast(index):
        where, params = _seq_filter(index.seqs(_index_query(index, None, **filters)))
    sql = (f"SELECT {_QUOTE_SELECT}, NULL AS score FROM {_source(con)} WHERE {where} "
           f"ORDER BY published DESC NULLS LAST, seq")
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
    order). A statement without a value (no speaker, no outlet, undated) is in no bucket. With
    persons, speakers are persons: each bucket has the person's name and `person_id`."""
    if top is not None and int(top) < 0:
        raise UsageError(Errors.E309.format(value=top))
    linked = persons.has_persons(con)
    filters = by_person(con, index, filters)
    if filters.get("seqs") == [] or filters.get("person") == "":
        return {"speaker": [], "outlet": [], "kind": [], "month": []}
    facets: dict[str, list] = {}
    hits: list[int] | None = None
    if _fast(index):
        query = _index_query(index, text, **filters)
        counted = index.facets(query, FACETS if not linked else {k: v for k, v in FACETS.items() if k != "speaker"})
        for name, pairs in counted.items():
            if name == "month":
                pairs.sort()
            else:
                pairs.sort(key=lambda p: (-p[1], p[0]))
                pairs = pairs if top is None else pairs[:int(top)]
            facets[name] = [{"value": v, "count": c} for v, c in pairs]
        if not linked:
            return facets
        if text and text.strip():
            hits = [s for s, _ in index.iter_hits(query)]
    elif text and text.strip():
        if index is None:
            raise UsageError(Errors.E305)
        hits = [s for s, _ in index.iter_hits(_index_query(index, text, **filters))]
    if hits is not None:
        con.execute("CREATE OR REPLACE TEMP TABLE _hits AS SELECT unnest(?::BIGINT[]) AS seq", [hits])
        source = f"(SELECT s.* FROM {_source(con)} s JOIN _hits USING (seq))"
        where, params = "TRUE", []
    else:
        source = _source(con)
        where, params = _where(**filters)
    for name, expr in (("speaker", "speaker"), ("outlet", "outlet"), ("kind", "kind"),
                       ("month", "strftime(published, '%Y-%m')")):
        if name in facets:
            continue
        if name == "speaker" and linked:
            sql = (f"SELECT speaker AS value, person_id, count(*) AS count FROM {source} WHERE {where} "
                   f"AND person_id IS NOT NULL GROUP BY ALL ORDER BY count DESC, value, person_id")
        else:
            sql = (f"SELECT {expr} AS value, count(*) AS count FROM {source} WHERE {where} AND {expr} IS NOT NULL "
                   f"GROUP BY ALL ORDER BY count DESC, value")
        if name != "month" and top is not None:
            sql += f" LIMIT {int(top)}"
        cur = con.execute(sql, params)
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r)) for r in cur.fetchall()]
        if name == "month":
            rows.sort(key=lambda r: r["value"])
        facets[name] = rows
    return {k: facets[k] for k in ("speaker", "outlet", "kind", "month")}


def speakers(con, *, by: str | None = None, since=None, until=None, outlet=None, limit: int | None = None,
             offset: int = 0, per_outlet: int | None = None) -> Iterator[dict]:
    """Who is quoted, how often, in how many articles and stories; per outlet with `by="outlet"`
    (and with `per_outlet`, only each outlet's that many most quoted). With persons: one row per
    person (`person_id`, `speaker` its canonical name, `kind`, `aliases` most used first,
    `outlets`); otherwise one row per speaker name."""
    if by not in (None, "outlet"):
        raise UsageError(Errors.E306.format(value=by))
    top = ""
    if per_outlet is not None and by == "outlet":
        top = "QUALIFY row_number() OVER (PARTITION BY {outlet} ORDER BY {n} DESC, {name}) <= " + str(int(per_outlet)) + " "
    where, params = _where(outlet=outlet, since=since, until=until)
    page = ""
    if limit is not None:
        page += f" LIMIT {int(limit)}"
    if offset:
        page += f" OFFSET {int(offset)}"
    if persons.has_persons(con):
        keys = "person_id, outlet" if by == "outlet" else "person_id"
        sql = (f"WITH counted AS (SELECT {keys}, sum(n)::BIGINT AS statements, sum(a)::BIGINT AS articles, "
               f"count(*) AS stories FROM "
               f"(SELECT {keys}, story_id, sum(n) AS n, count(*) AS a FROM "
               f" (SELECT {keys}, story_id, article_id, count(*) AS n FROM {_LINKED} "
               f"  WHERE person_id IS NOT NULL AND {where} GROUP BY ALL) GROUP BY ALL) GROUP BY {keys}), "
               f"outl AS (SELECT person_id, count(DISTINCT outlet) AS outlets FROM {_LINKED} "
               f" WHERE person_id IS NOT NULL AND {where} GROUP BY person_id), "
               f"aliases AS (SELECT person_id, list(alias ORDER BY n DESC, alias) AS aliases FROM "
               f" (SELECT l.person_id, m.alias, count(*) AS n FROM person_links l "
               f"  JOIN person_mentions m USING (article_id, entity_id) "
               f"  WHERE l.person_id IN (SELECT person_id FROM counted) GROUP BY ALL) GROUP BY person_id) "
               f"SELECT c.person_id, p.name AS speaker, p.kind, {'c.outlet, ' if by == 'outlet' else ''}"
               f"c.statements, c.articles, c.stories{', o.outlets' if not by else ''}, a.aliases "
               f"FROM counted c JOIN persons p USING (person_id) LEFT JOIN aliases a USING (person_id) "
               f"LEFT JOIN outl o USING (person_id) "
               + top.format(outlet="c.outlet", n="c.statements", name="p.name, c.person_id")
               + f"ORDER BY c.statements DESC, p.name, c.person_id{', c.outlet' if by == 'outlet' else ''}{page}")
        for row in _dicts(con.execute(sql, params + params)):
            row["aliases"] = list(row["aliases"] or [])
            yield row
        return
    keys = "speaker, outlet" if by == "outlet" else "speaker"
    # Three plain GROUP BYs instead of count(DISTINCT ...): an article belongs to one story, so
    # counting groups level by level is exact, and DuckDB runs it faster than distinct counts.
    sql = (f"SELECT {keys}, sum(n)::BIGINT AS statements, sum(a)::BIGINT AS articles, count(*) AS stories FROM "
           f"(SELECT {keys}, story_id, sum(n) AS n, count(*) AS a FROM "
           f" (SELECT {keys}, story_id, article_id, count(*) AS n FROM statements "
           f"  WHERE speaker IS NOT NULL AND {where} GROUP BY ALL) GROUP BY ALL) "
           f"GROUP BY {keys} " + top.format(outlet="outlet", n="sum(n)", name="speaker")
           + f"ORDER BY statements DESC, {keys}{page}")
    yield from _dicts(con.execute(sql, params))


def count_quotes(con, index: Index | None, text: str | None = None, **filters) -> int:
    """How many statements `iter_quotes` gives for `text` and the filters."""
    filters = by_person(con, index, filters)
    if filters.get("seqs") == [] or filters.get("person") == "":
        return 0
    if text and text.strip():
        if index is None:
            raise UsageError(Errors.E305)
        return sum(1 for _ in index.iter_hits(_index_query(index, text, **filters)))
    where, params = _where(**filters)
    return con.execute(f"SELECT count(*) FROM {_source(con)} WHERE {where}", params).fetchone()[0]


def undated(con, index: Index | None, text: str | None = None, **filters) -> int:
    """How many statements match `text` and the filters but have no date, so a `since`/`until`
    filter leaves them out (0 when neither is given)."""
    if not filters.get("since") and not filters.get("until"):
        return 0
    rest = {k: v for k, v in filters.items() if k not in ("since", "until")}
    rest = by_person(con, index, rest)
    if rest.get("seqs") == [] or rest.get("person") == "":
        return 0
    where, params = _where(**{k: v for k, v in rest.items() if k != "seqs"})
    if text and text.strip():
        if index is None:
            return 0
        hits = [s for s, _ in index.iter_hits(_index_query(index, text, **rest))]
        where, params = f"({where}) AND seq IN (SELECT unnest(?::BIGINT[]))", params + [hits]
    return con.execute(f"SELECT count(*) FROM {_source(con)} WHERE published IS NULL AND {where}", params).fetchone()[0]


def count_speakers(con, *, by: str | None = None, since=None, until=None, outlet=None) -> int:
    """How many rows `speakers` gives (per person, or per person and outlet with `by="outlet"`)."""
    if by not in (None, "outlet"):
        raise UsageError(Errors.E306.format(value=by))
    where, params = _where(outlet=outlet, since=since, until=until)
    who = "person_id" if persons.has_persons(con) else "speaker"
    # A row (not a value) per group: count(DISTINCT (a, b)) counts a NULL outlet as one group too.
    keys = f"({who}, outlet)" if by else who
    source = _LINKED if who == "person_id" else "statements"
    sql = f"SELECT count(DISTINCT {keys}) FROM {source} WHERE {who} IS NOT NULL AND {where}"
    return con.execute(sql, params).fetchone()[0]


def relays(con, *, since=None, until=None) -> Iterator[dict]:
    """Who relays whom: for each outlet, the relays ("according to ...") its statements go through."""
    where, params = _where(since=since, until=until)
    sql = (f"SELECT outlet, relay, count(*) AS statements FROM "
           f"(SELECT outlet, unnest(according_to) AS relay FROM statements WHERE {where}) "
           f"GROUP BY outlet, relay ORDER BY statements DESC, outlet, relay")
    return _dicts(con.execute(sql, params))


TIMELINE_COLUMNS = "published, article_id, outlet, title, statement_id, kind, speaker, person_id, content"


def timeline(con, speaker: str, *, outlet=None, since=None, until=None, index: Index | None = None,
             limit: int | None = None, offset: int = 0) -> Iterator[dict]:
    """A speaker's statements in date order, oldest first (undated last, ties by `seq`): all of
    them, or the page `offset`, `offset + limit`. Found through the index when there is one."""
    if not speaker or not speaker.strip():
        raise UsageError(Errors.E307)
    if (limit is not None and int(limit) < 0) or int(offset) < 0:
        raise UsageError(Errors.E313.format(limit=limit, offset=offset))
    filters = by_person(con, index, {"speaker": speaker, "outlet": outlet, "since": since, "until": until})
    where, params = _where(**filters)
    if filters.get("seqs") == []:
        where, params = "FALSE", []
    page = ""
    if _fast(index) and limit is not None:
        # The page itself from the index (ordered by its fast `day` field, ties by seq, exactly
        # as the ORDER BY below), so DuckDB reads only these rows.
        where, params = _seq_filter(index.by_date(_index_query(index, None, **filters), limit=int(limit),
                                                  offset=int(offset), newest_first=False))
    else:
        if _fast(index) and "person" not in filters:
            where, params = _seq_filter(index.seqs(_index_query(index, None, **filters)))
        if limit is not None:
            page = f" LIMIT {int(limit)} OFFSET {int(offset)}"
        elif offset:
            page = f" OFFSET {int(offset)}"
    sql = f"SELECT {TIMELINE_COLUMNS} FROM {_source(con)} WHERE {where} ORDER BY published NULLS LAST, seq{page}"
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
            "(SELECT min(article_id) FROM article_places WHERE record_id = ?)",
            [article_id],
        ).fetchone()
    if row is None:
        return None
    aid, analysis, story, version, chash = row
    data = json.loads(analysis) if analysis else {}
    places = con.execute(
        "SELECT location, record_id FROM article_places WHERE article_id = ? ORDER BY seen_at, location", [aid]
    ).fetchall()
    data["corpus"] = {
        "article_id": aid, "story_id": story, "pipeline_version": version, "content_hash": chash,
        "places": [{"location": loc, "record_id": rid} for loc, rid in places],
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
    who = "person_id" if persons.has_persons(con) else "speaker"
    s = con.execute(f"SELECT count(*), count(DISTINCT {who}) FROM {_source(con)}").fetchone()
    r = con.execute("SELECT count(*) FROM rejects").fetchone()
    k = con.execute("SELECT count(*) FROM skips").fetchone() if _has_skips(con) else (0,)
    return {
        "articles": a[0], "stories": a[1], "statements": s[0], "speakers": s[1], "outlets": a[2],
        "rejects": r[0], "skipped": k[0], "first_published": _plain(a[3]), "last_published": _plain(a[4]),
    }
