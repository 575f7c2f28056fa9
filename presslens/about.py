"""Package and pipeline versions.

`PIPELINE_VERSION` names what the analysis produces: bump it whenever a change alters the
output for the same input, so stored results keyed by it can be re-analysed (`--reanalyze`).
"""

__version__ = "0.1.0"
SCHEMA = "presslens/1"
PIPELINE_VERSION = "2026.12.1"
