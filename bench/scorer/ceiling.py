"""How far the shipped scorer's features and selection can go on Multi-News: an in-domain, cross-fitted ceiling.

A diagnostic, never a model to ship: some arms train on Multi-News *val* clusters. Every arm scores each
Multi-News val cluster with a model that never saw that cluster (K-fold by cluster), so its numbers are what the
same features, target, LightGBM settings and selection would reach with long-article training data like val's.

Arms (all the shipped sweep variant "bigram, cosine 0.7": INV features, bigram target, cosine 0.7, BASE params):
  shipped          trained on AllSides train only (the shipped settings; the reference for paired differences)
  mn K=k           trained on the other k-1 folds of Multi-News val only
  mixed K=k        AllSides train + the other k-1 folds of Multi-News val
  in-sample        trained on all of Multi-News val and scored on it (overfit upper bound, not an estimate)
  target oracle    selection fed the training target itself (a perfect predictor of it)
  train x f        (--curve) a random share f of AllSides train clusters, seeds 0..S-1: a learning curve
Per arm: Multi-News val ROUGE-1 / ROUGE-2 at the reference length, the margin over the better of lead and
lexrank with a 95% bootstrap interval (both peers resampled with the system), the paired difference to the
shipped arm [95% interval], and, where the arm never saw AllSides val, AllSides val margins.

Usage (after prep.py has cached train, as_val, mn_val under $SCORER_CACHE, default /work/cache-scorer):
  PYTHONPATH=. nice -n 10 python bench/scorer/ceiling.py [--folds 5 2] [--splits 1] [--seeds 0] [--curve 0.25 0.5]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import bootstrap, load, peer_scores, score_set, select  # noqa: E402
from sweep import TARGETS, VARIANTS, picker, train  # noqa: E402

SHIPPED = VARIANTS["bigram, cosine 0.7"]
PEERS = ("lead", "lexrank")


def margin_interval(system: np.ndarray, peers: dict[str, np.ndarray], resamples: int = 1000,
                    seed: int = 0) -> tuple[float, float, float, float]:
    """Mean system minus the better peer's mean, its 95% bootstrap interval (the better peer re-chosen in each
    resample, as the target defines it), and the share of resamples at or above +2.5."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(system), size=(resamples, len(system)))
    best = np.max([p[idx].mean(axis=1) for p in peers.values()], axis=0)
    m = system[idx].mean(axis=1) - best
    point = system.mean() - max(p.mean() for p in peers.values())
    lo, hi = np.percentile(m, [2.5, 97.5])
    return point, lo, hi, float(np.mean(m >= 2.5))


def folds_of(n: int, k: int, seed: int) -> np.ndarray:
    """Fold number of each cluster: a seeded shuffle cut into k near-equal parts."""
    fold = np.empty(n, dtype=int)
    fold[np.random.default_rng(seed).permutation(n)] = np.arange(n) % k
    return fold


def cross_fit(mn, k: int, seed: int, extra=(), variant=SHIPPED):
    """Per-cluster ROUGE on Multi-News val, each fold picked by a model trained on the other folds (+ `extra`);
    also the fold models, for scoring AllSides val."""
    fold = folds_of(len(mn), k, seed)
    picks, models = {}, []
    for f in range(k):
        model = train(variant, list(extra) + [c for c, g in zip(mn, fold) if g != f])
        models.append(model)
        pick = picker(variant, model)
        picks.update({i: pick for i in np.nonzero(fold == f)[0]})
    scores = _score_each(mn, picks)
    return scores, models


def _score_each(clusters, picks: dict) -> dict[str, np.ndarray]:
    """score_set with a picker chosen per cluster (its fold's model)."""
    rows = [score_set([c], picks[i]) for i, c in enumerate(clusters)]
    return {k: np.concatenate([r[k] for r in rows]) for k in rows[0]}


def oracle_pick(c, budget):
    return select(c, np.maximum(TARGETS[SHIPPED["target"]](c), 1e-3), budget, SHIPPED["tau"])


class Table:
    def __init__(self, mn, asv):
        self.mn, self.asv = mn, asv
        self.peers = {s: {p: peer_scores(v, p) for p in PEERS} for s, v in (("mn", mn), ("as", asv))}
        self.base = None
        self.rows = []

    def add(self, name: str, mn_scores: dict, as_r1r2: tuple[float, float] | None, rows: int | str) -> None:
        if self.base is None:
            self.base = mn_scores
        cells = [name, str(rows), f"{mn_scores['rouge1'].mean():.2f} / {mn_scores['rouge2'].mean():.2f}"]
        for k in ("rouge1", "rouge2"):
            point, lo, hi, p25 = margin_interval(mn_scores[k], {p: v[k] for p, v in self.peers["mn"].items()})
            cells.append(f"{point:+.2f} [{lo:+.2f}, {hi:+.2f}]" + (f" ({100 * p25:.0f}% >= 2.5)" if k == "rouge1" else ""))
        for k in ("rouge1", "rouge2"):
            d = mn_scores[k] - self.base[k]
            lo, hi = bootstrap(d)
            cells.append(f"{d.mean():+.2f} [{lo:+.2f}, {hi:+.2f}]" if d.any() else "0")
        if as_r1r2:
            best = [max(v[k].mean() for v in self.peers["as"].values()) for k in ("rouge1", "rouge2")]
            cells.append(f"{as_r1r2[0] - best[0]:+.2f} / {as_r1r2[1] - best[1]:+.2f}")
        else:
            cells.append("–")
        self.rows.append("| " + " | ".join(cells) + " |")
        print(self.rows[-1], file=sys.stderr, flush=True)

    def as_val(self, models, variant=SHIPPED) -> tuple[float, float]:
        """AllSides val ROUGE-1 / 2 means, averaged over the given models (each scores every cluster)."""
        rs = [score_set(self.asv, picker(variant, m)) for m in models]
        return tuple(float(np.mean([r[k].mean() for r in rs])) for k in ("rouge1", "rouge2"))

    def print(self) -> None:
        peers = self.peers["mn"]
        print("Multi-News val (250 clusters), reference length. Peers: "
              + ", ".join(f"{p} {v['rouge1'].mean():.2f} / {v['rouge2'].mean():.2f}" for p, v in peers.items()))
        print("\n| arm | train rows | MN R1 / R2 | MN margin R1 [95%] (share of resamples >= +2.5) | MN margin R2 [95%] "
              "| paired R1 vs shipped [95%] | paired R2 vs shipped [95%] | AllSides val margin R1 / R2 |")
        print("|---|---|---|---|---|---|---|---|")
        print("\n".join(self.rows), flush=True)


def rows_of(clusters) -> int:
    return sum(len(c.pool.sentences) for c in clusters if c is not None and len(set(c.pool.article_ids)) >= 2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, nargs="*", default=[5, 2])
    ap.add_argument("--splits", type=int, default=1, help="fold shuffles per K (split noise)")
    ap.add_argument("--seeds", type=int, nargs="*", default=[], help="bagged seeds of the shipped settings (noise)")
    ap.add_argument("--curve", type=float, nargs="*", default=[], help="shares of train clusters (learning curve)")
    ap.add_argument("--curve-seeds", type=int, default=3)
    args = ap.parse_args()
    t = time.time()
    tr, mn, asv = load("train"), load("mn_val"), load("as_val")
    table = Table(mn, asv)
    print(f"loaded in {time.time() - t:.0f}s", file=sys.stderr)

    shipped = train(SHIPPED, tr)
    table.add("shipped: AllSides train only", score_set(mn, picker(SHIPPED, shipped)), table.as_val([shipped]),
              rows_of(tr))
    for k in args.folds:
        for split in range(args.splits):
            tag = f", split {split}" if args.splits > 1 else ""
            s, _ = cross_fit(mn, k, split)
            table.add(f"Multi-News val only, K={k}{tag}", s, None, f"~{rows_of(mn) * (k - 1) // k}")
            s, models = cross_fit(mn, k, split, extra=tr)
            table.add(f"mixed: AllSides train + Multi-News, K={k}{tag}", s, table.as_val(models),
                      f"~{rows_of(tr) + rows_of(mn) * (k - 1) // k}")
    insample = train(SHIPPED, mn)
    table.add("in-sample: all Multi-News val (not an estimate)", score_set(mn, picker(SHIPPED, insample)), None,
              rows_of(mn))
    table.add("target oracle (the bigram target as scores)", score_set(mn, oracle_pick), None, "–")
    for seed in args.seeds:
        v = VARIANTS[f"bigram, cosine 0.7, bagged seed {seed} (noise)"]
        m = train(v, tr)
        table.add(f"shipped settings, bagged seed {seed}", score_set(mn, picker(v, m)), table.as_val([m], v),
                  rows_of(tr))
    live = [c for c in tr if c is not None]
    for share in args.curve:
        for seed in range(args.curve_seeds):
            rng = np.random.default_rng(seed)
            sub = [live[i] for i in sorted(rng.choice(len(live), int(share * len(live)), replace=False))]
            m = train(SHIPPED, sub)
            table.add(f"train x {share:g}, seed {seed}", score_set(mn, picker(SHIPPED, m)), table.as_val([m]),
                      rows_of(sub))
    print(f"done in {time.time() - t:.0f}s", file=sys.stderr)
    table.print()


if __name__ == "__main__":
    main()
