"""Shared fixtures. Tests that load the spaCy model are marked `model`."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
POLNEAR = REPO.parent / "shared" / "data" / "polnear"


@pytest.fixture(scope="session")
def nlp():
    from presslens import nlp as nlp_module

    return nlp_module.load()


@pytest.fixture(scope="session")
def analyze_text(nlp):
    """Analyse a short text with the session's pipeline: `analyze_text(text, published=None)`."""
    from presslens import Options, Record, analyze_many

    def run(text: str, published: str | None = None, id: str = "t"):
        return next(analyze_many([Record(id=id, text=text, published=published)], Options(), nlp=nlp))

    return run


@pytest.fixture(scope="session")
def polnear_root() -> Path:
    if not (POLNEAR / "data" / "metadata.tsv").exists():
        pytest.skip("PolNeAR is not available at ../shared/data/polnear")
    return POLNEAR
