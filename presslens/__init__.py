"""presslens: who said what, about whom, when, and according to whom.

    >>> import presslens
    >>> article = presslens.analyze('date 2020-09-15 Example News - "We will win," she said.')
    >>> [s.kind for s in article.statements]

    >>> for item in presslens.analyze_many(presslens.iter_records(["samples/news"])):
    ...     print(item.to_dict() if isinstance(item, presslens.Article) else item.reason)
"""

from .about import PIPELINE_VERSION, SCHEMA, __version__
from .analyze import Options, analyze, analyze_many
from .corpus import Corpus
from .errors import ModelNotFound, PresslensError, RecordError, UsageError
from .inputs import iter_records
from .models import Article, Entity, Mention, Record, Reject, Source, Statement, TimeExpression
from .output import validate

__all__ = [
    "PIPELINE_VERSION",
    "SCHEMA",
    "__version__",
    "Options",
    "analyze",
    "analyze_many",
    "iter_records",
    "validate",
    "ModelNotFound",
    "PresslensError",
    "RecordError",
    "UsageError",
    "Article",
    "Entity",
    "Mention",
    "Record",
    "Reject",
    "Source",
    "Statement",
    "TimeExpression",
    "Corpus",
]
