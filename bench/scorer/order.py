"""How readable the merged digest is in each sentence order, on the prepared val clusters.

Same selection for every order (the shipped scorer + fill at the reference length, or --fixed for 150 words);
only the order changes, so ROUGE-1/2 are equal and ROUGE-L moves. Per digest sentence:
- dangling: leans on an earlier sentence (pipeline `leans_on_earlier_sentence`) and the sentence before it in
  the digest is not the one before it in its source;
- repeats: says what an earlier digest sentence said (MiniLM cosine >= 0.62, the pipeline's SAME_CLAIM);
- jumps: the sentence shares little with the one before (cosine < 0.3): a switch to another event or aspect;
- switches: the sentence comes from another article than the one before.

Usage: PYTHONPATH=. python bench/scorer/order.py [--fixed]
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import load, rouge, select  # noqa: E402

from pipeline.config import Settings  # noqa: E402
from features import leans_on_earlier_sentence  # noqa: E402


def by_score(c, picked):
    return list(picked)


def by_position(c, picked):
    """Earliest source position first, articles in their order at equal positions (interleaved)."""
    order = {a: k for k, a in enumerate(dict.fromkeys(c.pool.article_ids))}
    return sorted(picked, key=lambda i: (c.pool.positions[i], order[c.pool.article_ids[i]]))


def grouped_by_best(c, picked):
    """Articles in the order of their best chosen sentence; each article's sentences in source order."""
    rank = {}
    for r, i in enumerate(picked):
        rank.setdefault(c.pool.article_ids[i], r)
    return sorted(picked, key=lambda i: (rank[c.pool.article_ids[i]], c.pool.positions[i]))


def grouped_by_earliest(c, picked):
    """Articles in the order of their earliest chosen sentence (then best), each in source order."""
    first: dict[str, tuple[int, int]] = {}
    for r, i in enumerate(picked):
        a = c.pool.article_ids[i]
        first[a] = min(first.get(a, (10 ** 9, 10 ** 9)), (c.pool.positions[i], r))
    return sorted(picked, key=lambda i: (first[c.pool.article_ids[i]], c.pool.positions[i]))


def best_then_source(c, picked):
    """The best sentence opens; the rest follow grouped by article, earliest first, each in source order."""
    if not picked:
        return []
    rest = grouped_by_earliest(c, picked[1:])
    head = picked[0]
    same = [i for i in rest if c.pool.article_ids[i] == c.pool.article_ids[head]]
    after = [i for i in same if c.pool.positions[i] > c.pool.positions[head]]
    before = [i for i in same if c.pool.positions[i] < c.pool.positions[head]]
    others = [i for i in rest if c.pool.article_ids[i] != c.pool.article_ids[head]]
    return before + [head] + after + others


def shipped(c, picked):
    """What the pipeline ships: `digest.select.reading_order`."""
    from pipeline.digest.select import reading_order
    return reading_order(c.pool, picked)


ORDERS = {"by score (before)": by_score, "reading_order (shipped)": shipped, "source position, interleaved": by_position,
          "grouped by article, best article first": grouped_by_best,
          "grouped by article, earliest first": grouped_by_earliest,
          "best first, then grouped by article": best_then_source}


def measures(c, seq):
    pool = c.pool
    dangling = repeats = jumps = switches = 0
    for k, i in enumerate(seq):
        prev = seq[k - 1] if k else None
        follows_source = prev is not None and pool.article_ids[prev] == pool.article_ids[i] and \
            pool.sentences[prev].index < pool.sentences[i].index and pool.positions[i] - pool.positions[prev] == 1
        if leans_on_earlier_sentence(pool.sentences[i].text) and not follows_source:
            dangling += 1
        if k and float(np.max(pool.vectors[seq[:k]] @ pool.vectors[i])) >= 0.62:
            repeats += 1
        if prev is not None:
            jumps += float(pool.vectors[prev] @ pool.vectors[i]) < 0.3
            switches += pool.article_ids[prev] != pool.article_ids[i]
    return np.array([len(seq), dangling, repeats, jumps, switches])


def main(pick_scores, fixed: bool = False):
    for name in ("as_val", "mn_val"):
        C = [c for c in load(name) if c is not None]
        print(f"\n{name} ({'150 words' if fixed else 'reference length'})\n"
              "| order | sentences | dangling | repeats | jumps (cos<0.3) | article switches | ROUGE-L |\n|---|---|---|---|---|---|---|")
        picks = []
        for c in C:
            budget = c.fixed_budget if fixed else c.ref_budget
            picks.append(select(c, pick_scores(c, budget), budget, Settings().summary.redundancy_threshold))
        for oname, fn in ORDERS.items():
            tot, rl = np.zeros(5), []
            for c, picked in zip(C, picks):
                seq = fn(c, picked)
                tot += measures(c, seq)
                rl.append(rouge(" ".join(c.pool.sentences[i].text for i in seq), c.reference)["rougeL"])
            n = tot[0]
            print(f"| {oname} | {int(n)} | {int(tot[1])} ({tot[1] / n:.1%}) | {int(tot[2])} ({tot[2] / n:.1%}) "
                  f"| {int(tot[3])} ({tot[3] / n:.1%}) | {int(tot[4])} | {np.mean(rl):.2f} |", flush=True)


if __name__ == "__main__":
    from shipped import shipped_scores  # noqa: E402
    main(shipped_scores, "--fixed" in sys.argv)
