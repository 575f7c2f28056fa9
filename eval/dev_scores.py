"""What the evaluation scripts of this folder share: the shared scorer's report on PolNeAR dev
for one prediction file, printed by the scorer itself under a title."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLNEAR = str(ROOT.parent / "shared" / "data" / "polnear")
SCORER = str(ROOT.parent / "shared" / "eval" / "attribution_score.py")


def print_scores(title: str, pred: Path, *, scorer: str = SCORER, polnear: str = POLNEAR) -> None:
    """`== title`, then `attribution_score.py --split dev --pred pred` as it prints."""
    print(f"== {title}", flush=True)
    subprocess.run([sys.executable, scorer, "--polnear", polnear, "--split", "dev", "--pred", str(pred)], check=True)
