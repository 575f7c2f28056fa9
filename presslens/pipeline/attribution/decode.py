"""Tag runs to statements: which content and source belong to which cue.

The tagger says where sources, cues and contents are; this module links them with a few rules
measured on PolNeAR train (oracle tags give the linking ceiling, see docs/evaluation.md):
each content run goes to the nearest cue of the sentences it covers, each source run to the
nearest cue of its sentence; a content run with no cue near it ("floating" quote) continues the
statement just before it when that one is close, else it stands alone, unattributed. Parse
fallbacks fill a cue's missing source (its subject) or content (its complement), and relay
cues ("according to Z") become `according_to` chains.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc

from ..annotations import token_texts
from .features import paragraph_bounds

RELAY_LEMMAS = {"accord", "according", "per", "report", "cite", "quote"}  # pass content on
_FLOAT_SENTS = 2  # a floating quote may follow its statement by at most this many sentences
_ALONE_MIN = 8  # an unquoted content with no cue near it is kept only when this long


@dataclass
class Linked:
    cue: list[tuple[int, int]] = field(default_factory=list)
    source: list[tuple[int, int]] = field(default_factory=list)
    content: list[tuple[int, int]] = field(default_factory=list)
    floating: bool = False  # content with no cue of its own
    parsed: bool = False  # content read off the parse, not tagged
    relayed_by: list[tuple[int, int]] = field(default_factory=list)  # according_to relays
    turn: bool = False  # a transcript's turn ("PENCE: ..."), read off the layout (`transcript_turns`)


def _dist(a: tuple[int, int], b: tuple[int, int]) -> int:
    if a[1] <= b[0]:
        return b[0] - a[1]
    if b[1] <= a[0]:
        return a[0] - b[1]
    return 0


def link(doc: Doc, runs: list[tuple[str, int, int]], quoted: list[int] | None = None) -> list[Linked]:
    """`runs`: (label S|C|Q, start, end) token runs of the whole doc, in order; `quoted`: 1 for
    tokens inside quotation marks (only quotes float to an earlier statement)."""
    sent_of, sent_start = {}, {}
    for k, s in enumerate(doc.sents):
        sent_start[k] = s.start
        for i in range(s.start, s.end):
            sent_of[i] = k
    para_of = [0] * len(doc)
    p = 0
    for i, text in enumerate(token_texts(doc)[0]):
        if "\n" in text and text.isspace():
            p += 1
        para_of[i] = p
    cues = [(s, e) for lab, s, e in runs if lab == "C"]
    stmts = {c: Linked(cue=[c]) for c in cues}
    cue_sents: dict[int, list] = {}
    for c in cues:
        for k in range(sent_of[c[0]], sent_of[c[1] - 1] + 1):
            cue_sents.setdefault(k, []).append(c)

    def nearest(span, sents):
        cands = {c for k in sents for c in cue_sents.get(k, [])}
        cands = [c for c in cands if para_of[c[0]] == para_of[span[0]] or para_of[c[0]] == para_of[span[1] - 1]]
        return min(cands, key=lambda c: (_dist(c, span), c)) if cands else None

    pending_q = []
    for lab, s, e in _split_at_cued_sentences(runs, sent_of, sent_start, cue_sents):
        span = (s, e)
        first, last = sent_of[s], sent_of[e - 1]
        if lab == "S":
            c = nearest(span, range(first, last + 1))
            if c is not None:
                stmts[c].source.append(span)
        elif lab == "Q":
            c = nearest(span, range(first, last + 1))
            if c is None:
                c = nearest(span, (first - 1, last + 1))
                if c is not None and _narration(span, stmts[c], sent_of, quoted):
                    c = None
            if c is not None:
                stmts[c].content.append(span)
            else:
                pending_q.append(span)
    for c, st in stmts.items():
        if len(st.content) > 1:  # runs not joined to the cue are dropped (+0.4 exact F1 on dev)
            st.content, _rest = _cluster(c, st.content, quoted)
    # a relay cue with a source but no content of its own ("X said, according to Reuters"):
    # its source joins the chain of the nearest statement of the sentence
    for c, st in stmts.items():
        if st.content or not st.source or doc[c[0]].lemma_.lower() not in RELAY_LEMMAS:
            continue
        near = [d for d in cue_sents.get(sent_of[c[0]], []) if d != c and (stmts[d].content or stmts[d].source)]
        if near:
            target = stmts[min(near, key=lambda d: _dist(d, c))]
            target.relayed_by.extend(st.source)
            st.source = []
    # "He said:" ending its paragraph, the quotation opening the next: that is its content
    pending_q = _colon_quotes(doc, stmts, pending_q, para_of)
    # a cue the tagger gave a source but no content: read the content off the parse
    # ("The talks will resume, X said", "The banks, he added, see ...", "emphasized the need to ...")
    taken = {i for lab, s, e in runs if lab != "O" for i in range(s, e)}
    for c, st in stmts.items():
        if not st.content and st.source:
            span = parse_content(doc, c, taken)
            if span is not None:
                st.content.append(span)
                st.parsed = True
    out = sorted((st for st in stmts.values() if st.content), key=lambda st: st.content[0][0])
    for span in pending_q:
        dashed = _dash_source(doc, span)
        if dashed is not None:  # '"...." ― Jane Doe': a signed quote
            out.append(Linked(cue=[dashed[0]], source=[dashed[1]], content=[span]))
            continue
        prev = [st for st in out if not st.floating and st.content[-1][1] <= span[0]]
        is_quote = quoted is None or 2 * sum(quoted[span[0] : span[1]]) > span[1] - span[0]
        if is_quote and prev and sent_of[span[0]] - sent_of[prev[-1].content[-1][1] - 1] <= _FLOAT_SENTS:
            # PolNeAR links a floating quote to its statement as one more content span
            # (measured: a separate statement scores 0.7 e2e F1 lower on dev)
            prev[-1].content.append(span)
        elif is_quote or span[1] - span[0] >= _ALONE_MIN:
            out.append(Linked(content=[span], floating=True))
    for st in out:
        st.content.sort()
        if st.cue and len(st.source) > 1:
            # one source per statement (PolNeAR: 9 in 19,832 have two): the cue's subject, else
            # the closest run
            subj = parse_source(doc, st.cue[0])
            hit = [r for r in st.source if subj and r[0] < subj[1] and subj[0] < r[1]]
            st.source = hit[:1] or [min(st.source, key=lambda r: (_dist(r, st.cue[0]), r))]
        if st.cue and not st.source:
            src = parse_source(doc, st.cue[0])
            if src is not None:
                st.source.append(src)
                # the tagger may have read the subject as content ("X was quoted as saying ...")
                rest = [r for r in st.content if not (r[0] < src[1] and src[0] < r[1])]
                st.content = rest or st.content
    out = _inverted_cues(doc, out, quoted)
    out = transcript_turns(doc, out)
    out.sort(key=lambda st: st.content[0][0])
    return out


# A say-verb that opens its sentence, before its speaker: "Said Ellis: “I don't ...”",
# "Added one resident, \"...\"" (the verb's forms, capitalised as a sentence start)
_INVERTED = {"said", "says", "added", "adds", "asked", "asks", "wrote", "writes", "explained", "noted", "replied",
             "recalled", "continued", "declared", "tweeted", "warned", "insisted"}
_INVERTED_SPEAKER_WORDS = 8
_OPENING_MARKS = ("\u201c", '"', "\u2018", "'")


def _inverted_cues(doc: Doc, out: list[Linked], quoted: list[int] | None) -> list[Linked]:
    """"Said X: “...”": the words between the verb and a colon or comma are the speaker, the
    quotation after them the content. A statement the tagger made of it (the speaker read as
    content, or no speaker) is set right; one that no statement covers is added."""
    if quoted is None:
        return out
    texts = token_texts(doc)[0]
    n = len(texts)
    for sent in doc.sents:
        first = next((i for i in range(sent.start, sent.end) if not texts[i].isspace()), None)
        if first is None or texts[first].lower() not in _INVERTED or not texts[first][0].isupper():
            continue
        j = first + 1
        while j < sent.end and j - first <= _INVERTED_SPEAKER_WORDS and texts[j] not in (":", ",") and not quoted[j]:
            j += 1
        if j == first + 1 or j >= n or texts[j] not in (":", ","):
            continue
        k = _quotation_start(texts, j + 1)
        if k is None:
            continue
        end = k
        while end < n and quoted[end]:
            end += 1
        if end - k < 2:
            continue
        cue, source, content = (first, first + 1), (first + 1, j), (k, end)
        hit = [st for st in out if any(s < end and k < e or s < j and first < e for s, e in st.content)]
        if not hit:
            out.append(Linked(cue=[cue], source=[source], content=[content]))
        elif len(hit) == 1 and (not hit[0].cue or any(s <= first < e for s, e in hit[0].cue)):
            hit[0].cue, hit[0].source, hit[0].content, hit[0].floating = [cue], [source], [content], False
    return out


# Words that head a paragraph in capitals before a colon without naming who speaks
# ("UPDATE: ...", "WATCH: ...", "BYLINE: ...")
_NOT_SPEAKERS = {"update", "updated", "watch", "byline", "warning", "note", "editor's note", "editors note", "photo",
                 "video", "read more", "related", "source", "sources", "correction", "breaking", "exclusive",
                 "breaking news", "live", "analysis", "opinion", "transcript", "q", "a", "ps", "p.s.", "tl;dr", "faq"}
_TURN_LABEL_WORDS = 4


def _turn_label(texts: list[str], start: int, end: int) -> tuple[int, int, int] | None:
    """(label start, label end, colon) when the paragraph `start:end` opens, after an optional
    quotation mark, with a speaker label in capitals and a colon ("WALLACE: Let's start ...",
    '"SEN. CRUZ: We ...'): the turn of a transcript."""
    i = start
    if i < end and texts[i] in _OPENING_MARKS + ("\u201d",):
        i += 1
    j = i
    while j < end and j - i < _TURN_LABEL_WORDS and texts[j] != ":":
        word = texts[j].replace(".", "").replace("'", "").replace("\u2019", "").replace("-", "")
        if not (word.isalpha() and word.isupper()):
            return None
        j += 1
    if j == i or j >= end or texts[j] != ":" or not any(sum(c.isupper() for c in texts[k]) >= 2 for k in range(i, j)):
        return None
    return i, j, j


def transcript_turns(doc: Doc, out: list[Linked]) -> list[Linked]:
    """Interview and debate transcripts: a paragraph that opens with a speaker label in capitals
    and a colon ("PENCE: Well, look, ...") is that speaker's statement, the colon its cue and
    the rest of the paragraph its content, with the paragraphs after it up to the next turn
    (not a stage direction such as "(BEGIN VIDEO CLIP)"): PolNeAR annotates turns so. A label
    is a speaker when it heads two turns of the article or names a person the article
    mentions, and is none of the headings of `_NOT_SPEAKERS`. A turn replaces what the tagger
    made of its label, of most of its words, or of its words without a source; an attribution
    with its own source inside the turn ("as the Journal wrote, ...") stays."""
    texts = token_texts(doc)[0]
    paras = paragraph_bounds(doc)
    found = []
    for k, (start, end) in enumerate(paras):
        label = _turn_label(texts, start, end)
        if label is not None and " ".join(texts[label[0]:label[1]]).lower() not in _NOT_SPEAKERS:
            found.append((k, label))
    if not found:
        return out
    person_words = {t.lower_ for ent in doc.ents if ent.label_ == "PERSON" for t in ent}
    heads: dict[str, int] = {}  # by last word: "JAKE TAPPER" and "TAPPER" are one speaker
    for _k, (_s, e, _c) in found:
        heads[texts[e - 1].lower()] = heads.get(texts[e - 1].lower(), 0) + 1
    for n, (k, (s, e, colon)) in enumerate(found):
        if heads[texts[e - 1].lower()] < 2 and not any(texts[i].lower() in person_words for i in range(s, e)):
            continue
        last = found[n + 1][0] if n + 1 < len(found) else k + 1  # the next turn's paragraph
        spans = [(colon + 1, paras[k][1])] + [paras[j] for j in range(k + 1, last) if texts[paras[j][0]] not in "(["]
        spans = [sp for sp in (_without_marks(texts, a, b) for a, b in spans) if sp is not None]
        words = [i for a, b in spans for i in range(a, b) if any(c.isalnum() for c in texts[i])]
        if len(words) < 2:
            continue
        source, cue, inside_turn = (s, e), (colon, colon + 1), set(words)

        def replaced(st: Linked) -> bool:
            mine = [i for a, b in st.content for i in range(a, b) if any(c.isalnum() for c in texts[i])]
            inside = sum(i in inside_turn for i in mine)
            on_label = any(a < cue[1] and s <= b - 1 for a, b in st.source + st.cue + st.content)
            own_source = any(a >= colon for a, _b in st.source)
            return inside > 0 and (on_label or 2 * inside >= len(words) or not own_source)

        out = [st for st in out if not replaced(st)]
        out.append(Linked(cue=[cue], source=[source], content=spans, turn=True))
    return out


def _without_marks(texts: list[str], start: int, end: int) -> tuple[int, int] | None:
    """`start:end` without the spaces and quotation marks at its edges (None when nothing is left)."""
    marks = _OPENING_MARKS + ("\u201d", "\u2019")
    while start < end and (texts[start].isspace() or texts[start] in marks):
        start += 1
    while end > start and (texts[end - 1].isspace() or texts[end - 1] in marks):
        end -= 1
    return (start, end) if start < end else None


def _open_mark(text: str) -> str | None:
    """The mark of a quotation left open at the end of `text`, read by characters (a mark
    glued to a dash is no token of its own: 'about.\u201d\u2015 Pamela'): None when all are closed."""
    curly, straight = 0, False
    for ch in text:
        if ch == "\u201c":
            curly += 1
        elif ch == "\u201d":
            curly = max(0, curly - 1)
        elif ch == '"':
            straight = not straight
    return "\u201c" if curly else '"' if straight else None


def _reopened_paragraphs(doc: Doc) -> dict[int, int]:
    """{first token of a paragraph: last token of the paragraph before} where a quotation is
    left open at the end of one paragraph and re-opened, with the same kind of mark, at the
    start of the next: news style for a quotation that runs over paragraphs ("...our
    side.\n\n\u201cNobody will ...")."""
    paras = paragraph_bounds(doc)
    out = {}
    texts = token_texts(doc)[0]  # (the paragraph's tokens: only its quotation marks count)
    for (s1, e1), (s2, _e2) in zip(paras, paras[1:]):
        mark = _open_mark("".join(texts[s1:e1]))
        if mark is not None and texts[s2].startswith(mark):
            out[s2] = e1 - 1
    return out


def join_paragraph_quotes(doc: Doc, stmts: list[Linked], same_speaker=None) -> list[Linked]:
    """A quotation re-opened at the start of each paragraph without being closed is one
    statement: the statement that starts there joins the one whose content the open quotation
    of the paragraph before belongs to, when it names no source of its own or
    `same_speaker(earlier, later)` says its source is the same speaker ("..., she said" at the
    end stays as one more cue span). A source naming someone else keeps its own statement: the
    tagger may have given the open quotation to the wrong statement (measured on PolNeAR dev:
    joining regardless cost 0.2 e2e F1)."""
    reopened = _reopened_paragraphs(doc)
    if not reopened:
        return stmts
    out: list[Linked] = []
    for st in stmts:
        first = st.content[0][0]
        mark = first - 1 if first - 1 in reopened else first if first in reopened else None
        prev = None
        if mark is not None:
            last = reopened[mark]
            # the statement whose content runs to the end of that paragraph (its full stop and
            # mark may be left out)
            prev = next((p for p in reversed(out) if any(s <= last and e > last - 3 for s, e in p.content)), None)
        if prev is None or (st.source and prev.source and not (same_speaker and same_speaker(prev, st))):
            out.append(st)
            continue
        prev.content = sorted(prev.content + st.content)
        if not prev.source and st.source:
            prev.source, prev.relayed_by = list(st.source), list(st.relayed_by)
        prev.cue = sorted(set(prev.cue + st.cue))
        prev.floating = prev.floating and st.floating
    return out


_SUBJ = ("nsubj",)  # not nsubjpass: "X was seen as Y" names what is talked about, not who talks
_CONTENT_DEPS = ("ccomp", "xcomp", "dobj", "attr", "oprd")


def _narration(span: tuple[int, int], st: Linked, sent_of: dict, quoted: list[int] | None) -> bool:
    """An unquoted run in the sentence next to a cue whose statement already has its content in
    the cue's own sentence is narration, not more of that content: '"We will rebuild it," she
    said. Emmanuel Macron welcomed the plan.'"""
    if quoted is not None and 2 * sum(quoted[span[0] : span[1]]) > span[1] - span[0]:
        return False
    cue_sent = sent_of[st.cue[0][0]]
    return sent_of[span[0]] != cue_sent and any(sent_of[q[0]] == cue_sent for q in st.content)


def parse_content(doc: Doc, cue: tuple[int, int], taken: set[int]) -> tuple[int, int] | None:
    """The content of a cue from the parse: its clausal complement or object, or, for a cue
    inserted into the clause it reports (parataxis, "according to"), that clause without it."""
    tok = doc[cue[0]]
    for t in doc[cue[0] : cue[1]]:
        if not (cue[0] <= t.head.i < cue[1]) or t.head.i == t.i:
            tok = t
            break
    for c in tok.children:
        if c.dep_ in _CONTENT_DEPS and not (cue[0] <= c.i < cue[1]):
            span = (c.left_edge.i, c.right_edge.i + 1)
            if not any(i in taken for i in range(*span)):
                return span
    host = tok.head if tok.dep_ in ("parataxis", "prep", "advcl") and tok.head.i != tok.i else None
    if host is None:
        return None
    drop = {t.i for t in tok.subtree}
    words = [t.i for t in host.subtree if t.i not in drop and not t.is_punct and t.i not in taken]
    if not words:
        return None
    # the longest run of kept words on one side of the cue
    before = [i for i in words if i < cue[0]]
    after = [i for i in words if i >= cue[1]]
    side = before if len(before) >= len(after) else after
    if len(side) < 3:
        return None
    return side[0], side[-1] + 1


def parse_source(doc: Doc, cue: tuple[int, int]) -> tuple[int, int] | None:
    """The cue's subject from the parse, when the tagger found no source: "X said", "said X",
    "X, saying ...", "according to X", "denounced by X". Never across a line break: a parse that
    runs a heading into the next paragraph ("The Latest on the race:" ... "Trump is questioning
    ..., encouraging") gives no speaker."""
    found = _parse_source(doc, cue)
    if found is None:
        return None
    s, e = found
    line = [i for i in range(s, e) if _line_break(doc[i])]
    if line:  # "11:05 a.m.\n\nDonald Trump said": the words on the cue's side of the break
        s, e = (line[-1] + 1, e) if e <= cue[0] else (s, line[0])
    gap = range(e, cue[0]) if e <= cue[0] else range(cue[1], s)
    if e <= s or any(_line_break(doc[i]) for i in gap):
        return None
    return s, e


def _line_break(tok) -> bool:
    return tok.is_space and "\n" in tok.text


def _parse_source(doc: Doc, cue: tuple[int, int]) -> tuple[int, int] | None:
    heads = [t for t in doc[cue[0] : cue[1]] if t.head.i < cue[0] or t.head.i >= cue[1] or t.head.i == t.i]
    for tok in heads or [doc[cue[0]]]:
        for cur in (tok, tok.head):
            for c in cur.children:
                if (c.dep_ in _SUBJ or (c.dep_ == "nsubjpass" and speaks_through(cur))) and not (cue[0] <= c.i < cue[1]):
                    return _np(c)
                if c.dep_ == "agent":
                    for g in c.children:
                        if g.dep_ == "pobj":
                            return _np(g)
            if cur.dep_ not in ("advcl", "xcomp", "conj", "acl", "relcl", "pcomp"):
                break
    for t in doc[cue[0] : cue[1]]:
        if t.lower_ in ("to", "per"):
            for c in t.children:
                if c.dep_ == "pobj":
                    return _np(c)
    return None


def _split_at_cued_sentences(runs, sent_of, sent_start, cue_sents):
    """A content run that starts in a sentence with a cue and runs into a later sentence with a
    cue of its own is two contents: "Officials met to discuss the plan. "We will deliver it,"
    Maria Okafor said." (the CRF sometimes tags across the sentence break). A run over sentences
    without cues ('"We will win. We will win big," said Smith') stays whole."""
    for lab, s, e in runs:
        first, last = sent_of[s], sent_of[e - 1]
        if lab != "Q" or first == last or first not in cue_sents:
            yield lab, s, e
            continue
        for k in range(first + 1, last + 1):
            if k in cue_sents and sent_start[k] > s:
                yield lab, s, sent_start[k]
                s = sent_start[k]
        yield lab, s, e


def _quotation_start(texts: list[str], i: int) -> int | None:
    """The first word of a quotation opening at token `i` (after whitespace and opening marks;
    None when no opening mark is there)."""
    k = i
    while k < len(texts) and (texts[k].isspace() or texts[k] in _OPENING_MARKS):
        k += 1
    return k if any(texts[m] in _OPENING_MARKS for m in range(i, k)) else None


def _colon_quotes(doc: Doc, stmts: dict, pending: list[tuple[int, int]], para_of: list[int]) -> list[tuple[int, int]]:
    """A cue with no content whose paragraph ends with a colon after it ("He said:",
    "Caddell continued:") takes as content the quotation that opens the next paragraph, when
    no cue of that paragraph took it (it is in `pending`). Returns the quotations left."""
    if not pending:
        return pending
    texts = token_texts(doc)[0]
    n = len(texts)
    left = list(pending)
    for c, st in stmts.items():
        if st.content:
            continue
        end = c[1]
        while end < n and para_of[end] == para_of[c[1] - 1]:
            end += 1  # the end of the cue's paragraph: the line break that starts the next
        last = end - 1
        while last >= c[1] and texts[last].isspace():
            last -= 1
        if last < c[1] or texts[last] != ":":
            continue
        k = _quotation_start(texts, end)  # the first word of the next paragraph, after its opening mark
        if k is None:
            continue
        span = next((q for q in left if q[0] <= k < q[1] or q[0] == k + 1), None)
        if span is not None and para_of[span[0]] > para_of[c[0]]:
            st.content.append(span)
            left.remove(span)
    return left


def speaks_through(verb) -> bool:
    """A passive cue whose subject speaks: "X was quoted as saying", "X can be heard yelling"
    (not "X was expected to announce": measured on dev, taking every passive subject with a
    verb complement as source cost 0.4 e2e F1)."""
    return verb.lemma_.lower() in _RELAYED_SPEECH and any(
        c.pos_ == "VERB" and c.dep_ in ("xcomp", "advcl", "pcomp") for k in verb.children for c in (k, *k.children))


def _np(tok) -> tuple[int, int]:
    # the subject's own words, without a trailing relative clause or apposition after a comma
    end = tok.i + 1
    if tok.lower_ in ("that", "which", "who") and tok.head.dep_ == "relcl":
        tok = tok.head.head  # "the group, which said ...": the group
    for c in tok.rights:
        if c.dep_ in ("relcl", "appos", "acl", "punct") or c.text == ",":
            break
        end = c.right_edge.i + 1
    return tok.left_edge.i, end


_RELAYED_SPEECH = {"quote", "hear", "overhear", "record", "cite", "report", "tape", "film", "see"}
_DASHES = {"\u2015", "\u2014", "\u2013", "--", "-"}


def _dash_source(doc: Doc, span: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """A quote signed with a dash and a name right after it: (dash, name) token ranges."""
    i = span[1]
    while i < len(doc) and (doc[i].is_punct and doc[i].text not in _DASHES or doc[i].text in "\u00a0 "):
        i += 1
    if i >= len(doc) or doc[i].text not in _DASHES:
        return None
    j = i + 1
    while j < len(doc) and doc[j].is_space and "\n" not in doc[j].text:
        j += 1
    k = j
    while k < len(doc) and doc[k].pos_ == "PROPN":
        k += 1
    return ((i, i + 1), (j, k)) if k > j else None


def _cluster(cue, spans, quoted):
    """The content runs that belong with their cue: the nearest one, and the others only when
    joined to it (the cue between them: '"A," he said, "B"'; both quoted; or a gap of at most
    two tokens). The rest belongs to some attribution whose cue the tagger missed."""
    spans = sorted(spans)
    near = min(spans, key=lambda sp: (_dist(cue, sp), sp))
    keep, rest = [near], []
    isq = (lambda sp: quoted is not None and 2 * sum(quoted[sp[0] : sp[1]]) > sp[1] - sp[0])
    for sp in spans:
        if sp == near:
            continue
        joined = (min(sp[1], near[1]) <= cue[0] and cue[1] <= max(sp[0], near[0])) or (isq(sp) and isq(near)) \
            or any(_dist(sp, k) <= 2 for k in keep)
        (keep if joined else rest).append(sp)
    return sorted(keep), rest


# a sentence-initial connective before a parenthetical cue is the writer's ("However, he said,
# the plan ..."), not the speaker's
_CONNECTIVES = {"however", "but", "and", "still", "yet", "so", "meanwhile", "instead", "indeed", "moreover", "also",
                "now", "then", "thus", "again", "further", "furthermore", "besides", "or", "nor", "plus"}


def parenthetical_fronts(doc: Doc, stmts: list[Linked], quoted: list[int] | None = None) -> list[Linked]:
    """"The big powers, he added, see the deal as a defeat": a cue set off by commas inside the
    sentence it reports splits the content in two, and the words before it ("The big powers")
    belong to the content as much as those after it (PolNeAR's annotators read it so). Where a
    statement's source and cue stand between two commas, its content starts right after the
    second and no statement holds the words from the sentence's start to the first, they join
    the content."""
    taken = {i for st in stmts for s, e in st.content + st.cue + st.source for i in range(s, e)}
    for st in stmts:
        if len(st.cue) != 1 or not st.source or not st.content or st.floating:
            continue
        block = sorted(st.source + st.cue)
        start, end = block[0][0], block[-1][1]
        covered = {i for s, e in block for i in range(s, e)}
        if any(i not in covered and not (doc[i].is_punct or doc[i].is_space) for i in range(start, end)):
            continue
        before = start - 1
        while before >= 0 and doc[before].is_space:
            before -= 1
        after = end
        while after < len(doc) and (doc[after].is_space or (after not in taken and doc[after].text != "," and doc[after].is_punct)):
            after += 1
        if before < 0 or doc[before].text != "," or after >= len(doc) or doc[after].text != ",":
            continue
        first = min(s for s, _ in st.content)
        nxt = after + 1
        while nxt < len(doc) and (doc[nxt].is_space or (doc[nxt].is_punct and nxt not in taken)):
            nxt += 1
        if max(e for _, e in st.content) <= start:
            _back(doc, st, before, nxt, taken, quoted)
            continue
        if first > nxt or first < after:
            continue
        sent = doc[before].sent
        s = sent.start
        while s < before and (doc[s].is_space or doc[s].is_punct):
            s += 1
        if any(t.i in taken for t in doc[s:before]) or any(t.text in _QUOTE_MARKS for t in doc[s:before]):
            continue
        # "..., but the air had become so bad, he said, that": the clause after the last
        # coordinating conjunction; "And perhaps, he said, it could": without the conjunction
        for k in range(before - 1, s - 1, -1):
            if doc[k].pos_ == "CCONJ" and (k == s or doc[k - 1].text in (",", ";", "--", "—")):
                s = k + 1
                break
        words = [t for t in doc[s:before] if not (t.is_punct or t.is_space)]
        if not words or (len(words) == 1 and words[0].lower_ in _CONNECTIVES):
            continue
        if words[-1].pos_ == "CCONJ" or (words[0].tag_ in ("VBN", "VBG") and words[0].dep_ == "advcl"):
            # "who works for RT and, he said, has": a conjunct; "Asked about it, he said,": the
            # participle is a statement of its own
            continue
        if quoted is not None and all(quoted[t.i] for sp in st.content for t in doc[sp[0]:sp[1]] if not (t.is_punct or t.is_space)):
            continue  # a quotation: the words before its cue are the writer's
        st.content = sorted(st.content + [(s, before)])
        taken.update(range(s, before))
    return stmts


def _back(doc: Doc, st: Linked, before: int, nxt: int, taken: set[int], quoted: list[int] | None) -> None:
    """"The museum, Mr. Obama said, would make visitors face": a content that ends at the comma
    before its cue with no verb is a subject whose predicate follows the cue; the rest of the
    sentence joins it (not after a quotation: '"A disgrace," she said, calling for' is whole)."""
    front = [t for s, e in st.content for t in doc[s:e] if not (t.is_punct or t.is_space)]
    if not front or front[-1].i >= before or any(t.pos_ in ("VERB", "AUX") for t in front):
        return
    if quoted is not None and any(quoted[t.i] for t in front):
        return
    if any(not (doc[i].is_punct or doc[i].is_space) for i in range(front[-1].i + 1, before)):
        return
    sent = doc[nxt].sent if nxt < len(doc) else None
    if sent is None or sent.start > before:
        return
    end = sent.end
    while end > nxt and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    if end <= nxt or any(i in taken for i in range(nxt, end)):
        return
    st.content = sorted(st.content + [(nxt, end)])
    taken.update(range(nxt, end))


_QUOTE_MARKS = {'"', "\u201c", "\u201d", "\u2018", "\u2019", "'", "``", "''"}
