"""The `presslens analyze` command: formats, rejects and exit codes (issue 2 §2, §3, §6)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import REPO, read_jsonl

pytestmark = pytest.mark.model


def test_analyze_dateline_file(run_cli, data_dir, tmp_path, validate):
    out = tmp_path / "out.jsonl"
    result = run_cli("analyze", data_dir / "wire.txt", "-o", out)
    assert result.exit_code == 0, result.stderr
    docs = read_jsonl(out)
    assert [d["id"] for d in docs] == ["wire:1", "wire:2"]
    for doc in docs:
        validate(doc)
    assert docs[0]["outlet"] == "Meridian Wire" and docs[0]["published"] == "2020-03-12"
    assert re.search(r"2 articles, \d+ statements?, 0 rejects", result.stderr)
    assert not Path(f"{out}.rejects.jsonl").exists()


def test_stdout_formats(run_cli, data_dir, validate):
    jsonl = run_cli("analyze", data_dir / "wire.txt")
    for line in jsonl.stdout.splitlines():
        validate(json.loads(line))
    as_json = run_cli("analyze", data_dir / "wire.txt", "--format", "json")
    assert [d["id"] for d in json.loads(as_json.stdout)] == ["wire:1", "wire:2"]
    table = run_cli("analyze", data_dir / "wire.txt", "--format", "table")
    assert table.stdout.splitlines()[0].split() == ["ARTICLE", "SPEAKER", "KIND", "CONTENT"]
    assert "We will not give up on the river" in table.stdout


def test_summary(run_cli, data_dir, tmp_path):
    result = run_cli("analyze", data_dir / "wire.txt", "-o", tmp_path / "o.jsonl", "--summary")
    assert "Meridian Wire · 2020-03-12 · wire:1" in result.stdout
    assert "(direct): “We will not give up on the river" in result.stdout


def test_standard_input(run_cli):
    result = run_cli("analyze", "-", input='date 2020-01-01 Pipe News - "We are here," she said.\n')
    (doc,) = [json.loads(x) for x in result.stdout.splitlines()]
    assert doc["id"] == "stdin:1" and doc["outlet"] == "Pipe News"


def hostile_inputs(folder: Path) -> Path:
    """Section 6 of the issue: one good record of each kind beside each kind of bad one."""
    folder.mkdir()
    (folder / "news.jsonl").write_text(
        '{"id": "ok1", "text": "\\"Fine,\\" he said."}\n{broken\n{"id": "empty", "text": ""}\n'
        '{"id": "baddate", "published": "2020-02-30", "text": "x"}\n'
    )
    (folder / "news.csv").write_text("id,text\nok2,All good here.\nnotext,\n")
    (folder / "blob.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (folder / "wire.txt").write_text("date 2020-02-30 Nowhere News - Impossible.\ndate 2020-03-01 Somewhere - Fine.\n")
    return folder


def test_hostile_inputs_are_rejected_and_the_rest_goes_on(run_cli, tmp_path, validate):
    folder = hostile_inputs(tmp_path / "in")
    out = tmp_path / "out.jsonl"
    result = run_cli("analyze", folder, "-o", out)
    assert result.exit_code == 1
    docs = read_jsonl(out)
    assert sorted(d["id"] for d in docs) == ["ok1", "ok2", "wire:2"]
    for doc in docs:
        validate(doc)
    rejects = read_jsonl(Path(f"{out}.rejects.jsonl"))
    where = {r["location"].replace(str(folder) + "/", ""): r["reason"][:6] for r in rejects}
    assert where == {
        "blob.txt": "[E102]",
        "news.csv:3": "[E106]",
        "news.jsonl:2": "[E103]",
        "news.jsonl:3": "[E106]",
        "news.jsonl:4": "[E107]",
        "wire.txt:1": "[E107]",
    }
    for location in where:
        assert location in result.stderr
    assert "3 articles" in result.stderr and "6 rejects" in result.stderr


def test_output_written_into_the_input_folder_is_not_read_back(run_cli, tmp_path):
    (tmp_path / "a.txt").write_text("Some text.")
    (tmp_path / "broken.jsonl").write_text("{oops\n")
    for _ in range(2):
        result = run_cli("analyze", tmp_path, "-o", tmp_path / "out.jsonl")
        assert result.exit_code == 1 and "1 article," in result.stderr and "1 reject" in result.stderr


def test_rejects_beside_stdout_go_to_presslens_rejects(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("analyze", "-", input='{"id": "x", "text": "Good."}\n{oops\n')
    assert result.exit_code == 1
    (reject,) = read_jsonl(tmp_path / "presslens-rejects.jsonl")
    assert reject["location"] == "<stdin>:2" and "E103" in reject["reason"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["analyze", "does-not-exist.txt"], "E010"),
        (["analyze", "tests/data/wire.txt", "--field", "author=byline"], "E012"),
        (["analyze", "tests/data/wire.txt", "--format", "xml"], "Invalid value"),
        (["analyze", "tests/data/wire.txt", "--input-format", "pdf"], "Invalid value"),
        (["analyze"], "Missing argument"),
        (["analyze", "tests/data/wire.txt", "--model", "no_such_pipeline"], "E002"),
        pytest.param(["analyze", "tests/data/wire.txt", "--model", "no_such_pipeline", "--workers", "2"], "E002",
                     marks=pytest.mark.slow, id="no-model-in-the-workers"),
    ],
)
def test_wrong_commands_exit_2(run_cli, monkeypatch, tmp_path, args, message):
    monkeypatch.chdir(REPO)
    result = run_cli(*args, "-o", tmp_path / "o.jsonl") if len(args) > 1 else run_cli(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "o.jsonl").exists()


def invented_news(folder: Path) -> Path:
    """Invented articles (written for these tests) with rejects between them, in two files."""
    folder.mkdir()
    rows = [
        {"id": "a1", "outlet": "Harbor Post", "published": "2021-04-02",
         "text": '"The ferry will run again by June," said Port Director Elena Ruiz.'},
        {"id": "a2", "text": ""},
        {"id": "a3", "text": '"We were not consulted," council member Omar Diallo told reporters. According to '
                             "the mayor's office, the vote is set for May 3."},
        {"id": "a4", "text": 'The board approved the budget. "It is a fair compromise," chair Lisa Park said.'},
        {"id": "a5", "published": "2021-02-30", "text": "An impossible date."},
        {"id": "a6", "text": 'Farmers said the rain came too late. "We lost half the crop," said Ben Okafor.'},
    ]
    (folder / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows) + "{broken\n")
    (folder / "b.txt").write_text('date 2021-05-10 Valley Times - "Nothing has changed," the spokesperson said.\n'
                                  'date 2021-05-11 Valley Times - Officials said the road reopens Friday.\n')
    return folder


@pytest.mark.slow
def test_workers_give_the_same_output_in_the_same_order(run_cli, tmp_path):
    """Issue 9 §4: `analyze --workers 2` writes what `analyze` writes, byte for byte, rejects too."""
    folder = invented_news(tmp_path / "in")
    runs = {}
    for name, extra in (("one", []), ("two", ["--workers", "2"])):
        out = tmp_path / f"{name}.jsonl"
        result = run_cli("analyze", folder, "-o", out, "--batch-size", "2", *extra)
        rejected = [line for line in result.stderr.splitlines() if "rejected" in line]
        runs[name] = (result.exit_code, out.read_text(), Path(f"{out}.rejects.jsonl").read_text(), rejected)
    assert runs["one"][0] == 1 and len(read_jsonl(tmp_path / "one.jsonl")) == 6
    assert runs["two"] == runs["one"]


def test_progress_on_a_terminal_only(run_cli, data_dir, tmp_path, monkeypatch):
    """Issue 9 §4: `analyze` shows articles, rejects and articles/s on a terminal, nothing when
    standard error is piped or redirected, and nothing with -q."""
    from presslens import progress

    piped = run_cli("analyze", data_dir / "wire.txt", "-o", tmp_path / "p.jsonl")
    assert piped.exit_code == 0 and "art/s" not in piped.stderr and "analyze:" not in piped.stderr
    monkeypatch.setattr(progress, "on_terminal", lambda: True)
    shown = run_cli("analyze", data_dir / "wire.txt", "-o", tmp_path / "t.jsonl")
    assert shown.exit_code == 0
    assert re.search(r"analyze: .*2art .*art/s.*rejects=0", shown.stderr), shown.stderr
    quiet = run_cli("analyze", data_dir / "wire.txt", "-o", tmp_path / "q.jsonl", "-q")
    assert "art/s" not in quiet.stderr
    assert (tmp_path / "t.jsonl").read_text() == (tmp_path / "p.jsonl").read_text()


def test_cli_reference_documents_every_command_and_option():
    """docs/cli.md is generated from --help (`python docs/cli_reference.py`): keep it current."""
    import subprocess
    import sys

    generated = subprocess.run(
        [sys.executable, str(REPO / "docs" / "cli_reference.py"), "--check"], capture_output=True, text=True, cwd=REPO
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
