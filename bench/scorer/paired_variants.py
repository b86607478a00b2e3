"""How far apart are scorer variants on the val sets, cluster by cluster? Paired differences to the shipped one.

Trains each named sweep variant on train (as sweep.py does), scores both val sets at the reference length, and
prints each variant's mean ROUGE-1 / ROUGE-2 minus the shipped variant's with a 95% bootstrap interval: when
the intervals straddle zero, ranking the variants by their val means is mostly choosing noise.

Usage: PYTHONPATH=. python bench/scorer/paired_variants.py VARIANT ...   (after prep.py; names as in sweep.py)
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import bootstrap, load, score_set  # noqa: E402
from sweep import VARIANTS, picker, train  # noqa: E402

SHIPPED = "bigram, cosine 0.7"


def main() -> None:
    tr = load("train")
    vals = {s: load(s) for s in ("as_val", "mn_val")}
    scores = {}
    for name in [SHIPPED] + sys.argv[1:]:
        pick = picker(VARIANTS[name], train(VARIANTS[name], tr))
        scores[name] = {s: score_set(v, pick) for s, v in vals.items()}
    print("| variant minus shipped | AllSides R1 | AllSides R2 | Multi-News R1 | Multi-News R2 |\n|---|---|---|---|---|")
    for name in sys.argv[1:]:
        cells = []
        for s in vals:
            for k in ("rouge1", "rouge2"):
                d = scores[name][s][k] - scores[SHIPPED][s][k]
                lo, hi = bootstrap(d)
                cells.append(f"{d.mean():+.2f} [{lo:+.2f}, {hi:+.2f}]")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
