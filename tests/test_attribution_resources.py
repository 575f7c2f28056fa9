"""Issue 5: the shipped attribution resources (lexicon, weights, provenance) and the train command."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from click.testing import CliRunner


def test_lexicon_loads_and_is_extendable(tmp_path):
    from presslens.pipeline.attribution.lexicon import Lexicon

    lex = Lexicon.load()
    assert {"say", "tell", "claim"} <= lex.verbs
    assert ("according", "to") in lex.phrases
    assert {"critics", "sources"} <= lex.vague
    extra = tmp_path / "cues.tsv"
    extra.write_text("# mine\nopine\tverb\nthe grapevine\tphrase\n", encoding="utf-8")
    mine = Lexicon.load(extra)
    assert "opine" in mine.verbs and ("the", "grapevine") in mine.phrases


def test_lexicon_bad_line_names_the_line(tmp_path):
    from presslens.pipeline.attribution.lexicon import Lexicon

    bad = tmp_path / "cues.tsv"
    bad.write_text("say\tverb\nsay verb\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[E020\] cues.tsv line 2"):
        Lexicon.load(bad)


def test_weights_carry_their_provenance():
    data = resources.files("presslens.data.attribution")
    meta = json.loads(data.joinpath("meta.json").read_text(encoding="utf-8"))
    assert "PolNeAR v1.0.0, train split" in meta["data"]
    assert meta["command"].startswith("presslens train attribution --polnear")
    assert 0.0 < meta["judge"]["threshold"] < 1.0
    assert data.joinpath("tagger.crfsuite").is_file() and data.joinpath("judge.lgb.txt").is_file()


def test_train_command_is_documented():
    from presslens.cli import cli

    result = CliRunner().invoke(cli, ["train", "attribution", "--help"])
    assert result.exit_code == 0
    assert "--polnear" in result.output and "Example: presslens train attribution" in result.output
