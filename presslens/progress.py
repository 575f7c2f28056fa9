"""Progress on standard error: a tqdm bar on a terminal, log lines (or nothing) otherwise.
One implementation for `ingest`, `load`, the Ray engine and `analyze`."""

from __future__ import annotations

import sys
import time


def on_terminal() -> bool:
    """Whether standard error is a terminal (a person watching), not a pipe or a file."""
    return sys.stderr.isatty()


class Progress:
    """A tqdm bar on a terminal; otherwise a log line every `every` seconds (`quiet_off_terminal`:
    nothing at all, as `presslens analyze` piped or redirected)."""

    def __init__(self, total: int | None, enabled: bool, every: float = 10.0, label: str = "ingest",
                 quiet_off_terminal: bool = False):
        terminal = on_terminal()
        self.total, self.every, self.label = total, every, label
        self.enabled = enabled and (terminal or not quiet_off_terminal)
        self.done = self.rejects = self.skips = 0
        self.start = self.last = time.monotonic()
        self.bar = None
        if self.enabled and terminal:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="art", desc=label, file=sys.stderr)

    def update(self, n: int = 1, rejects: int = 0, skips: int = 0) -> None:
        self.done += n
        self.rejects += rejects
        self.skips += skips
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(n)
            if skips:
                self.bar.set_postfix(rejects=self.rejects, skipped=self.skips, refresh=False)
            else:
                self.bar.set_postfix(rejects=self.rejects, refresh=False)
        elif time.monotonic() - self.last >= self.every:
            self.last = time.monotonic()
            self._log()

    def _log(self) -> None:
        elapsed = max(time.monotonic() - self.start, 1e-9)
        rate = self.done / elapsed
        total = f"/{self.total}" if self.total is not None else ""
        eta = ""
        if self.total is not None and rate > 0:
            eta = f", ETA {int((self.total - self.done) / rate)} s"
        skipped = f", {self.skips} skipped (not articles or stored)" if self.skips else ""
        print(f"presslens {self.label}: {self.done}{total} articles, {rate:.1f}/s{eta}, {self.rejects} rejects{skipped}",
              file=sys.stderr, flush=True)

    def write(self, line: str) -> None:
        """Print `line` on standard error, above the bar if there is one."""
        if self.bar is not None:
            self.bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            self._log()
