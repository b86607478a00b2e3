"""Does the shipped scorer rate sentences deeper than train's articles ever go too high? Penalise them and see.

Train's articles are three lead paragraphs (ranks 0-3); Multi-News articles run to 50 sentences. Each sentence's
score is multiplied by ((1 + min(rank, 3)) / (1 + rank)) ** a, selection as shipped, reference length.

Usage: PYTHONPATH=. python bench/scorer/deep_positions.py   (after prep.py)
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import load, peer_scores, score_set, select  # noqa: E402

from pipeline.config import Settings  # noqa: E402
from pipeline.digest.scorer import learned_salience  # noqa: E402

TAU = Settings().summary.redundancy_threshold

for name in ("mn_val", "as_val"):
    clusters = load(name)
    peers = [peer_scores(clusters, p) for p in ("lead", "lexrank")]
    best1, best2 = (max(p[k].mean() for p in peers) for k in ("rouge1", "rouge2"))
    for a in (0.0, 0.5, 1.0, 2.0):
        def pick(c, budget, a=a):
            pos = np.asarray(c.pool.positions, float)
            scores = learned_salience(c.pool, budget.max_words) * ((1 + np.minimum(pos, 3)) / (1 + pos)) ** a
            return select(c, scores, budget, TAU)
        r = score_set(clusters, pick)
        print(f"{name} a={a}: {r['rouge1'].mean():.2f} / {r['rouge2'].mean():.2f} "
              f"({r['rouge1'].mean() - best1:+.2f} / {r['rouge2'].mean() - best2:+.2f} over the best peer)", flush=True)
