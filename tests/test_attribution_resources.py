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


def test_train_command_passes_its_fine_tuning_options(monkeypatch, tmp_path):
    """`--epochs`, `--layers` and `--keep-encoders` reach the training function; unset, its
    own defaults apply (the help's defaults are encoder_train's)."""
    from presslens.cli import cli
    from presslens.pipeline.attribution import encoder_train
    from presslens.pipeline.attribution import train as train_module

    seen = {}

    def fake(polnear, out, **kwargs):
        seen.update(kwargs)
        return {"data": "PolNeAR"}

    monkeypatch.setattr(train_module, "train_attribution", fake)
    args = ["train", "attribution", "--polnear", str(tmp_path), "--out", str(tmp_path / "w")]
    result = CliRunner().invoke(cli, [*args, "--epochs", "5", "--keep-encoders", str(tmp_path / "enc")])
    assert result.exit_code == 0, result.output
    assert seen["epochs"] == 5 and seen["layers"] is None and seen["keep_encoders"] == tmp_path / "enc"
    help_text = " ".join(CliRunner().invoke(cli, ["train", "attribution", "--help"]).output.split())
    assert f"(default {encoder_train.LAYERS};" in help_text and f"(default {encoder_train.EPOCHS})" in help_text


def test_reused_encoders_are_not_fine_tuned_again(tmp_path):
    """`--encoders` with a fine-tuning option is refused before any work (E022)."""
    from presslens.errors import UsageError
    from presslens.pipeline.attribution.train import command, train_attribution

    with pytest.raises(UsageError, match=r"\[E022\]"):
        train_attribution(tmp_path, tmp_path / "w", encoders=tmp_path, epochs=5)
    assert command("../polnear") == "presslens train attribution --polnear ../polnear"
    assert (command("../polnear", split="train", encoders=None, layers=None, epochs=5)
            == "presslens train attribution --polnear ../polnear --epochs 5")
    assert command("p", split="dev", layers=2) == "presslens train attribution --polnear p --split dev --layers 2"
