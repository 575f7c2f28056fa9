"""Reading articles from files, folders and standard input (scaffold: dateline parsing)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DATELINE = re.compile(r"^date (\d{4}-\d{2}-\d{2}) (.+?) - ", re.DOTALL)


@dataclass(frozen=True)
class Dateline:
    published: str
    outlet: str
    text: str  # the body after the header
    offset: int  # where the body starts in the line


def parse_dateline(line: str) -> Dateline | None:
    """Split `date YYYY-MM-DD <Outlet> - <body>`; the outlet may hold spaces, the separator is
    the first ` - ` after the date. Returns None when `line` has no such header."""
    m = _DATELINE.match(line)
    if m is None:
        return None
    return Dateline(published=m.group(1), outlet=m.group(2).strip(), text=line[m.end():], offset=m.end())
