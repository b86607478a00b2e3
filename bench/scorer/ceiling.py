"""How far the shipped scorer's features and selection can go on Multi-News: an in-domain, cross-fitted ceiling.

A diagnostic, never a model to ship: some arms train on Multi-News *val* clusters. Every arm scores each
Multi-News val cluster with a model that never saw that cluster (K-fold by cluster), so its numbers are what the
same features, target, LightGBM settings and selection would reach with long-article training data like val's.

Arms (all the shipped sweep variant "bigram, cosine 0.7": INV features, bigram target, cosine 0.7, BASE params):
  shipped          trained on AllSides train only (the shipped settings; the reference for paired differences)
  mn K=k           trained on the other k-1 folds of Multi-News val only
  mixed K=k        AllSides train + the other k-1 folds of Multi-News val
  16 / 31 leaves   (--capacity) the same two K=5 arms with bigger trees
  in-sample        trained on all of Multi-News val and scored on it (overfit upper bound, not an estimate)
  target oracle    selection fed the training target itself (a perfect predictor of it)
  bagged seed s    (--seeds) the shipped settings with 80% bagging and feature fraction, seed s: training noise;
                   on AllSides train, and on Multi-News val cross-fitted (the first K, fold shuffle s)
  train x f        (--curve) a random share f of AllSides train clusters, seeds 0..S-1: a learning curve
Per arm: Multi-News val ROUGE-1 / ROUGE-2 at the reference length, the margin over the better of lead and
lexrank with a 95% bootstrap interval (the better peer re-chosen in each resample) and the share of resamples at
+2.5 or more, ROUGE-1 minus lead paired, the paired difference to the shipped arm [95% interval], the mean
within-cluster Spearman correlation of the model's scores with its target, and the AllSides val margins (mean
over the arm's models; no arm saw AllSides val, so for the Multi-News-only arms it is the transfer the other way).

Usage (after prep.py has cached train, as_val, mn_val under $SCORER_CACHE, default /work/cache-scorer):
  PYTHONPATH=. nice -n 10 python bench/scorer/ceiling.py [--folds 5 2] [--splits 1] [--capacity] [--seeds 0 1]
      [--curve 0.25 0.5] [--curve-seeds 3]
The table in bench/RESULTS.md (Round 5, about 12 min of one core):
  ... ceiling.py --folds 5 2 --splits 5 --capacity --seeds 0 1 2 3 4 --curve 0.1 0.25 0.5 0.75 --curve-seeds 3
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import bootstrap, load, peer_scores, score_set, select  # noqa: E402
from sweep import TARGETS, VARIANTS, V, picker, scores_of, train  # noqa: E402

SHIPPED = VARIANTS["bigram, cosine 0.7"]
CAPACITY = {  # more trees and leaves: does in-domain data want a bigger model than train's 14k short-article rows?
    "16 leaves, min 100, 300 rounds": V(SHIPPED["feats"], "bigram", tau=0.7, num_leaves=16, min_data_in_leaf=100,
                                        rounds=300),
    "31 leaves, min 50, 300 rounds": V(SHIPPED["feats"], "bigram", tau=0.7, num_leaves=31, min_data_in_leaf=50,
                                       rounds=300),
}
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
    scores["agree"] = np.array([agreement(c, variant, models[g]) for c, g in zip(mn, fold)])
    return scores, models


def agreement(c, variant, model) -> float:
    """Spearman correlation, within the cluster, of the model's scores with the target it was trained on: how
    well the features tell this pool's sentences apart (NaN for a pool of fewer than 3 sentences)."""
    if c is None or len(c.pool.sentences) < 3:
        return float("nan")
    ranks = [np.argsort(np.argsort(x, kind="stable"), kind="stable")
             for x in (scores_of(variant, model, c, c.ref_budget), TARGETS[variant["target"]](c))]
    return float(np.corrcoef(*ranks)[0, 1])


def scored(clusters, variant, model) -> dict[str, np.ndarray]:
    """score_set of one model on every cluster, with its agreement with the target."""
    out = score_set(clusters, picker(variant, model))
    out["agree"] = np.array([agreement(c, variant, model) for c in clusters])
    return out


def _mean_scores(runs: list[dict]) -> dict[str, np.ndarray]:
    return {k: np.mean([r[k] for r in runs], axis=0) for k in runs[0]}


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
        self.rows, self.notes = [], []

    def add(self, name: str, mn_scores: dict, as_r1r2: tuple[float, float] | None, rows: int | str) -> None:
        if self.base is None:
            self.base = mn_scores
        agree = f"{np.nanmean(mn_scores['agree']):.2f}" if "agree" in mn_scores else "1"
        cells = [name, str(rows), agree, f"{mn_scores['rouge1'].mean():.2f} / {mn_scores['rouge2'].mean():.2f}"]
        for k in ("rouge1", "rouge2"):
            point, lo, hi, p25 = margin_interval(mn_scores[k], {p: v[k] for p, v in self.peers["mn"].items()})
            cells.append(f"{point:+.2f} [{lo:+.2f}, {hi:+.2f}]" + (f" ({100 * p25:.0f}% >= 2.5)" if k == "rouge1" else ""))
        d = mn_scores["rouge1"] - self.peers["mn"]["lead"]["rouge1"]
        lo, hi = bootstrap(d)
        cells.append(f"{d.mean():+.2f} [{lo:+.2f}, {hi:+.2f}]")
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

    def note(self, label: str, r1s: list[np.ndarray]) -> None:
        best = max(v["rouge1"].mean() for v in self.peers["mn"].values())
        m = [r.mean() - best for r in r1s]
        self.notes.append(f"{label}: " + ", ".join(f"{x:+.2f}" for x in m) + f" (mean {np.mean(m):+.2f}, "
                          f"sd {np.std(m, ddof=1):.2f})")
        print(self.notes[-1], file=sys.stderr, flush=True)

    def as_val(self, models, variant=SHIPPED) -> tuple[float, float]:
        """AllSides val ROUGE-1 / 2 means, averaged over the given models (each scores every cluster)."""
        rs = [score_set(self.asv, picker(variant, m)) for m in models]
        return tuple(float(np.mean([r[k].mean() for r in rs])) for k in ("rouge1", "rouge2"))

    def print(self) -> None:
        peers = self.peers["mn"]
        print("Multi-News val (250 clusters), reference length. Peers: "
              + ", ".join(f"{p} {v['rouge1'].mean():.2f} / {v['rouge2'].mean():.2f}" for p, v in peers.items()))
        print("\n| arm | train rows | MN within-cluster Spearman with target | MN R1 / R2 | MN margin R1 [95%] (share of resamples >= +2.5) | MN margin R2 [95%] "
              "| R1 minus lead, paired [95%] | paired R1 vs shipped [95%] | paired R2 vs shipped [95%] | AllSides val margin R1 / R2 |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        print("\n".join(self.rows), flush=True)
        if self.notes:
            print("\n" + "\n".join(self.notes), flush=True)


def rows_of(clusters) -> int:
    return sum(len(c.pool.sentences) for c in clusters if c is not None and len(set(c.pool.article_ids)) >= 2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, nargs="*", default=[5, 2])
    ap.add_argument("--splits", type=int, default=1, help="fold shuffles per K (split noise)")
    ap.add_argument("--seeds", type=int, nargs="*", default=[], help="bagged seeds of the shipped settings (noise)")
    ap.add_argument("--curve", type=float, nargs="*", default=[], help="shares of train clusters (learning curve)")
    ap.add_argument("--curve-seeds", type=int, default=3)
    ap.add_argument("--capacity", action="store_true", help="also K=5 arms with bigger trees (CAPACITY)")
    args = ap.parse_args()
    t = time.time()
    tr, mn, asv = load("train"), load("mn_val"), load("as_val")
    table = Table(mn, asv)
    print(f"loaded in {time.time() - t:.0f}s", file=sys.stderr)

    shipped = train(SHIPPED, tr)
    table.add("shipped: AllSides train only", scored(mn, SHIPPED, shipped), table.as_val([shipped]),
              rows_of(tr))
    for k in args.folds:
        for extra, label in (((), "Multi-News val only"), (tr, "mixed: AllSides train + Multi-News")):
            runs = [cross_fit(mn, k, split, extra) for split in range(args.splits)]
            table.add(f"{label}, K={k}" + (f", per-cluster mean of {args.splits} fold shuffles" if args.splits > 1
                                           else ""), _mean_scores([s for s, _ in runs]),
                      table.as_val([m for _, ms in runs for m in ms]), f"~{rows_of(extra) + rows_of(mn) * (k - 1) // k}")
            if args.splits > 1:
                table.note(f"{label}, K={k}: R1 margin of each fold shuffle", [s["rouge1"] for s, _ in runs])
    for name, variant in CAPACITY.items() if args.capacity else ():
        for extra, label in (((), "Multi-News val only"), (tr, "mixed")):
            s, models = cross_fit(mn, 5, 0, extra, variant)
            table.add(f"{label}, K=5, {name}", s, table.as_val(models, variant),
                      f"~{rows_of(extra) + rows_of(mn) * 4 // 5}")
    insample = train(SHIPPED, mn)
    table.add("in-sample: all Multi-News val (not an estimate)", scored(mn, SHIPPED, insample), None,
              rows_of(mn))
    table.add("target oracle (the bigram target as scores)", score_set(mn, oracle_pick), None, "–")
    seeds = []
    for seed in args.seeds:
        v = VARIANTS[f"bigram, cosine 0.7, bagged seed {seed} (noise)"]
        m = train(v, tr)
        seeds.append(scored(mn, v, m))
        table.add(f"shipped settings, bagged seed {seed}", seeds[-1], table.as_val([m], v), rows_of(tr))
    if seeds:
        table.note("shipped settings, R1 margin of each bagged seed", [s["rouge1"] for s in seeds])
    seeds = []
    for seed in args.seeds if args.folds else ():  # the same bagged seeds, in-domain: like against like
        v = VARIANTS[f"bigram, cosine 0.7, bagged seed {seed} (noise)"]
        seeds.append(cross_fit(mn, args.folds[0], seed, (), v)[0])  # fold shuffle = seed: both noises
        table.add(f"Multi-News val only, K={args.folds[0]}, bagged seed {seed}, fold shuffle {seed}", seeds[-1], None,
                  f"~{rows_of(mn) * (args.folds[0] - 1) // args.folds[0]}")
    if seeds:
        table.note(f"Multi-News val only, K={args.folds[0]}, R1 margin of each bagged seed",
                   [s["rouge1"] for s in seeds])
    live = [c for c in tr if c is not None]
    for share in args.curve:
        runs = []
        for seed in range(args.curve_seeds):
            rng = np.random.default_rng(seed)
            sub = [live[i] for i in sorted(rng.choice(len(live), int(share * len(live)), replace=False))]
            m = train(SHIPPED, sub)
            runs.append(scored(mn, SHIPPED, m))
            table.add(f"train x {share:g}, seed {seed}", runs[-1], table.as_val([m]), rows_of(sub))
        table.note(f"train x {share:g}, R1 margin of each seed", [s["rouge1"] for s in runs])
    print(f"done in {time.time() - t:.0f}s", file=sys.stderr)
    table.print()


if __name__ == "__main__":
    main()
