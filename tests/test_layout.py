"""Issue 11 §1: one package per pipeline stage, and one meaning per name (DEVELOPERS.md, "Layout"
and "Names"). The retired modules and names must not come back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "presslens"

RETIRED_MODULES = ["models.py", "nlp.py", "timex.py", "convert.py", "annotations.py", "warc.py", "metadata.py",
                   "quotes.py", "inputs.py", "components", "entities", "attribution"]
RETIRED_NAMES = [
    r"\bclass Source\b", r"\bDocSource\b", r"\bSourceRow\b", r"\biter_sources\b", r"\bpresslens sources\b",
    r"\banalys(e|ed|ing|er)\b", r"\bnormalis(e|ed|ing|ation)\b", r"\bAnalyser\b",
    r"presslens\.(models|nlp|components|entities|attribution|timex|convert|annotations|warc|metadata|quotes)\b",
]


def _sources():
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".html") and "static" not in path.parts:
            yield path


@pytest.mark.parametrize("name", RETIRED_MODULES)
def test_retired_modules_are_gone(name):
    assert not (PACKAGE / name).exists(), f"presslens/{name}: see DEVELOPERS.md, Layout"


def test_each_stage_is_one_package_with_its_component():
    for stage in ("entities", "attribution", "times"):
        assert (PACKAGE / "pipeline" / stage / "component.py").is_file(), stage


def test_retired_names_are_not_used():
    found = []
    for path in _sources():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found += [f"{path.relative_to(ROOT)}:{n}: {line.strip()}" for pat in RETIRED_NAMES if re.search(pat, line)]
    assert not found, "\n".join(found)
