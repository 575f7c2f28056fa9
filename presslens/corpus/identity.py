"""Who is who across the corpus: the occurrences of one surname (a *family*) clustered into persons.

Every rule keeps the surname, so the names of one family are all that decides its persons, and
an ingest re-clusters only the families it touched (presslens.corpus.persons). The rules, in order:

1. **Same first and last name** (case, accents, punctuation, titles and honorifics, possessives
   and headline words already taken off by presslens.corpus.names; nicknames resolved: Bill =
   William) with the same suffix: one person. `Donald Trump Jr.` is not `Donald Trump`.
2. **Spelling**: a rare first name within Jaro-Winkler 0.92 of a common one of the same family,
   same initial, no gender conflict ("Hilary Clinton" -> "Hillary Clinton"; rapidfuzz).
3. **Middle names**: middle names and initials that agree (or are absent) keep one person
   (`Donald J. Trump`, `Hillary Rodham Clinton`); ones that conflict (`George W.` and
   `George H. W. Bush`) are two. A suffixed name seen in at least three articles and never beside
   the unsuffixed one in an article is that name written formally (`Joseph R. Biden Jr.`).
4. **Context**: one name used for two people. Occurrences are connected by a shared outlet,
   role word or co-occurring entity; a connected group that shares none of these with the main
   group *and* has roles that the main group never has is a different person ("John Smith, a
   fisherman" in one outlet, "John Smith, finance director" in another). Without contrary
   evidence a name stays one person.
5. **Surname alone** ("Obama", "Mr. Trump", "Mrs. Clinton") and initials ("J. Smith"): the one
   person of the family whose office titles it shares ("President Obama"); else, among those whose
   gender (honorific, pronouns, first name) does not conflict, the family's dominant person
   (>= 60% of its weighted occurrences), else the one the article itself names in full.
   Otherwise it stays a person of its own.
6. **First name alone** ("Hillary", "Bernie"), where the corpus (nearly) never uses it as a
   surname: the person of that first name the article names in full, else the corpus's dominant
   one (>= 80% of the full names with it, at least 5). Done in presslens.corpus.persons, across
   families.

Each link records its rule, a confidence and the evidence. Corrections by hand (merge, split)
are applied afterwards and kept across re-ingests.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rapidfuzz.distance import JaroWinkler

from .names import fold

DOMINANT = 0.6  # share of a family a person needs to take its bare-surname occurrences
SPELLING = 0.92  # Jaro-Winkler similarity of two first names that are one name misspelt
RARE = 0.2  # a misspelling is at most this share of the common spelling
_STOP = {"the", "of", "a", "an", "and", "for", "in", "at", "to", "on", "former", "new", "s"}


@dataclass
class Occurrence:
    """One entity of one article, as presslens.corpus.persons stores it in `person_mentions`."""

    article_id: str
    entity_id: str
    kind: str
    alias: str
    family: str
    first: str = ""
    initial: str = ""
    middles: tuple[str, ...] = ()
    suffix: str = ""
    shape: str = "full"
    gender: str = "-"
    titles: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    outlet: str | None = None
    statements: int = 0
    signature: tuple[tuple[str, bool], ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.article_id, self.entity_id)


@dataclass
class Link:
    person_id: str
    rule: str
    confidence: float
    evidence: str


@dataclass
class Group:
    """A person being built: its occurrences and what they say about it."""

    key: str
    members: list[Occurrence] = field(default_factory=list)

    @property
    def name(self) -> str:
        return _canonical(self.members)

    @property
    def size(self) -> int:
        return len(self.members)

    def weight(self) -> int:
        return sum(1 + o.statements for o in self.members)

    def gender(self) -> str:
        votes = Counter(o.gender for o in self.members if o.gender in ("m", "f"))
        if not votes:
            return "-"
        (g, n), *rest = votes.most_common()
        return g if not rest or n >= 2 * rest[0][1] else "-"

    def titles(self) -> set[str]:
        return {t for o in self.members for t in o.titles if t not in HONORIFIC_TITLES}

    def articles(self) -> set[str]:
        return {o.article_id for o in self.members}

    def first_article(self) -> str:
        return min(o.article_id for o in self.members)


HONORIFIC_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame", "mister", "madam"}


def person_id(prefix: str, *parts: str) -> str:
    """A stable id: the same names always give the same id, whatever order they were read in."""
    return f"{prefix}-" + hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:10]


def role_words(roles: tuple[str, ...] | list[str]) -> set[str]:
    return {w for r in roles for w in fold(r).split() if w not in _STOP and len(w) > 2}


def _letters(sig: tuple[tuple[str, bool], ...]) -> tuple[str, ...]:
    return tuple(c for c, _ in sig)


def _subsequence(short: tuple, long: tuple) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def middles_agree(a: tuple[tuple[str, bool], ...], b: tuple[tuple[str, bool], ...]) -> bool:
    """Whether two middle-name signatures can be one person's: equal letters, one of them empty, or
    a middle name written in full inside the other ("Rodham" in "Diane Rodham")."""
    la, lb = _letters(a), _letters(b)
    if not la or not lb or la == lb:
        return True
    short, long = (a, b) if len(la) <= len(lb) else (b, a)
    return _subsequence(_letters(short), _letters(long)) and any(full for _, full in short)


def _full_groups(occs: list[Occurrence], joined: frozenset[str] = frozenset()) -> tuple[list[Group], dict[tuple, tuple[str, str]]]:
    """Rules 1-3: full names grouped by first name and suffix, then by agreeing middle names.
    Returns the groups and, per occurrence, the rule and evidence that put it there."""
    by_name: dict[tuple[str, str], list[Occurrence]] = defaultdict(list)
    for o in occs:
        by_name[(o.first, o.suffix)].append(o)
    why: dict[tuple, tuple[str, str]] = {}
    # rule 2: a rare spelling joins the common one
    order = sorted(by_name, key=lambda k: (-len(by_name[k]), k))
    target: dict[tuple[str, str], tuple[str, str]] = {}
    for i, k in enumerate(order):
        for big in order[:i]:
            if big in target or big[1] != k[1] or big[0][:1] != k[0][:1]:
                continue
            if len(by_name[k]) > RARE * len(by_name[big]):
                continue
            if JaroWinkler.similarity(k[0], big[0]) < SPELLING:
                continue
            gk = Group("", by_name[k]).gender()
            gb = Group("", by_name[big]).gender()
            if "-" not in (gk, gb) and gk != gb:
                continue
            target[k] = big
            break
    merged: dict[tuple[str, str], list[Occurrence]] = defaultdict(list)
    for k in order:
        home = target.get(k, k)
        for o in by_name[k]:
            merged[home].append(o)
            if home != k:
                why[o.key] = ("spelling", f"first name '{k[0]}' ~ '{home[0]}' (Jaro-Winkler "
                                          f"{JaroWinkler.similarity(k[0], home[0]):.2f})")
    groups: list[Group] = []
    for (first, suffix), members in sorted(merged.items()):
        # rule 3: middle names
        sigs = Counter(o.signature for o in members if o.signature)
        clusters: list[list[tuple]] = []
        for sig, _ in sorted(sigs.items(), key=lambda kv: (-kv[1], kv[0])):
            home = next((c for c in clusters if all(middles_agree(sig, s) for s in c)), None)
            if home is None:
                clusters.append([sig])
            else:
                home.append(sig)
        if not clusters:
            clusters = [[()]]
        sub = [Group(f"{first}|{suffix}|" + ("".join(_letters(c[0])) if i else "")) for i, c in enumerate(clusters)]
        for o in members:
            i = next((i for i, c in enumerate(clusters) if o.signature in c), 0)
            sub[i].members.append(o)
            if o.key not in why:
                if o.signature:
                    why[o.key] = ("middle", f"middle names {' '.join(o.middles)} agree")
                else:
                    why[o.key] = ("name", f"same name '{first} {o.family}'" + (f" {suffix}" if suffix else ""))
        groups.extend([g] if g.key in joined else _split_by_context(g, why) for g in sub)
    flat = [g for gs in groups for g in gs]
    return _formal_suffixes(flat, why), why


FORMAL = 3  # articles a suffixed name needs before it can be the unsuffixed one written formally


def _formal_suffixes(groups: list[Group], why: dict) -> list[Group]:
    """A name with a suffix is another person (Donald Trump Jr.), except a name the corpus writes
    formally: seen in at least FORMAL articles, never in an article that also names the same name
    without the suffix apart, and with agreeing middle names ("Joseph R. Biden Jr." is Joe Biden)."""
    base = {}
    for g in groups:
        m = g.members[0]
        if not m.suffix and "#" not in g.key and (m.first, m.family) not in base:
            base[(m.first, m.family)] = g
    out = []
    for g in groups:
        m = g.members[0]
        target = base.get((m.first, m.family)) if m.suffix else None
        sigs = {o.signature for o in g.members} | {o.signature for o in target.members} if target else set()
        if (target is None or len(g.articles()) < FORMAL or g.articles() & target.articles()
                or not all(middles_agree(a, b) for a in sigs for b in sigs)):
            out.append(g)
            continue
        for o in g.members:
            why[o.key] = ("suffix", f"'{o.alias}' is never named beside {target.name} in one article "
                                    f"({len(g.articles())} articles): the same name written formally")
        target.members.extend(g.members)
    return out


def _features(o: Occurrence) -> set[str]:
    out = {f"r:{w}" for w in role_words(o.roles)}
    out |= {f"c:{c}" for c in o.context}
    if o.outlet:
        out.add(f"o:{o.outlet.lower()}")
    return out


def _split_by_context(group: Group, why: dict) -> list[Group]:
    """Rule 4: one name, two people, when the evidence says so (see the module docstring)."""
    if group.size < 2:
        return [group]
    parent = list(range(group.size))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[str, int] = {}
    for i, o in enumerate(group.members):
        for f in sorted(_features(o)):
            if f in seen:
                a, b = root(i), root(seen[f])
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                seen[f] = i
    parts: dict[int, list[Occurrence]] = defaultdict(list)
    for i, o in enumerate(group.members):
        parts[root(i)].append(o)
    if len(parts) == 1:
        return [group]
    ordered = sorted(parts.values(), key=lambda m: (-len(m), min(o.article_id for o in m)))
    main = Group(group.key, list(ordered[0]))
    main_roles = role_words([r for o in main.members for r in o.roles])
    out = [main]
    for members in ordered[1:]:
        roles = role_words([r for o in members for r in o.roles])
        if roles and main_roles and not roles & main_roles:
            g = Group(group.key + "#" + min(o.article_id for o in members), list(members))
            for o in members:
                why[o.key] = ("context", f"roles {', '.join(sorted(roles))} never seen with the other "
                                         f"'{o.alias}' (roles {', '.join(sorted(main_roles))}); no shared outlet "
                                         f"or co-occurring name")
            out.append(g)
        else:
            main.members.extend(members)
    return out


def _resolve_partial(o: Occurrence, groups: list[Group]) -> tuple[Group | None, float, str]:
    """Rule 5: which person a surname alone (or an initial) stands for."""
    cands = [g for g in groups if g.members[0].suffix == o.suffix
             and (o.shape != "initial" or g.members[0].initial == o.initial)]
    # An office title the surname is written with ("President Obama") decides first: the
    # gender an entity's pronouns suggest is weaker evidence (in-article coreference errs).
    titled = [g for g in cands if set(o.titles) & g.titles()]
    if titled:
        def times(g: Group) -> int:  # occurrences of g written with one of these titles
            return sum(1 for m in g.members if set(o.titles) & set(m.titles))

        best = max(titled, key=lambda g: (times(g), g.key))
        share = times(best) / sum(times(g) for g in titled)
        if share >= 0.75:
            return best, round(0.85 * share, 3), "shared title " + ", ".join(sorted(set(o.titles) & best.titles())) \
                + (f" ({share:.0%} of the family's uses of it)" if len(titled) > 1 else "")
    if o.gender in ("m", "f"):
        cands = [g for g in cands if g.gender() in ("-", o.gender)]
        titled = [g for g in titled if g in cands]
    if not cands:
        return None, 0.0, ""
    total = sum(g.weight() for g in cands)
    here = [g for g in cands if o.article_id in g.articles()]
    pool = titled or cands
    pool_total = sum(g.weight() for g in pool)
    best = max(pool, key=lambda g: (g.weight(), g.key))
    share = best.weight() / pool_total if pool_total else 0.0
    if len(cands) == 1:
        return best, 0.8, f"the only {best.name} of the corpus" + \
            (" of this gender" if o.gender != "-" else "")
    if share >= DOMINANT:
        return best, round(share, 3), f"{best.name} is {share:.0%} of the family's occurrences " \
                                      f"({pool_total} of {total} weighted)"
    # An article that names one of them in full, where none dominates the corpus. (Not first:
    # an article's coreference left this surname apart from the full name, so it may be another.)
    if len(here) == 1:
        return here[0], 0.7, f"the article names {here[0].name} in full"
    return None, 0.0, ""


def cluster_family(occs: list[Occurrence], joined: frozenset[str] = frozenset()
                   ) -> tuple[dict[tuple, Link], dict[str, tuple[str, str, str]]]:
    """Links (article_id, entity_id) -> Link and persons person_id -> (kind, canonical name,
    cluster key) for the occurrences of one family. Deterministic: the result depends on the
    occurrences only. Names in `joined` (cluster keys) are never split by context (rule 4): a
    researcher merged them by hand."""
    occs = sorted(occs, key=lambda o: o.key)
    if not occs:
        return {}, {}
    kind = occs[0].kind
    links: dict[tuple, Link] = {}
    persons: dict[str, tuple[str, str]] = {}
    if kind != "person":
        pid = person_id(kind[:1], occs[0].family)
        for o in occs:
            links[o.key] = Link(pid, "name", 1.0, f"same name '{o.family.split(':', 1)[-1]}'")
        persons[pid] = (kind, _canonical(occs), occs[0].family)
        return links, persons
    full = [o for o in occs if o.shape == "full"]
    partial = [o for o in occs if o.shape != "full"]
    groups, why = _full_groups(full, joined)
    for g in groups:
        pid = person_id("p", g.members[0].family, g.key)
        persons[pid] = ("person", _canonical(g.members), g.key)
        for o in g.members:
            rule, evidence = why.get(o.key, ("name", "same name"))
            confidence = {"name": 1.0, "middle": 0.95, "spelling": 0.8, "context": 0.7, "suffix": 0.75}.get(rule, 0.9)
            links[o.key] = Link(pid, rule, confidence, evidence)
    alone: dict[str, list[Occurrence]] = defaultdict(list)
    by_key = {g.key: pid for g in groups for pid in [person_id("p", g.members[0].family, g.key)]}
    for o in partial:
        g, confidence, evidence = _resolve_partial(o, groups)
        if g is not None:
            links[o.key] = Link(by_key[g.key], "surname" if o.shape == "surname" else "initial", confidence, evidence)
        else:
            alone[f"{o.shape}|{o.initial}|{o.suffix}"].append(o)
    for key, members in sorted(alone.items()):
        pid = person_id("p", members[0].family, key)
        persons[pid] = ("person", _canonical(members), key)
        for o in members:
            links[o.key] = Link(pid, "name", 0.5, "a surname the corpus cannot tie to one full name")
    return links, persons


def _canonical(members: list[Occurrence]) -> str:
    """The name a person is shown by: its most frequent full alias (ties: the shortest, then a-z)."""
    full = [o.alias for o in members if o.shape == "full"] or [o.alias for o in members]
    counts = Counter(full)
    return min(counts, key=lambda a: (-counts[a], len(a), a))
