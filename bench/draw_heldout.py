"""Which AllSides dev stories make up the held-out and test divergence labels.

Three-outlet stories (left, center and right lead paragraphs all present) whose ids are not in any
of the `--exclude` label files are split by whether the roundup has a "<side>-rated outlets
tended/focused/..." paragraph; `random.Random(seed)` draws 8 from each part (first the 8 with such
a paragraph, then the 8 without), and the 16 ids are printed in that, the labelling, order.

- Held-out set (bench/divergence_labels_heldout.jsonl): seed 44, excluding the tuning set
  bench/divergence_labels.jsonl (the defaults):

    python3 bench/draw_heldout.py

- Test set (bench/divergence_labels_test.jsonl): seed 45, excluding the tuning and held-out sets:

    python3 bench/draw_heldout.py --seed 45 --exclude bench/divergence_labels.jsonl bench/divergence_labels_heldout.jsonl
"""

from __future__ import annotations

import argparse
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


def _ids(path: Path) -> set[int]:
    return {json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def draw(seed: int = 44, per_part: int = 8, exclude: list[Path] | None = None) -> list[int]:
    rows = [json.loads(line) for line in STORIES.read_text(encoding="utf-8").splitlines()]
    taken: set[int] = set()
    for path in exclude if exclude is not None else [TUNING]:
        taken |= _ids(path)
    three = [r for r in rows if r["id"] not in taken
             and all(r["news"].get(s) and r["news"][s].get("newBody") for s in ("left", "center", "right"))]
    with_roundup = sorted((r for r in three if any(ROUNDUP.search(p) for p in r["roundup"])), key=lambda r: r["id"])
    others = sorted((r for r in three if not any(ROUNDUP.search(p) for p in r["roundup"])), key=lambda r: r["id"])
    rng = random.Random(seed)
    return [r["id"] for r in rng.sample(with_roundup, per_part) + rng.sample(others, per_part)]


def _path(arg: str) -> Path:
    path = Path(arg)
    if not path.is_absolute() and not path.exists():
        path = ROOT / path  # allow running from outside the repository root
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=44, help="random.Random seed (44: held-out set, 45: test set)")
    parser.add_argument("--exclude", nargs="+", type=_path, default=[TUNING], metavar="LABELS",
                        help="label files (jsonl) whose ids are not drawn (default: bench/divergence_labels.jsonl)")
    args = parser.parse_args()
    print(draw(args.seed, exclude=args.exclude))


if __name__ == "__main__":
    main()
