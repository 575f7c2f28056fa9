"""How articles are analyzed: `Options`, in a module of its own so that what only reads a
corpus (`presslens quotes`, `serve`, exports) imports it without spaCy."""

from __future__ import annotations

from dataclasses import dataclass

from .about import PIPELINES
from .errors import Errors, UsageError


@dataclass(frozen=True)
class Options:
    """How articles are analyzed. One frozen object instead of many keyword arguments."""

    model: str | None = None  # spaCy pipeline name; None: the default English pipeline
    batch_size: int = 16  # Docs per nlp.pipe batch
    max_chars: int = 100_000  # longer articles are analyzed in parts of at most this size
    pipeline: str = "default"  # which attribution tagger: fast | default | accurate | encoder (nlp.PIPELINES)
    # seconds an article may take, checked between its parts: a longer one is a Reject ([E118]),
    # so one enormous record cannot hold a batch (or a run written in input order); None: no limit
    time_budget: float | None = 300.0

    def __post_init__(self) -> None:  # an unknown pipeline is refused where it is given, not at the first article
        if self.pipeline not in PIPELINES:
            raise UsageError(Errors.E017.format(value=self.pipeline, choices=", ".join(PIPELINES)))
