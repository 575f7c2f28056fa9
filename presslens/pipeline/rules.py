"""spaCy's two rule components, `attribute_ruler` and the rule `lemmatizer`, over the Doc's arrays.

Why not spaCy's own: they walk the Doc in Python one Token object at a time (the ruler makes a
Span for every match, and every token matches its tag-map rule), and the lemmatizer looks each
candidate lemma up in a list of up to 57,000 words. Together they cost a fifth of
en_core_web_sm's time on news text (docs/performance.md). These subclasses read the Doc's arrays
once, decide each token from a cache keyed by every value their rules read, and write the arrays
back: the same tags, parts of speech, morphology, lemmas and labels as spaCy's components, token
for token (tests/test_rules.py compares them on every token of the sample and development texts).

Nothing of spaCy's logic is copied. The ruler's patterns go through spaCy's `Matcher` (on one
token the first time a combination of values is seen, and on the whole Doc for the few rules
longer than a token), and what a rule writes is learnt by applying it with spaCy's own
`set_token_attrs` to a scratch token. A new lemma comes from spaCy's own `rule_lemmatize`, on a
copy of the lookups whose word lists are sets (it only asks whether a form is in them).
`use_array_rules` replaces a pipeline's components only when they hold nothing else (no
callback, extension attribute, lookup mode, or rule reading another attribute).
"""

from __future__ import annotations

import copy

import numpy as np
from spacy.attrs import DEP, LEMMA, MORPH, ORTH, POS, TAG
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.lookups import Lookups, Table
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

# What the ruler's patterns may read: functions of a token's ORTH, TAG, DEP, POS and MORPH
# (the cache key); and what its rules may write.
READ_NAMES = {"ORTH", "TEXT", "LOWER", "IS_SPACE", "TAG", "DEP", "POS", "MORPH"}
KEY = [ORTH, TAG, DEP, POS, MORPH]
WRITES = (TAG, POS, MORPH, LEMMA, DEP)
# Cached value combinations per component (about 25 MB each); the cache starts again beyond it
# (spaCy's own lemmatizer cache grows without bound)
CACHE_LIMIT = 100_000


class ArrayAttributeRuler(AttributeRuler):
    """spaCy's `AttributeRuler` (same patterns, same serialisation), applied over arrays."""

    # (one-token Matcher, longer-rule Matcher, the columns rules write, what each rule writes as
    # (column, value) pairs, rule number of each match id): built on first use
    _rules = None

    def add(self, patterns, attrs, index: int = 0) -> None:
        super().add(patterns, attrs, index)
        self._rules, self._cache = None, {}

    def clear(self) -> None:
        super().clear()
        self._rules, self._cache = None, {}

    @staticmethod
    def replaces(ruler) -> bool:
        """Whether `ruler` holds only what this class reproduces."""
        if type(ruler) is not AttributeRuler:
            return False
        if any(a not in WRITES for attrs in ruler.attrs for a in attrs):  # extension attributes, ...
            return False
        return all({str(k).upper() for token in pattern for k in token} <= READ_NAMES
                   for entry in ruler.patterns for pattern in entry["patterns"])

    def _compile(self):
        single, multi = Matcher(self.vocab), Matcher(self.vocab)
        for attr_id, entry in enumerate(self.patterns):  # entry i has attribute id i, as in spaCy
            for pattern in entry["patterns"]:
                (single if len(pattern) == 1 else multi).add(str(attr_id), [pattern])
        columns = sorted({a for attrs in self.attrs for a in attrs})
        written = []
        for attrs in self.attrs:
            scratch = Doc(self.vocab, words=["x"])
            set_token_attrs(scratch[0], attrs)
            row = scratch.to_array(list(WRITES))[0]
            written.append([(columns.index(a), int(row[WRITES.index(a)])) for a in attrs])
        # match ids are the hashes of the rule numbers: mapped here, so a Doc's matches never
        # need those strings (a `memory_zone` may have taken them out of the string store)
        ids = {self.vocab.strings.add(str(i)): i for i in range(len(self.attrs))}
        self._rules, self._cache = (single, multi, columns, written, ids), {}
        return self._rules

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        single, multi, columns, written, rule_of = self._rules or self._compile()
        cache = self._cache
        per_token: list[tuple[int, ...]] = []
        for i, key in enumerate(map(tuple, doc.to_array(KEY).tolist())):
            ids = cache.get(key)
            if ids is None:  # spaCy's Matcher decides, on the token itself
                if len(cache) >= CACHE_LIMIT:
                    cache.clear()
                found = single(doc[i:i + 1], allow_missing=True, as_spans=False)
                ids = cache[key] = tuple(sorted({rule_of[m] for m, _s, _e in found}))
            per_token.append(ids)
        if len(multi):
            for m, start, end in multi(doc, allow_missing=True, as_spans=False):
                attr_id = rule_of[m]
                index = self.indices[attr_id]
                target = (start if index >= 0 else end) + index
                if not start <= target < end:
                    raise ValueError(f"attribute_ruler rule {attr_id}: index {index} is outside its match")
                per_token[target] = tuple(sorted({attr_id, *per_token[target]}))
        out = doc.to_array(columns).reshape(n, len(columns))
        for i, ids in enumerate(per_token):
            for attr_id in ids:  # in id order: later rules win, as in spaCy
                for column, value in written[attr_id]:
                    out[i, column] = value
        doc.from_array(columns, out)
        return doc


class ArrayLemmatizer(EnglishLemmatizer):
    """spaCy's English rule lemmatizer (same lookups, same lemmas), applied over arrays."""

    _fast = None  # a copy with set word lists that computes new lemmas; built on first use

    @staticmethod
    def replaces(lemmatizer) -> bool:
        return type(lemmatizer) is EnglishLemmatizer and lemmatizer.mode == "rule"

    def _helper(self) -> EnglishLemmatizer:
        fast = copy.copy(self)
        fast.lookups = Lookups()
        for name in self.lookups.tables:
            table = self.lookups.get_table(name)
            if name == "lemma_index":
                table = Table.from_dict({pos: frozenset(words) for pos, words in table.items()}, name=name)
            fast.lookups.set_table(name, table)
        fast.cache = {}
        self._fast, self._source, self._lemmas = fast, self.lookups, {}  # (orth, pos, morph) -> lemma
        return fast

    def __call__(self, doc: Doc) -> Doc:
        if self.mode != "rule":
            return super().__call__(doc)
        if not len(doc):
            return doc
        if not self._validated:
            self._validate_tables()
        fast = self._fast if self._fast is not None and self._source is self.lookups else self._helper()
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = rows[:, 3].copy()
        cache, strings = self._lemmas, self.vocab.strings
        todo: dict[int, str] = {}
        for i, (orth, pos, morph, lemma) in enumerate(rows.tolist()):
            if self.overwrite or lemma == 0:
                key = (orth, pos, morph)  # all that spaCy's rules read of a token
                value = cache.get(key)
                if value is None:
                    if len(cache) >= CACHE_LIMIT:
                        cache.clear()
                        fast.cache.clear()  # spaCy's rule_lemmatize caches each new word too
                    value = cache[key] = fast.rule_lemmatize(doc[i])[0]
                todo[i] = value
        # The lemmas are cached as strings and added to the string store for each Doc: inside a
        # `memory_zone` (the ingest workers run in one) new strings last only until it closes
        added = {v: strings.add(v) for v in set(todo.values())}
        for i, value in todo.items():
            lemmas[i] = added[value]
        doc.from_array([LEMMA], lemmas.astype(np.uint64))
        return doc


@Language.factory("presslens_attribute_ruler", default_config={
    "validate": False, "scorer": {"@scorers": "spacy.attribute_ruler_scorer.v1"}})
def make_attribute_ruler(nlp: Language, name: str, validate: bool, scorer) -> ArrayAttributeRuler:
    return ArrayAttributeRuler(nlp.vocab, name, validate=validate, scorer=scorer)


@Language.factory("presslens_lemmatizer", default_config={
    "model": None, "mode": "rule", "overwrite": False, "scorer": {"@scorers": "spacy.lemmatizer_scorer.v1"}})
def make_lemmatizer(nlp: Language, model, name: str, mode: str, overwrite: bool, scorer) -> ArrayLemmatizer:
    return ArrayLemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite, scorer=scorer)


def use_array_rules(nlp: Language) -> list[str]:
    """Replace `nlp`'s attribute ruler and rule lemmatizer by the array versions, under the same
    names and in the same places, with the same rules; returns the names replaced."""
    replaced = []
    for name in list(nlp.pipe_names):
        old = nlp.get_pipe(name)
        if ArrayAttributeRuler.replaces(old):  # spaCy's config records the factory that replaced it
            new = nlp.replace_pipe(name, "presslens_attribute_ruler", config={"validate": old.validate})
            new.add_patterns(old.patterns)
            new._compile()  # now, outside any memory zone: the values it learns stay in the string store
        elif ArrayLemmatizer.replaces(old):
            new = nlp.replace_pipe(name, "presslens_lemmatizer", config={"mode": "rule", "overwrite": old.overwrite})
            new.lookups = old.lookups
        else:
            continue
        replaced.append(name)
    return replaced
