"""spaCy imported without torch, in the processes presslens starts for itself.

thinc, spaCy's machine-learning library, imports torch whenever torch is installed (the
`[train]` extra installs it), only to offer PyTorch layers. en_core_web_sm and presslens's
pipelines never use them: the attribution encoder runs on onnxruntime. That import costs about
1.5 s of CPU and a few hundred MB in every process that loads spaCy: each `presslens` command,
each local worker's forkserver, each Ray actor. `import_spacy()` hides torch while thinc looks
for it, so thinc records it as absent; torch itself still imports afterwards (`presslens train`
fine-tunes with torch directly, not through thinc).

Only for the processes presslens owns (the workers' forkserver and the Ray actors call
`import_spacy()`; the `presslens` command hides torch for its whole run, as if the runtime
install without torch were there, and `presslens train` shows it again): an application that
imports presslens keeps thinc as it finds it, since it may load other spaCy pipelines that need
torch.
"""

from __future__ import annotations

import sys


def hide() -> None:
    """From now on `import torch` fails as if torch were not installed, unless thinc or torch
    is imported already (then it would change nothing, or break what uses it)."""
    if "thinc" not in sys.modules and "torch" not in sys.modules:
        sys.modules["torch"] = None  # `import torch` raises ImportError while this entry stands


def show() -> None:
    """Undo `hide()`: torch imports again (thinc, if imported meanwhile, keeps it as absent)."""
    if "torch" in sys.modules and sys.modules["torch"] is None:
        del sys.modules["torch"]


def import_spacy() -> None:
    """Import spaCy (and thinc) with torch hidden; a no-op when either is already imported."""
    hide()
    try:
        import spacy  # noqa: F401
    finally:
        show()
