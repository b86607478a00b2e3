"""Which AllSides dev stories make up the held-out divergence labels (bench/divergence_labels_heldout.jsonl).

Three-outlet stories not in bench/divergence_labels.jsonl, split by whether the roundup has a
"<side>-rated outlets tended/focused/..." paragraph; `random.Random(44)` draws 8 from each part.

    python3 bench/draw_heldout.py   # prints the 16 ids in labelling order
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STORIES = ROOT.parent / "shared" / "data" / "allsides_stories_dev.jsonl"
TUNING = ROOT / "bench" / "divergence_labels.jsonl"
ROUNDUP = re.compile(
    r"(left|right|center)-rated outlets? (tended|focused|emphasi|highlight|were more|more often|frequently|largely|"
    r"often|framed|also|covered|reported|noted|mentioned|used|called|described|stressed|framing)", re.I)


def draw(seed: int = 44, per_part: int = 8) -> list[int]:
    rows = [json.loads(line) for line in STORIES.read_text(encoding="utf-8").splitlines()]
    taken = {json.loads(line)["id"] for line in TUNING.read_text(encoding="utf-8").splitlines() if line.strip()}
    three = [r for r in rows if r["id"] not in taken
             and all(r["news"].get(s) and r["news"][s].get("newBody") for s in ("left", "center", "right"))]
    with_roundup = sorted((r for r in three if any(ROUNDUP.search(p) for p in r["roundup"])), key=lambda r: r["id"])
    others = sorted((r for r in three if not any(ROUNDUP.search(p) for p in r["roundup"])), key=lambda r: r["id"])
    rng = random.Random(seed)
    return [r["id"] for r in rng.sample(with_roundup, per_part) + rng.sample(others, per_part)]


if __name__ == "__main__":
    print(draw())
