"""One person's profile: aliases, roles and titles over time, outlets, statements by month, and
how each alias was linked (rule, confidence, evidence). `Corpus.speaker(ref)` returns it."""

from __future__ import annotations

from typing import Any

from . import persons
from .queries import _LINKED, _dicts, _plain, _where


def profile(con, ref: str, *, outlet=None, since=None, until=None) -> dict[str, Any]:
    """The profile of the person `ref` names (id or name; UsageError E350 when none). Counts of
    statements honour the filters; aliases, roles and titles describe every mention."""
    pid = persons.require(con, ref)
    kind, name = con.execute("SELECT kind, name FROM persons WHERE person_id = ?", [pid]).fetchone()
    where, params = _where(outlet=outlet, since=since, until=until, person=pid)
    total, articles, stories, first, last, undated = con.execute(
        f"SELECT count(*), count(DISTINCT article_id), count(DISTINCT story_id), min(published), max(published), "
        f"count(*) FILTER (WHERE published IS NULL) FROM {_LINKED} WHERE {where}", params).fetchone()
    mentions = "FROM person_links l JOIN person_mentions m USING (article_id, entity_id) WHERE l.person_id = ?"
    aliases = list(_dicts(con.execute(
        f"SELECT m.alias, count(*) AS mentions, sum(m.statements)::BIGINT AS statements, "
        f"min(m.published) AS first_seen, max(m.published) AS last_seen {mentions} "
        f"GROUP BY m.alias ORDER BY statements DESC, mentions DESC, m.alias", [pid])))
    roles = list(_dicts(con.execute(
        f"SELECT role, count(*) AS mentions, min(published) AS first_seen, max(published) AS last_seen FROM "
        f"(SELECT unnest(m.roles) AS role, m.published {mentions}) GROUP BY role "
        f"ORDER BY mentions DESC, role LIMIT 50", [pid])))
    titles = list(_dicts(con.execute(
        f"SELECT title, count(*) AS mentions, min(published) AS first_seen, max(published) AS last_seen FROM "
        f"(SELECT unnest(m.titles) AS title, m.published {mentions}) GROUP BY title "
        f"ORDER BY mentions DESC, title LIMIT 50", [pid])))
    seen = con.execute(f"SELECT min(m.published), max(m.published), count(*) {mentions}", [pid]).fetchone()
    by_outlet = [{"outlet": o, "statements": n} for o, n in con.execute(
        f"SELECT outlet, count(*) AS n FROM {_LINKED} WHERE {where} AND outlet IS NOT NULL "
        f"GROUP BY outlet ORDER BY n DESC, outlet", params).fetchall()]
    no_outlet = total - sum(o["statements"] for o in by_outlet)
    by_month = [{"month": m, "statements": n} for m, n in con.execute(
        f"SELECT strftime(published, '%Y-%m') AS month, count(*) FROM {_LINKED} WHERE {where} "
        f"AND published IS NOT NULL GROUP BY month ORDER BY month", params).fetchall()]
    links = list(_dicts(con.execute(
        f"SELECT l.rule, count(*) AS mentions, round(avg(l.confidence), 3) AS confidence, "
        f"min(l.evidence) AS example {mentions} GROUP BY l.rule ORDER BY mentions DESC, l.rule", [pid])))
    corrections = [c for c in persons.corrections(con) if pid in (c["person_id"], c["other"])]
    for c in corrections:
        c["created"] = _plain(c["created"])
    return {
        "person_id": pid, "name": name, "kind": kind,
        "statements": total, "articles": articles, "stories": stories, "undated": undated,
        "no_outlet": no_outlet,
        "first_quoted": _plain(first), "last_quoted": _plain(last),
        "first_seen": _plain(seen[0]), "last_seen": _plain(seen[1]), "mentions": seen[2],
        "aliases": aliases, "roles": roles, "titles": titles, "outlets": by_outlet, "by_month": by_month,
        "links": links, "corrections": corrections,
        "query": {"outlet": outlet, "since": _plain(since), "until": _plain(until)},
    }
