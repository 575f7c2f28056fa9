#!/usr/bin/env python3
"""Generate docs/cli.md from the `--help` of every presslens command.

    python docs/cli_reference.py           # rewrite docs/cli.md
    python docs/cli_reference.py --check   # exit 1 when docs/cli.md is out of date (a test runs this)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from presslens.cli import cli  # noqa: E402

TARGET = ROOT / "docs" / "cli.md"
INTRO = """# Command-line reference

Generated from `--help` by `python docs/cli_reference.py`; a test fails when this page is out of
date. Exit codes of every command: **0** everything was used, **1** some records were rejected
(each reported on standard error and appended to `OUT.rejects.jsonl`), **2** the command itself
was wrong (unknown option, missing path, no model). Error codes are listed in
[errors.md](errors.md).
"""


def help_text(command: click.Command, path: list[str]) -> str:
    with click.Context(command, info_name=" ".join(path), terminal_width=100, max_content_width=100) as ctx:
        return command.get_help(ctx)


def render() -> str:
    parts = [INTRO, "## presslens\n", "```", help_text(cli, ["presslens"]), "```\n"]
    for name in sorted(cli.list_commands(None)):  # type: ignore[arg-type]
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        parts += [f"## presslens {name}\n", "```", help_text(command, ["presslens", name]), "```\n"]
    return "\n".join(parts)


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print("docs/cli.md is out of date: run `python docs/cli_reference.py`")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
