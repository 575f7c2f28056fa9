"""The library as its ecosystem expects (issue 9, section 4): analyze_many takes plain strings
as nlp.pipe does, Article.from_dict reads presslens/1 back, a Statement has its content text."""

from __future__ import annotations

import pytest

import presslens
from presslens.types import Article, Reject

TEXTS = ['date 2020-09-15 Example News - "We will win," Maria Lopez said.', "   ",
         '"The bridge opens in May," said Tom Reed, the city engineer.']


@pytest.mark.model
def test_analyze_many_takes_strings(nlp):
    out = list(presslens.analyze_many(TEXTS, nlp=nlp))
    articles = [a for a in out if isinstance(a, Article)]
    rejects = [r for r in out if isinstance(r, Reject)]
    assert [a.id for a in articles] == ["text-1", "text-3"]
    assert articles[0].outlet == "Example News" and articles[0].published == "2020-09-15"
    assert len(rejects) == 1 and rejects[0].id == "text-2" and "E106" in rejects[0].reason


@pytest.mark.model
def test_statement_text_and_from_dict_round_trip(nlp):
    article = next(a for a in presslens.analyze_many(TEXTS[:1], nlp=nlp) if isinstance(a, Article))
    s = article.statements[0]
    assert s.text == " ... ".join(article.text[a:b] for a, b in s.content) == "We will win"
    again = Article.from_dict(article.to_dict())
    assert again == article
    assert again.statements[0].text == s.text
    assert again.to_dict() == article.to_dict()
    with pytest.raises(ValueError):
        Article.from_dict({**article.to_dict(), "schema": "other/9"})


def test_closed_pipe_ends_quietly_with_0(tmp_path):
    """`presslens rejects | head -1` on a long list: exit 0, no traceback (issue 9, section 4)."""
    import subprocess
    import sys

    from presslens.corpus import store

    db = tmp_path / "r.duckdb"
    writer = store.Writer(db, "t", "x")
    for i in range(20_000):
        writer.add_reject(f"file.jsonl:{i}", "[E106] empty text", None)
    writer.flush()
    from pathlib import Path

    exe = Path(sys.executable).parent / "presslens"
    cmd = f"{exe} rejects --db {db} --format csv | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("location") and "Traceback" not in done.stderr


def test_ctrl_c_exits_130_saying_what_was_kept(monkeypatch):
    from click.testing import CliRunner

    from presslens import cli as cli_module
    from presslens.corpus import api

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(api.Corpus, "__init__", interrupted)
    result = CliRunner().invoke(cli_module.cli, ["speakers", "--db", "x.duckdb"])
    assert result.exit_code == 130
    assert "interrupted" in result.output and "resumes" in result.output


@pytest.mark.model
def test_components_are_spacy_factories_found_by_entry_point():
    """A user's own pipeline adds the presslens components by name without importing presslens:
    spaCy finds them through the `spacy_factories` entry points."""
    import subprocess
    import sys

    code = (
        "import spacy\n"
        "from presslens.pipeline.build import default_model\n"  # only the name of the installed pipeline
        "import sys; assert not any(m.endswith('.component') for m in sys.modules)\n"
        "nlp = spacy.load(default_model())\n"
        "for name in ('presslens_names', 'presslens_coref', 'presslens_attribution', 'presslens_times'):\n"
        "    nlp.add_pipe(name)\n"
        "doc = nlp('\"We will rebuild the bridge,\" Mayor Ann Cole said on Monday.')\n"
        "assert doc._.pl_statements and doc._.pl_entities, 'no statements'\n"
        "assert 'lightgbm' not in sys.modules, 'the judges load without LightGBM'\n"
        "import importlib.util, thinc.compat\n"  # a library user's process keeps thinc as it finds it
        "assert thinc.compat.has_torch or importlib.util.find_spec('torch') is None, 'torch hidden'\n"
        "print(nlp.pipe_names[-4:])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "presslens_attribution" in done.stdout


# -- analyze_many(n_process=...) (issue 9, section 4) ----------------------------------------------
# Invented articles, written for this test: quotes, a dateline, a long-ish one, and rejects between.
ARTICLES = [
    'date 2021-04-02 Harbor Post - "The ferry will run again by June," said Port Director Elena Ruiz.',
    presslens.Reject("feed.jsonl:2", "[E103] broken JSON: invented", "bad-1"),
    '"We were not consulted," council member Omar Diallo told reporters on Tuesday. He said the plan '
    "would be reviewed. According to the mayor's office, the vote is set for May 3.",
    "",
    "The school board approved the budget. \"It is a fair compromise,\" board chair Lisa Park said, "
    "while teachers said they would keep pressing for smaller classes.",
    presslens.Skip("crawl.warc.gz@120", "not-html", "application/pdf"),
    'date 2021-05-10 Valley Times - Farmers said the rain came too late. "We lost half the crop," '
    "said grower Ben Okafor, 54. The ministry said aid would follow next week.",
    '"Nothing has changed," the spokesperson said.',
]


def _as_dicts(items) -> list[tuple[str, dict]]:
    return [(type(item).__name__, item.to_dict()) for item in items]


def test_n_process_means_what_spacy_means(monkeypatch):
    """0 and 1: this process; -1: one per CPU core; below -1: an error [E018]."""
    import importlib

    analyze_module = importlib.import_module("presslens.analyze")  # `presslens.analyze` is the function
    monkeypatch.setattr(analyze_module.os, "cpu_count", lambda: 6)
    assert [analyze_module.worker_count(n) for n in (0, 1, 2, 5, -1)] == [1, 1, 2, 5, 6]
    with pytest.raises(presslens.UsageError, match=r"\[E018\]"):
        analyze_module.worker_count(-2)
    with pytest.raises(presslens.UsageError, match=r"\[E018\]"):
        next(presslens.analyze_many(["text"], n_process=-3))


def test_nlp_and_worker_processes_do_not_go_together():
    """Workers load their own pipeline: an `nlp` given with n_process > 1 would be ignored [E019]."""
    with pytest.raises(presslens.UsageError, match=r"\[E019\]"):
        next(presslens.analyze_many(["text"], nlp=object(), n_process=2))


@pytest.mark.model
def test_n_process_0_is_this_process(nlp):
    options = presslens.Options(batch_size=2)
    one = _as_dicts(presslens.analyze_many(ARTICLES, options, nlp=nlp))
    assert _as_dicts(presslens.analyze_many(ARTICLES, options, nlp=nlp, n_process=0)) == one


@pytest.mark.model
@pytest.mark.slow
def test_worker_processes_give_the_same_articles_in_the_same_order(nlp):
    """n_process=2 runs the batches in two workers of the ingest pool; the results are those of
    one process, item for item (rejects and skips where they were), in the same order."""
    options = presslens.Options(batch_size=2)  # several batches, so both workers get some
    one = _as_dicts(presslens.analyze_many(ARTICLES, options, nlp=nlp))
    two = _as_dicts(presslens.analyze_many(ARTICLES, options, n_process=2))
    assert [kind for kind, _ in one].count("Article") == 5
    assert two == one


def test_worker_processes_start_only_for_something_to_analyze(monkeypatch):
    """Rejects only: they pass through and no worker is started (no model is loaded)."""
    from presslens.corpus import executor

    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started")

    monkeypatch.setattr(executor, "LocalExecutor", no_pool)
    items = [presslens.Reject("a.jsonl:1", "[E106] empty text", "a"), "", "   "]
    out = list(presslens.analyze_many(items, n_process=2))
    assert [r.id for r in out] == ["a", "text-2", "text-3"] and all(isinstance(r, Reject) for r in out)


def test_presslens_processes_load_spacy_without_torch(tmp_path):
    """thinc imports torch with spaCy when it is installed (the train extra), for nothing here:
    the `presslens` command, the workers' forkserver and the Ray actors import spaCy with torch
    hidden (`torchless`); torch still imports afterwards (`presslens train`). A library user's
    process keeps thinc as it finds it: the test above checks that one."""
    import subprocess
    import sys

    pytest.importorskip("torch")
    text = tmp_path / "a.txt"
    text.write_text('"We will win," Mayor Ann Cole said on Monday.', encoding="utf-8")
    command = (  # the command's own process: `main()` hides torch for the whole run
        "import sys\nfrom presslens.cli import main\n"
        f"sys.argv = ['presslens', 'analyze', {str(text)!r}, '-o', {str(tmp_path / 'a.jsonl')!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "import thinc.compat\n"
        "assert sys.modules.get('torch') is None and not thinc.compat.has_torch  # hidden, never imported\n"
        "from presslens.pipeline import torchless\n"
        "torchless.show()\n"  # as `presslens train` does
        "import torch\n"
        "torchless.hide()\n"  # a no-op once torch is imported
        "assert sys.modules['torch'] is torch\n"
    )
    done = subprocess.run([sys.executable, "-c", command], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert '"speaker"' in (tmp_path / "a.jsonl").read_text(encoding="utf-8")
