"""Issue 11: one table of codes. Every code used in the package is defined once in
`presslens.errors`, and every defined code is documented in docs/errors.md (and nothing else is)."""

from __future__ import annotations

import re
from pathlib import Path

from presslens.errors import Errors, Warnings, codes

REPO = Path(__file__).resolve().parent.parent
CODE = re.compile(r"\b([EW]\d{3})\b")


def test_every_code_used_is_defined_once():
    defined = codes()
    used: dict[str, set[str]] = {}
    for path in (REPO / "presslens").rglob("*.py"):
        if path.name == "errors.py":
            continue
        text = path.read_text(encoding="utf-8")
        literal = re.search(r"f?[\"']\[[EW]\d{3}\]", text)  # a message written in place
        assert literal is None, f"{path}: {literal.group()}: define it in presslens/errors.py, use Errors.Exxx"
        for code in re.findall(r"(?:Errors|Warnings)\.([EW]\d{3})", text):
            used.setdefault(code, set()).add(str(path.relative_to(REPO)))
    assert set(used) <= set(defined), set(used) - set(defined)
    source = (REPO / "presslens" / "errors.py").read_text(encoding="utf-8")
    for code in defined:
        assert len(re.findall(rf"^\s+{code} = ", source, re.MULTILINE)) == 1, code


def test_every_code_is_documented_and_nothing_else():
    doc = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([EW]\d{3}) \|", doc, re.MULTILINE)
    assert len(rows) == len(set(rows)), "a code is documented twice"
    assert set(rows) == set(codes())


def test_messages_carry_their_code():
    assert Errors.E106 == "[E106] empty text"
    assert Errors.E010.format(path="x").startswith("[E010] x:")
    assert Warnings.W002.startswith("[W002] ")
