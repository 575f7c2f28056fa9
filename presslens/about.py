"""Package and pipeline versions.

`PIPELINE_VERSION` names what the analysis produces: bump it whenever a change alters the
output for the same input, so stored results keyed by it can be re-analyzed (`--reanalyze`).
"""

__version__ = "0.1.0"
SCHEMA = "presslens/1"
PIPELINE_VERSION = "2026.12.14"

# `--pipeline`: which attribution tagger runs (presslens.pipeline.build.PIPELINES). Results of the
# non-default ones are versioned apart, so a corpus never mixes them up.
PIPELINES = ("fast", "default", "accurate", "encoder")


def pipeline_version(pipeline: str = "default") -> str:
    return PIPELINE_VERSION if pipeline == "default" else f"{PIPELINE_VERSION}+{pipeline}"
