"""presslens: who said what, about whom, when, and according to whom.

    >>> import presslens
    >>> article = presslens.analyze('date 2020-09-15 Example News - "We will win," she said.')
    >>> [s.kind for s in article.statements]

    >>> for item in presslens.analyze_many(presslens.iter_records(["samples/news"])):
    ...     print(item.to_dict() if isinstance(item, presslens.Article) else item.reason)

The names are imported when first used (PEP 562), so `import presslens` and `presslens --help`
load neither spaCy nor DuckDB nor tantivy.
"""

import importlib
import logging
import sys
import typing
from types import ModuleType as _ModuleType  # the standard library's (`presslens.types` is the dataclasses)

from .about import PIPELINE_VERSION, SCHEMA, __version__

# A library prints nothing unless the application configures logging (the CLI does).
logging.getLogger("presslens").addHandler(logging.NullHandler())

# Where each public name lives.
_LAZY = {
    "Options": "options",
    "analyze": "analyze",
    "analyze_many": "analyze",
    "iter_records": "inputs",
    "validate": "output",
    "ModelNotFound": "errors",
    "PresslensError": "errors",
    "RecordError": "errors",
    "UsageError": "errors",
    "Article": "types",
    "Entity": "types",
    "Mention": "types",
    "Record": "types",
    "Reject": "types",
    "Skip": "types",
    "Origin": "types",
    "Relay": "types",
    "Statement": "types",
    "TimeExpression": "types",
    "Corpus": "corpus",
}

__all__ = ["PIPELINE_VERSION", "SCHEMA", "__version__", *_LAZY]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'presslens' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


class _Package(_ModuleType):
    """Keeps `presslens.analyze` the function: importing the submodule `presslens.analyze` would
    otherwise bind the module to the package's attribute of the same name."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _LAZY and isinstance(value, _ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


if typing.TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from .analyze import analyze, analyze_many
    from .corpus import Corpus
    from .errors import ModelNotFound, PresslensError, RecordError, UsageError
    from .inputs.readers import iter_records
    from .options import Options
    from .output import validate
    from .types import Article, Entity, Mention, Record, Reject, Relay, Statement, TimeExpression
