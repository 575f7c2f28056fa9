"""Corpus-level persons: every speaker entity of every article linked to one person (or
organisation, group, place) record with a stable id. See presslens.corpus.identity for the rules.

Tables (created on the first link, beside the store's own; typed rows of presslens.corpus.store,
`PERSON_TABLES` below, so they are made and upgraded as the store's are):

| table | one row per | columns |
|---|---|---|
| `person_mentions` | entity of an article | the parsed name (`alias`, `family`, `first`, `initial`, `middles`, `suffix`, `shape`), `kind`, `gender`, `titles`, `roles`, `context` (co-occurring names), `outlet`, `published`, `statements` |
| `person_seen` | article linked | `article_id`, `key` (the article's analysis key: a re-analysis is linked again) |
| `person_links` | entity of an article | `article_id`, `entity_id`, `person_id`, `family`, `rule`, `confidence`, `evidence` |
| `persons` | person | `person_id`, `kind`, `name` (canonical), `family` |
| `person_corrections` | merge or split by hand | `n`, `action`, `person_id`, `other`, `alias`, `created` |

`update(con)` is incremental: it reads only the articles not linked yet (or re-analysed), and
re-clusters only the families (surnames; an organisation's name) those articles touch.
Corrections are re-applied whenever a family is re-clustered, so they survive re-ingests.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ..errors import Errors, UsageError
from ..pipeline.entities.lexicons import load as load_lexicons
from .identity import Link, Occurrence, cluster_family, person_id
from .names import common_word, fold, org_key, parse_person, pronoun_gender
from .store import Row, _row, column
from .store import _insert as store_insert

_WORD = re.compile(r"[^\W\d_][\w'’-]*")



# The tables, as the store's typed rows (presslens.corpus.store.Row): the columns are the fields.
@_row
class PersonMentionRow(Row):
    """One entity of one article, its name parsed (presslens.corpus.names)."""

    TABLE = "person_mentions"
    article_id: str = column("VARCHAR", "NOT NULL")
    entity_id: str = column("VARCHAR", "NOT NULL")
    kind: str | None = column("VARCHAR", doc="person, organisation, group, place, other")
    alias: str | None = column("VARCHAR", doc="the name as shown: titles and fragments taken off")
    family: str | None = column("VARCHAR", doc="surname (folded), or kind:name for the others")
    first: str | None = column("VARCHAR")
    initial: str | None = column("VARCHAR")
    middles: list[str] = column("VARCHAR[]")
    suffix: str | None = column("VARCHAR")
    shape: str | None = column("VARCHAR", doc="full, initial, surname")
    gender: str | None = column("VARCHAR", doc="m, f, -")
    titles: list[str] = column("VARCHAR[]")
    roles: list[str] = column("VARCHAR[]")
    context: list[str] = column("VARCHAR[]", doc="the other names of the article (folded)")
    outlet: str | None = column("VARCHAR")
    published: str | None = column("DATE")
    statements: int | None = column("INTEGER")
    dropped: str | None = column("VARCHAR", doc="headline words taken off the name")
    folded: str | None = column("VARCHAR")


@_row
class PersonSeenRow(Row):
    TABLE = "person_seen"
    article_id: str = column("VARCHAR", "PRIMARY KEY")
    key: str | None = column("VARCHAR", doc="the article's analysis key: a re-analysis is linked again")


@_row
class PersonLinkRow(Row):
    TABLE = "person_links"
    KEY = "PRIMARY KEY (article_id, entity_id)"
    article_id: str = column("VARCHAR", "NOT NULL")
    entity_id: str = column("VARCHAR", "NOT NULL")
    person_id: str = column("VARCHAR", "NOT NULL")
    family: str | None = column("VARCHAR")
    rule: str | None = column("VARCHAR")
    confidence: float | None = column("DOUBLE")
    evidence: str | None = column("VARCHAR")


@_row
class PersonRow(Row):
    TABLE = "persons"
    person_id: str = column("VARCHAR", "PRIMARY KEY")
    kind: str | None = column("VARCHAR")
    name: str | None = column("VARCHAR", doc="canonical name")
    family: str | None = column("VARCHAR")
    folded: str | None = column("VARCHAR")
    cluster: str | None = column("VARCHAR", doc="the name key the clustering made it from")


@_row
class PersonCorrectionRow(Row):
    TABLE = "person_corrections"
    n: int = column("INTEGER")
    action: str = column("VARCHAR", doc="merge, split, join")
    person_id: str | None = column("VARCHAR")
    other: str | None = column("VARCHAR")
    alias: str | None = column("VARCHAR")
    created: datetime | None = column("TIMESTAMP")


PERSON_TABLES = (PersonMentionRow, PersonSeenRow, PersonLinkRow, PersonRow, PersonCorrectionRow)
KINDS = {"PERSON": "person", "ORG": "organisation", "NORP": "group", "GPE": "place", "LOC": "place", "FAC": "place"}
MENTION_COLUMNS = ", ".join(PersonMentionRow.columns())
CHUNK = 500
# Words of a written title that say nothing of the office ("former Secretary", "then-Senator").
TITLE_NOISE = {"", "then", "former", "the", "of", "a", "an", "and", "for", "s", "now", "late", "ex"}


def has_persons(con) -> bool:
    """Whether the store's speakers are linked to persons (a store written before persons, or by
    hand without `update`, is not; its queries match speaker names as words instead)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'person_seen' AND database_name = current_database()"
    ).fetchone()[0]
    return bool(exists) and con.execute("SELECT count(*) > 0 FROM (SELECT 1 FROM person_seen LIMIT 1)").fetchone()[0]


# -- reading an article's entities -----------------------------------------------------------------

def _title_case(text: str, start: int, end: int) -> bool:
    """Whether the span lies in a headline-like line: at least three words, nearly all long ones
    capitalised ("The 100 Most Offensive Things Donald Trump Has Said")."""
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", end)
    line = text[a:b if b >= 0 else len(text)]
    if len(line) > 200:  # a paragraph, not a headline
        return False
    words = [w for w in _WORD.findall(line) if len(w) > 3]
    return len(words) >= 3 and sum(w[:1].isupper() for w in words) >= 0.8 * len(words)


def _starts(text: str, start: int) -> bool:
    """Whether a span starts a line or a sentence."""
    before = text[max(0, start - 3):start]
    return start == 0 or "\n" in before or before.rstrip(" \"'“‘(").endswith((".", "!", "?", ":", ";")) \
        or not before.strip()


def _headline_fragment(entity: dict, alias: str, text: str, lex) -> bool:
    """The first word of a name is a title-case fragment, not a first name ("Absent Trump derides
    debate", "Asserting Clinton's role"): it is no known first name, it is in one mention only,
    and that mention sits in a headline-like line, or the word is a common English one (or one
    the article writes in lower case) and the entity is named without it elsewhere or the
    mention starts a sentence."""
    words = alias.split()
    if len(words) < 2 or words[0].lower() in lex.first_names or not words[0][:1].isupper():
        return False
    names = [m for m in entity.get("mentions", []) if m.get("kind") in ("name", "title") and m.get("span")]
    having = [m for m in names if words[0] in (m.get("text") or "").split()]
    if len(having) != 1:
        return False
    a, b = having[0]["span"]
    if _title_case(text, a, b):
        return True
    # an English adjective, adverb or verb glued to a name ("Absent Trump", "Asserting Clinton",
    # "Crooked Hillary"), or a word the article itself writes in lower case, at a sentence start
    common = common_word(words[0]) or re.search(r"\b" + re.escape(words[0].lower()) + r"\b", text) is not None
    return common and (len(names) > 1 or _starts(text, a))


def occurrences(article: dict[str, Any], article_id: str, outlet: str | None = None) -> list[tuple]:
    """The `person_mentions` rows of one presslens/1 article."""
    lex = load_lexicons()
    speaking = defaultdict(int)
    for s in article.get("statements", []):
        if s.get("speaker"):
            speaking[s["speaker"]] += 1
    parsed = []
    for e in article.get("entities", []):
        etype = e.get("type") or ""
        name = e.get("name") or ""
        kind = KINDS.get(etype, "other")
        p = parse_person(name, lex) if kind == "person" else None
        if p is not None and p.shape == "full" and _headline_fragment(e, p.alias, article.get("text") or "", lex):
            surname = parse_person(p.alias.split()[-1], lex)
            if surname is not None:
                p = dataclasses.replace(surname, titles=p.titles, dropped=" ".join(p.alias.split()[:-1]))
        if kind == "person" and p is None:
            kind = "other"
        parsed.append((e, kind, p))
    context = sorted({fold(p.alias) if p else org_key(e.get("name") or "")
                      for e, kind, p in parsed if kind in ("person", "organisation", "place")
                      and (p is None or p.shape == "full")} - {""})
    rows = []
    for e, kind, p in parsed:
        mentions = e.get("mentions", [])
        titles = list(e.get("titles") or [])
        roles = [r for r in (e.get("roles") or []) if r]
        if kind == "person":
            gender = p.gender
            if gender == "-":
                gender = pronoun_gender([m.get("text", "") for m in mentions if m.get("kind") == "pronoun"])
            words = sorted({*p.titles, *(lex.role_key(w) for t in titles for w in fold(t).split())} - TITLE_NOISE)
            own = fold(p.alias)
            rows.append((article_id, e["id"], kind, p.alias, p.last, p.first, p.initial, list(p.middles), p.suffix,
                         p.shape, gender, words, roles, [c for c in context if c != own], outlet,
                         article.get("published"), speaking.get(e["id"], 0), p.dropped, own))
        else:
            key = org_key(e.get("name") or "") or (e.get("name") or "").strip().lower()
            rows.append((article_id, e["id"], kind, (e.get("name") or "").strip(), f"{kind}:{key}", "", "", [], "",
                         "full", "-", sorted({fold(t) for t in titles} - {""}), roles, [], outlet,
                         article.get("published"), speaking.get(e["id"], 0), "", fold(e.get("name") or "")))
    return rows


def _occurrence(row: tuple) -> Occurrence:
    (aid, eid, kind, alias, family, first, initial, middles, suffix, shape, gender, titles, roles, context,
     outlet, _published, statements, _dropped, _folded) = row
    from .names import PersonName

    sig = PersonName(alias, first, initial, tuple(middles or ()), family, suffix).middle_signature
    return Occurrence(aid, eid, kind, alias, family, first or "", initial or "", tuple(middles or ()), suffix or "",
                      shape, gender or "-", tuple(titles or ()), tuple(roles or ()), tuple(context or ()), outlet,
                      statements or 0, sig)


# -- linking ---------------------------------------------------------------------------------------

def ensure(con) -> None:
    """Create the person tables, and add the columns an older store's lack (as store._upgrade)."""
    for row in PERSON_TABLES:
        con.execute(row.create_sql())
    held: dict[str, set[str]] = {}
    for table, name in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database()").fetchall():
        held.setdefault(table, set()).add(name)
    for row in PERSON_TABLES:
        for f in dataclasses.fields(row):
            if f.name not in held.get(row.TABLE, {f.name}):
                con.execute(f"ALTER TABLE {row.TABLE} ADD COLUMN {f.name} {f.metadata['type']}")


def update(con, *, families: Iterable[str] = ()) -> dict[str, int]:
    """Link what is new: read the articles not linked yet (or re-analysed since), re-cluster the
    families they touch (and `families`), and write their links and persons. One transaction."""
    ensure(con)
    con.execute("BEGIN")
    try:
        touched = set(families)
        stale = [r[0] for r in con.execute(
            "SELECT s.article_id FROM person_seen s LEFT JOIN articles a USING (article_id) "
            "WHERE a.article_id IS NULL OR a.key <> s.key").fetchall()]
        if stale:
            touched |= {r[0] for r in con.execute(
                "SELECT DISTINCT family FROM person_mentions WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                [stale]).fetchall()}
            for table in ("person_mentions", "person_links", "person_seen"):
                con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [stale])
        todo = [r[0] for r in con.execute(
            "SELECT a.article_id FROM articles a "
            "WHERE NOT EXISTS (SELECT 1 FROM person_seen s WHERE s.article_id = a.article_id) ORDER BY a.article_id"
        ).fetchall()]
        for i in range(0, len(todo), CHUNK):
            chunk = con.execute(
                "SELECT article_id, key, outlet, analysis FROM articles "
                "WHERE article_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY article_id", [todo[i:i + CHUNK]]
            ).fetchall()
            rows, seen = [], []
            for aid, key, outlet, analysis in chunk:
                article = json.loads(analysis) if analysis else {}
                rows.extend(occurrences(article, aid, outlet))
                seen.append((aid, key))
            touched |= {r[4] for r in rows}
            _insert(con, PersonMentionRow, rows)
            _insert(con, PersonSeenRow, seen)
        added = len(todo)
        if touched:
            touched |= given_families(con)
        linked = _relink(con, touched)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {"articles": added, "families": len(touched), "links": linked}


def _corrections(con) -> tuple[dict[str, str], dict[tuple[str, str], str], dict[str, set[str]]]:
    """Merges (person -> the person it was merged into), splits ((person, folded alias) -> new
    person) and joins (family -> names never to be split by context)."""
    merges: dict[str, str] = {}
    splits: dict[tuple[str, str], str] = {}
    joins: dict[str, set[str]] = defaultdict(set)
    for action, pid, other, alias in con.execute(
            "SELECT action, person_id, other, alias FROM person_corrections ORDER BY n").fetchall():
        if action == "join":  # person_id: the family, alias: the cluster key
            joins[pid].add(alias)
        elif action == "merge":
            merges[other] = pid
            merges.pop(pid, None)  # a later merge the other way round undoes an earlier one
        elif action == "split":
            splits[(pid, fold(alias))] = person_id("p", "split", pid, fold(alias))
    return merges, splits, joins


def _final(pid: str, merges: dict[str, str]) -> str:
    seen = set()
    while pid in merges and pid not in seen:
        seen.add(pid)
        pid = merges[pid]
    return pid


def _insert(con, table: type[Row], rows: list[tuple], **how) -> None:
    """Insert plain tuples (in the column order) as rows of `table`, through the store's writer."""
    names = table.columns()
    store_insert(con, table, [table(**dict(zip(names, r))) for r in rows], **how)


def _relink(con, families: set[str]) -> int:
    if not families:
        return 0
    fams = sorted(families)
    merges, splits, joins = _corrections(con)
    rows = con.execute(
        f"SELECT {MENTION_COLUMNS} FROM person_mentions WHERE family IN (SELECT unnest(?::VARCHAR[]))", [fams]
    ).fetchall()
    kept = {r[0]: tuple(r) for r in con.execute(
        "SELECT person_id, kind, name, family, folded, cluster FROM persons "
        "WHERE family IN (SELECT unnest(?::VARCHAR[]))",
        [fams]).fetchall()}
    by_family: dict[str, list[Occurrence]] = defaultdict(list)
    for r in rows:
        by_family[r[4]].append(_occurrence(r))
    link_rows, person_rows = [], {}
    for fam in fams:
        occs = by_family.get(fam, [])
        links, persons = cluster_family(occs, frozenset(joins.get(fam, ())))
        alias_of = {o.key: o.alias for o in occs}
        for key, link in links.items():
            pid = link.person_id
            split = splits.get((pid, fold(alias_of[key])))
            if split is not None:
                persons.setdefault(split, (persons[pid][0], alias_of[key], f"split:{pid}"))
                link = Link(split, "correction", 1.0, f"split from {pid} by hand")
                pid = split
            final = _final(pid, merges)
            if final != pid:
                link = Link(final, "correction", 1.0, f"{pid} merged into {final} by hand")
            link_rows.append((key[0], key[1], link.person_id, fam, link.rule, link.confidence, link.evidence))
        used = {r[2] for r in link_rows if r[3] == fam}
        for pid, (kind, name, cluster) in persons.items():
            if pid in used:
                person_rows[pid] = (pid, kind, name, fam, fold(name), cluster)
        # A person merged into by hand whose own cluster is gone (the corpus grew and the
        # clustering changed) keeps its row, so the merge still has a name to show.
        for pid in sorted(used - set(person_rows)):
            if pid in kept:
                person_rows[pid] = kept[pid]
            else:
                source = next(s for s, f in ((s, _final(s, merges)) for s in persons) if f == pid)
                kind, name, cluster = persons[source]
                person_rows[pid] = (pid, kind, name, fam, fold(name), cluster)
    con.execute("DELETE FROM person_links WHERE family IN (SELECT unnest(?::VARCHAR[]))", [fams])
    con.execute("DELETE FROM persons WHERE family IN (SELECT unnest(?::VARCHAR[]))", [fams])
    _insert(con, PersonLinkRow, link_rows)
    _insert(con, PersonRow, list(person_rows.values()), or_replace=True)
    lex = load_lexicons()
    for fam in fams:
        occs = by_family.get(fam, [])
        # a first name alone: the family is (nearly) never a surname ("Hillary", "Crooked Hillary")
        full = sum(1 for o in occs if o.shape == "full")
        if occs and occs[0].kind == "person" and fam in lex.first_names and 3 * full < len(occs) - full:
            _link_given(con, fam, [o for o in occs if o.shape == "surname" and not o.suffix], merges)
    # persons whose every link was merged away by hand
    con.execute("DELETE FROM persons p WHERE NOT EXISTS (SELECT 1 FROM person_links l WHERE l.person_id = p.person_id)")
    return len(link_rows)


GIVEN_DOMINANT = 0.8  # share of a first name's full-name mentions a person needs to take it alone


def _link_given(con, name: str, occs: list[Occurrence], merges: dict[str, str]) -> None:
    """A first name alone ("Hillary"), where the corpus never uses it as a surname: the person
    of that first name the article names in full, else the corpus's dominant one (>= 80%)."""
    from .names import NICKNAMES

    first = NICKNAMES.get(name, name)
    rows = con.execute(
        "SELECT l.person_id, m.article_id FROM person_mentions m JOIN person_links l USING (article_id, entity_id) "
        "WHERE m.shape = 'full' AND m.first = ? AND m.suffix = '' AND l.person_id NOT IN "
        "(SELECT person_id FROM persons WHERE family = ?)", [first, name]).fetchall()
    if not rows:
        return
    counts: dict[str, int] = defaultdict(int)
    where: dict[str, set[str]] = defaultdict(set)
    for pid, aid in rows:
        counts[pid] += 1
        where[aid].add(pid)
    names = dict(con.execute("SELECT person_id, name FROM persons WHERE person_id IN (SELECT unnest(?::VARCHAR[]))",
                             [sorted(counts)]).fetchall())
    best = min(counts, key=lambda p: (-counts[p], p))
    share = counts[best] / sum(counts.values())
    for o in occs:
        here = sorted(where.get(o.article_id, ()))
        if len(here) == 1:
            pid, conf, why = here[0], 0.9, f"first name alone; the article names {names.get(here[0], here[0])} in full"
        elif not here and share >= GIVEN_DOMINANT and counts[best] >= 5:
            pid, conf, why = best, round(share, 3), (f"first name alone; {names.get(best, best)} is {share:.0%} "
                                                     f"of the corpus's full names with it")
        else:
            continue
        con.execute("UPDATE person_links SET person_id = ?, rule = 'given', confidence = ?, evidence = ? "
                    "WHERE article_id = ? AND entity_id = ?", [_final(pid, merges), conf, why, o.article_id, o.entity_id])


def given_families(con) -> set[str]:
    """Families of first names used alone, never as a surname: re-linked on every update, since
    the persons they may stand for are in other families."""
    lex = load_lexicons()
    return {r[0] for r in con.execute(
        "SELECT family FROM person_mentions WHERE kind = 'person' GROUP BY family "
        "HAVING 3 * count(*) FILTER (WHERE shape = 'full') < count(*) FILTER (WHERE shape <> 'full')"
    ).fetchall() if r[0] in lex.first_names}


# -- finding a person ---------------------------------------------------------------------------

def resolve(con, ref: str) -> str | None:
    """The person `ref` names: a person id; else the person whose canonical name or an alias it is
    (any case, accents, punctuation; the most quoted when several share it); else the most quoted
    person whose name has every word of it ("holloway" -> "Jane Holloway"). None when no person has it."""
    ref = (ref or "").strip()
    if not ref:
        return None
    if con.execute("SELECT 1 FROM persons WHERE person_id = ?", [ref]).fetchone():
        return ref
    folded = fold(ref)
    if not folded:
        return None
    parsed = parse_person(ref)
    wanted = sorted({folded} | ({fold(parsed.alias)} if parsed else set()))
    # 1. a canonical name, 2. an alias (the most quoted person having it), 3. whole words of a name
    for sql in (
        "SELECT person_id, 1 FROM persons WHERE folded IN (SELECT unnest(?::VARCHAR[]))",
        "SELECT DISTINCT l.person_id, 1 FROM person_mentions m JOIN person_links l USING (article_id, entity_id) "
        "WHERE m.folded IN (SELECT unnest(?::VARCHAR[]))",
        "SELECT person_id, 1 FROM persons WHERE (' ' || folded || ' ') LIKE ?",
    ):
        arg = wanted if "unnest" in sql else f"% {folded} %"
        found = [r[0] for r in con.execute(sql, [arg]).fetchall()]
        if len(found) == 1:
            return found[0]
        if found:
            return con.execute(
                "SELECT l.person_id FROM person_links l JOIN person_mentions m USING (article_id, entity_id) "
                "WHERE l.person_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY l.person_id "
                "ORDER BY sum(m.statements) DESC, count(*) DESC, l.person_id LIMIT 1", [found]).fetchone()[0]
    return None


def require(con, ref: str) -> str:
    """`resolve`, or UsageError [E350] naming the nearest names (rapidfuzz) when nobody is found."""
    pid = resolve(con, ref)
    if pid is not None:
        return pid
    from rapidfuzz import process

    names = [r[0] for r in con.execute("SELECT DISTINCT name FROM persons").fetchall()]
    near = [n for n, score, _ in process.extract(ref, names, limit=3) if score >= 60] if names else []
    hint = f" Did you mean {', '.join(repr(n) for n in near)}?" if near else ""
    raise UsageError(Errors.E350.format(ref=ref, hint=hint))


# -- corrections ---------------------------------------------------------------------------------

def _family_of(con, pid: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT DISTINCT family FROM person_links WHERE person_id = ? UNION "
        "SELECT family FROM persons WHERE person_id = ?", [pid, pid]).fetchall()]


def _record(con, action: str, pid: str, other: str | None, alias: str | None) -> None:
    from .store import now

    n = con.execute("SELECT coalesce(max(n), 0) + 1 FROM person_corrections").fetchone()[0]
    _insert(con, PersonCorrectionRow, [(n, action, pid, other, alias, now())])


def merge(con, into: str, other: str) -> dict[str, Any]:
    """Merge person `other` into person `into` (ids or names); kept across re-ingests."""
    ensure(con)
    a, b = require(con, into), require(con, other)
    if a == b:
        raise UsageError(Errors.E351.format(a=into, b=other, pid=a))
    families = set(_family_of(con, a)) | set(_family_of(con, b))
    ca, cb = (con.execute("SELECT family, cluster FROM persons WHERE person_id = ?", [x]).fetchone() for x in (a, b))
    if ca and cb and ca[0] == cb[0] and ca[1] and ca[1].split("#")[0] == cb[1].split("#")[0]:
        # one name the clustering split by context: never split it again, whatever the corpus adds
        _record(con, "join", ca[0], None, ca[1].split("#")[0])
    _record(con, "merge", a, b, None)
    update(con, families=families)
    return {"person_id": a, "merged": b}


def split(con, ref: str, aliases: Iterable[str]) -> list[dict[str, Any]]:
    """Take the occurrences named `aliases` out of person `ref` into persons of their own; kept
    across re-ingests. Returns the new persons."""
    ensure(con)
    pid = require(con, ref)
    held = {fold(r[0]): r[0] for r in con.execute(
        "SELECT DISTINCT m.alias FROM person_links l JOIN person_mentions m USING (article_id, entity_id) "
        "WHERE l.person_id = ?", [pid]).fetchall()}
    aliases = list(aliases)
    if not aliases:
        raise UsageError(Errors.E352.format(
            problem=f"Name the aliases to split off {ref!r}: one of {', '.join(sorted(held.values()))}."))
    missing = [a for a in aliases if fold(a) not in held]
    if missing:
        raise UsageError(Errors.E352.format(problem=f"{', '.join(repr(a) for a in missing)} is not an alias of {ref!r} ({pid}); "
                         f"its aliases: {', '.join(sorted(held.values()))}."))
    if len({fold(a) for a in aliases}) >= len(held):
        raise UsageError(Errors.E352.format(
            problem=f"Splitting every alias off {ref!r} would leave it empty: keep at least one."))
    families = set(_family_of(con, pid))
    for a in aliases:
        _record(con, "split", pid, None, held[fold(a)])
    update(con, families=families)
    return [{"person_id": person_id("p", "split", pid, fold(a)), "alias": held[fold(a)], "from": pid}
            for a in aliases]


def corrections(con) -> list[dict[str, Any]]:
    if not has_persons(con):
        return []
    cur = con.execute("SELECT n, action, person_id, other, alias, created FROM person_corrections ORDER BY n")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]
