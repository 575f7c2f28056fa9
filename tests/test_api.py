"""The library API: `presslens.__all__` is the public surface, `analyze` and `analyze_many`."""

import inspect

import pytest

import presslens
from presslens import Article, Options, Record, RecordError, Reject


def test_public_api_is_all():
    """Everything public that is not a submodule is listed in __all__, and __all__ resolves."""
    public = {
        name
        for name in dir(presslens)
        if not name.startswith("_") and not inspect.ismodule(getattr(presslens, name))
    }
    assert public == set(presslens.__all__) - {"__version__"}
    assert presslens.__version__


def test_help_imports_no_spacy_duckdb_or_tantivy():
    """Issue 11: `presslens --help` (and a command's --help) must not pay for the NLP and store
    libraries: the package's names import on first use (PEP 562)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from presslens.cli import cli\n"
        "for args in (['--help'], ['analyze', '--help'], ['ingest', '--help'], ['quotes', '--help']):\n"
        "    try:\n"
        "        cli(args, prog_name='presslens')\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = [m for m in ('spacy', 'duckdb', 'tantivy', 'fastapi', 'trafilatura') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out, out


def test_ray_reading_tasks_import_no_spacy():
    """Issue 10: a Ray reading task imports `presslens.corpus.distributed` to run `read_unit`;
    only the actors need spaCy (it cost every reading task 2 s of its start)."""
    import subprocess
    import sys

    code = ("import sys\nimport presslens.corpus.distributed as d\n"
            "print('HEAVY', [m for m in ('spacy', 'torch', 'lightgbm') if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out, out


def test_reading_a_corpus_imports_no_spacy(tmp_path):
    """`presslens quotes`, `serve` and the exports only read the store: opening a `Corpus` and
    querying it loads no spaCy (`Options` lives in its own module, not in `presslens.analyze`)."""
    import subprocess
    import sys

    code = ("import sys\nfrom presslens.corpus import Corpus\n"
            f"with Corpus({str(tmp_path / 'c.duckdb')!r}) as corpus:\n"
            "    rows = corpus.quotes('plan', limit=5)\n"
            "print('HEAVY', [m for m in ('spacy', 'torch', 'thinc') if m in sys.modules], rows)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY [] []" in out, out


def test_library_logs_nothing_unless_configured():
    import logging

    handlers = logging.getLogger("presslens").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_analyze_is_the_function():
    assert callable(presslens.analyze) and presslens.analyze.__module__ == "presslens.analyze"


def test_options_are_frozen():
    with pytest.raises(AttributeError):
        Options().batch_size = 3  # type: ignore[misc]


@pytest.mark.model
def test_analyze_reads_a_dateline_header(validate):
    article = presslens.analyze('date 2020-09-15 Example News - "We will win," she said.')
    assert isinstance(article, Article)
    assert (article.outlet, article.published, article.text) == ("Example News", "2020-09-15", '"We will win," she said.')
    validate(article.to_dict())


@pytest.mark.parametrize("text, code", [("   ", "E106"), ("date 2020-02-30 X News - body", "E107")])
def test_analyze_refuses_unusable_text(text, code):
    with pytest.raises(RecordError, match=code):
        presslens.analyze(text)


@pytest.mark.model
def test_analyze_many_passes_rejects_through(nlp):
    items = [Record("a", "One text."), Reject("x.jsonl:2", "[E103] broken JSON"), Record("b", "Two texts.")]
    out = list(presslens.analyze_many(items, nlp=nlp))
    assert sorted(type(x).__name__ for x in out) == ["Article", "Article", "Reject"]
    assert [x.id for x in out if isinstance(x, Article)] == ["a", "b"]
