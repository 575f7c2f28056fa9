"""The presslens exception tree.

    PresslensError
    ├── ModelNotFound        no usable spaCy pipeline is installed
    ├── UsageError           the call itself is wrong (bad option, unknown format)
    └── RecordError          one input record cannot be used; the batch goes on

Every message says what was wrong, where (file, line or record) and, where possible, what to do.
Codes in brackets (``[E001]``) are stable and documented in docs/errors.md.
"""


class PresslensError(Exception):
    """Base class of every error presslens raises on purpose."""


class ModelNotFound(PresslensError):
    """No spaCy English pipeline is installed or the named one cannot be loaded."""


class UsageError(PresslensError):
    """The command or function call is wrong (as opposed to one bad record)."""


class RecordError(PresslensError):
    """One input record cannot be analysed.

    `location` names the file and line or record (``news.jsonl:17``); `reason` says why.
    """

    def __init__(self, location: str, reason: str):
        super().__init__(f"{location}: {reason}")
        self.location = location
        self.reason = reason
