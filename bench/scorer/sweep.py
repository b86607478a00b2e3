"""Scorer variants trained on the AllSides train split, scored on the two val sets (prepared by prep.py).

Usage: PYTHONPATH=. python bench/scorer/sweep.py [VARIANT ...] [--train-limit N] [--fixed]
Prints, per val set, ROUGE-1/2/L at the reference length (and with --fixed at 150 words) and the margin over
the better of lead and lexrank.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import lightgbm as lgb  # noqa: E402

from common import (graded, load, peer_scores, score_set, select, target_bigram, target_gain,  # noqa: E402
                    target_precision)
from features import columns  # noqa: E402
from common import SEL  # noqa: E402

OLD = ["lead", "relative_position", "article_order", "centrality", "support", "word_support", "words",
       "has_number", "entities", "articles", "budget_words"]
INV = ["lead", "relative_position", "centrality", "lexrank", "support", "soft_support", "word_support",
       "word_frequency", "words", "words_to_budget", "budget_ratio", "has_number", "entity_density", "quote"]
INV_RANKS = INV + ["centrality_rank", "lexrank_rank", "word_support_rank"]
BASE = {"objective": "regression", "learning_rate": 0.05, "num_leaves": 8, "min_data_in_leaf": 200,
        "seed": 0, "deterministic": True, "num_threads": 1, "verbose": -1, "force_row_wise": True}
TARGETS = {"precision": target_precision, "bigram": target_bigram,
           "gain": lambda c: target_gain(c, oracle=False), "oracle": target_gain,
           "bigram_rel": lambda c: _per_cluster_mean(target_bigram(c)),
    "bigram0": lambda c: target_bigram(c, 0.0), "bigram1": lambda c: target_bigram(c, 1.0)}


def _per_cluster_mean(y):
    """The target as a multiple of its cluster's mean: how much better than the cluster's average sentence. The
    knapsack's choice in a pool does not change when all its scores are scaled, so the trees need not spend
    splits on how abstractive each reference is (a cluster-level offset that val and held-out sets vary on)."""
    return y / (y.mean() or 1.0)


def V(feats, target="precision", rounds=150, post="floor", tau=0.75, cw_tau=None, len_exp=1.0, **params):
    return {"feats": feats, "target": target, "rounds": rounds, "post": post, "tau": tau,
            "cw_tau": cw_tau, "len_exp": len_exp, "params": {**BASE, **params}}


def E(tau, norm, feats=None):
    """Average of the shipped regression's and the lambdarank model's scores, each normalised within the pool."""
    feats = feats or INV
    return {"members": [V(feats, "bigram"), V(feats, "precision", post="rank", objective="lambdarank")],
            "norm": norm, "tau": tau, "cw_tau": None, "len_exp": 1.0}


NO_BUDGET = [f for f in INV if f not in ("words_to_budget", "budget_ratio")]
FIRST = ["first_mention", "fact_first"]
MONO = {"lead": 1, "relative_position": -1, "centrality": 1, "lexrank": 1, "support": 1, "soft_support": 1,
        "word_support": 1, "word_frequency": 1}

VARIANTS = {
    "old features, old params": V(OLD),
    "invariant": V(INV),
    "invariant, no budget columns": V(NO_BUDGET),
    "invariant, cosine 0.7": V(INV, tau=0.7),
    "invariant, cosine 0.65": V(INV, tau=0.65),
    "invariant+ranks": V(INV_RANKS),
    "invariant, 16 leaves, min 100, 300 rounds": V(INV, num_leaves=16, min_data_in_leaf=100, rounds=300),
    "invariant, 31 leaves, min 50, 300 rounds": V(INV, num_leaves=31, min_data_in_leaf=50, rounds=300),
    "invariant, monotone": V(INV, monotone_constraints=[MONO.get(f, 0) for f in INV]),
    "invariant, bigram target": V(INV, "bigram"),
    "invariant, gain target": V(INV, "gain"),
    "invariant, oracle target": V(INV, "oracle"),
    "invariant, lambdarank": V(INV, "precision", post="rank", objective="lambdarank"),
    "invariant, lambdarank oracle": V(INV, "oracle", post="rank", objective="lambdarank"),
    # round 2: around the bigram target
    "bigram, cosine 0.7": V(INV, "bigram", tau=0.7),
    "bigram + ranks": V(INV_RANKS, "bigram"),
    "bigram + ranks, cosine 0.7": V(INV_RANKS, "bigram", tau=0.7),
    "bigram, 16 leaves, min 100, 300 rounds": V(INV, "bigram", num_leaves=16, min_data_in_leaf=100, rounds=300),
    "bigram only (no unigram share)": V(INV, "bigram0"),
    "bigram + full unigram share": V(INV, "bigram1"),
    "bigram, lambdarank": V(INV, "bigram", post="rank", objective="lambdarank"),
    "bigram, min 50, 300 rounds": V(INV, "bigram", min_data_in_leaf=50, rounds=300),
    # round 3: extrapolating to long articles (AllSides train articles have at most a few sentences)
    "bigram, linear trees": V(INV, "bigram", linear_tree=True, linear_lambda=1.0),
    "bigram, monotone": V(INV, "bigram", monotone_constraints=[MONO.get(f, 0) for f in INV]),
    "bigram, no budget columns": V(NO_BUDGET, "bigram"),
    "bigram + position": V(INV + ["position"], "bigram"),
    # round 4 (session scorer2): where a sentence's facts first appear; an ensemble; selection levers
    "bigram + first mention, cosine 0.7": V(INV + FIRST, "bigram", tau=0.7),
    "bigram + first mention + cluster first, cosine 0.7": V(INV + FIRST + ["cluster_first"], "bigram", tau=0.7),
    "ensemble regression + lambdarank (min-max), cosine 0.7": E(0.7, "minmax"),
    "ensemble regression + lambdarank (pct rank), cosine 0.7": E(0.7, "pct"),
    "bigram, cosine 0.7, content-word redundancy 0.6": V(INV, "bigram", tau=0.7, cw_tau=0.6),
    "bigram, cosine 0.7, value x words^0.8": V(INV, "bigram", tau=0.7, len_exp=0.8),
    "bigram, cosine 0.7, 4 leaves, 300 rounds": V(INV, "bigram", tau=0.7, num_leaves=4, rounds=300),
    "bigram, cosine 0.7, 5 bagged seeds averaged": {
        "members": [V(INV, "bigram", seed=k, bagging_fraction=0.8, bagging_freq=1, feature_fraction=0.8)
                    for k in range(5)], "norm": "none", "tau": 0.7, "cw_tau": None, "len_exp": 1.0},
    "bigram, cosine 0.7, value x words^1.2": V(INV, "bigram", tau=0.7, len_exp=1.2),
    "bigram, cosine 0.7, no back-reference discount (diagnostic)": {**V(INV, "bigram", tau=0.7), "discount": False},
    "bigram, cosine 0.7, no absolute lead (relative position only)": V([f for f in INV if f != "lead"], "bigram",
                                                                       tau=0.7),
    "bigram + similarity to the ledes, cosine 0.7": V(INV + ["lede_cosine", "lede_words"], "bigram", tau=0.7),
    "bigram / cluster mean, cosine 0.7": V(INV, "bigram_rel", tau=0.7),
    **{f"bigram, cosine 0.7, bagged seed {k} (noise)": V(INV, "bigram", tau=0.7, seed=k, bagging_fraction=0.8,
                                                         bagging_freq=1, feature_fraction=0.8) for k in range(5)},
    "bigram, cosine 0.7, + merged same-topic train pairs (cosine 0.8)": {**V(INV, "bigram", tau=0.7), "augment": 0.8},
}


def merged_topics(clusters, min_cosine=0.8):
    """Augmentation: pairs of train clusters on the same topic (cosine of their pools' mean vectors at least
    `min_cosine`, each cluster in at most one pair, nearest first) merged into one cluster: six articles, both
    references joined, the budget their sum. Multi-News clusters are bigger pools with a longer reference and
    more repeats across articles; this shows the trees pools like that without any val data."""
    from common import Cluster
    live = [c for c in clusters if c is not None and len(c.pool.sentences)]
    cent = np.vstack([c.pool.vectors.mean(axis=0) for c in live])
    cent /= np.linalg.norm(cent, axis=1, keepdims=True)
    sims = cent @ cent.T
    np.fill_diagonal(sims, -1)
    used, out = set(), []
    for i, j in sorted(zip(*np.nonzero(np.triu(sims) >= min_cosine)), key=lambda ij: -sims[ij]):
        if i in used or j in used:
            continue
        used |= {i, j}
        a, b = live[i].raw, live[j].raw
        words = a["ref_budget"][1] + b["ref_budget"][1]
        out.append(Cluster({"reference": a["reference"] + "\n" + b["reference"],
                            "ref_budget": (min(50, max(6, words // 15)), words),
                            "articles": [(f"a{k}", s) for k, (_, s) in enumerate(a["articles"] + b["articles"])],
                            "vectors": list(a["vectors"]) + list(b["vectors"])}))
    print(f"augmentation: {len(out)} merged pairs", file=sys.stderr)
    return out


def feats_of(c, budget, names):
    key = (budget.max_words, tuple(names))
    if key not in c._cache:
        cols = c._cache.setdefault(("cols", budget.max_words), None) or columns(c.pool, budget.max_words)
        c._cache[("cols", budget.max_words)] = cols
        c._cache[key] = np.column_stack([cols[n] for n in names])
    return c._cache[key]


def train(variant, clusters):
    if variant.get("augment"):
        clusters = list(clusters) + merged_topics(clusters, variant["augment"])
    if "members" in variant:
        return [train(m, clusters) for m in variant["members"]]
    xs, ys, groups = [], [], []
    for c in clusters:
        if c is None or len(set(c.pool.article_ids)) < 2:
            continue
        y = TARGETS[variant["target"]](c)
        xs.append(feats_of(c, c.ref_budget, variant["feats"]))
        ys.append(graded(y) if variant["params"]["objective"] == "lambdarank" else y)
        groups.append(len(y))
    data = lgb.Dataset(np.vstack(xs), np.concatenate(ys), feature_name=list(variant["feats"]),
                       group=groups if variant["params"]["objective"] == "lambdarank" else None)
    return lgb.train(variant["params"], data, num_boost_round=variant["rounds"])


def _minmax(raw):
    lo, hi = raw.min(), raw.max()
    return (raw - lo) / (hi - lo) if hi > lo else np.ones_like(raw)


def _pct(raw):
    from features import pct_rank
    return pct_rank(raw)


def scores_of(variant, model, c, budget):
    if "members" in variant:
        norm = {"minmax": _minmax, "pct": _pct, "none": lambda x: x}[variant["norm"]]
        return np.mean([norm(m.predict(feats_of(c, budget, v["feats"])))
                        for v, m in zip(variant["members"], model)], axis=0)
    raw = model.predict(feats_of(c, budget, variant["feats"]))
    return _minmax(raw) if variant["post"] == "rank" else raw  # a ranker's scores have no scale


def picker(variant, model):
    tau = variant["tau"]
    def pick(c, budget):
        scores = np.maximum(scores_of(variant, model, c, budget), 1e-3)
        if variant["cw_tau"] is None and variant["len_exp"] == 1.0:
            return select(c, scores, budget, tau, discount=variant.get("discount", True))
        return select_lever(c, SEL.discount_back_references(c.pool, scores), budget, tau, variant["cw_tau"],
                            variant["len_exp"])
    return pick


def select_lever(c, scores, budget, tau, cw_tau, len_exp):
    """select_fill with two levers: also drop a candidate whose content words are mostly (>= cw_tau) in one
    better candidate's, and weigh each sentence by words ** len_exp instead of words (< 1 favours shorter)."""
    from pipeline.nlp.tokens import content_words
    pool = c.pool
    cands, cws = [], []
    for i in np.argsort(-scores, kind="stable"):
        i = int(i)
        if pool.sentences[i].words > budget.max_words:
            continue
        if cands and float(np.max(pool.vectors[cands] @ pool.vectors[i])) >= tau:
            continue
        w = set(content_words(pool.sentences[i].text))
        if cw_tau is not None and w and any(len(w & o) / len(w) >= cw_tau for o in cws):
            continue
        cands.append(i)
        cws.append(w)
        if len(cands) >= SEL._FILL_CANDIDATES:
            break
    words = [pool.sentences[i].words for i in cands]
    values = [max(float(scores[i]), 0.0) * n ** len_exp for i, n in zip(cands, words)]
    return [cands[j] for j in SEL._knapsack(values, words, budget.max_words, budget.max_sentences)]


def blend_pick(c, budget):
    from common import P
    return select(c, P.salience(c.pool, 0.5, 0.5), budget, 0.75)


def report(name, val, sys_scores, budget_key):
    peers = {p: peer_scores(val, p, budget_key) for p in ("lead", "lexrank")}
    best = max(peers, key=lambda p: peers[p]["rouge1"].mean())
    s = sys_scores
    m1 = s["rouge1"].mean() - max(peers[p]["rouge1"].mean() for p in peers)
    m2 = s["rouge2"].mean() - max(peers[p]["rouge2"].mean() for p in peers)
    print(f"| {name} | {s['rouge1'].mean():.2f} / {s['rouge2'].mean():.2f} / {s['rougeL'].mean():.2f} "
          f"| {m1:+.2f} / {m2:+.2f} |", flush=True)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("variants", nargs="*")
    ap.add_argument("--train-limit", type=int)
    ap.add_argument("--fixed", action="store_true")
    ap.add_argument("--sets", default="as_val,mn_val")
    args = ap.parse_args()
    t = time.time()
    tr = load("train", args.train_limit)
    vals = {s: load(s) for s in args.sets.split(",")}
    print(f"loaded in {time.time() - t:.0f}s", file=sys.stderr)
    names = args.variants or list(VARIANTS)
    budgets = ["ref", "fixed"] if args.fixed else ["ref"]
    results = {}
    for vn in ["blend (hand weights)"] + names:
        t = time.time()
        if vn.startswith("blend"):
            pick = blend_pick
        else:
            model = train(VARIANTS[vn], tr)
            pick = picker(VARIANTS[vn], model)
        for s, val in vals.items():
            for b in budgets:
                results[(vn, s, b)] = score_set(val, pick, b)
        cells = []
        for s, val in vals.items():
            for b in budgets:
                r = results[(vn, s, b)]
                peers = [peer_scores(val, p, b) for p in ("lead", "lexrank")]
                cells.append(f"{s}/{b} {r['rouge1'].mean():.2f}/{r['rouge2'].mean():.2f} "
                             f"({r['rouge1'].mean() - max(p['rouge1'].mean() for p in peers):+.2f}/"
                             f"{r['rouge2'].mean() - max(p['rouge2'].mean() for p in peers):+.2f}) "
                             f"{r['words'].mean():.1f}/{r['budget'].mean():.1f}w")
        print(f"{vn} [{time.time() - t:.0f}s]: " + "; ".join(cells), file=sys.stderr, flush=True)
    for s, val in vals.items():
        for b in budgets:
            print(f"\n{s}, budget {b}\n| variant | R1 / R2 / RL | vs best peer R1 / R2 |\n|---|---|---|")
            for p in ("lead", "lexrank"):
                ps = peer_scores(val, p, b)
                print(f"| {p} | {ps['rouge1'].mean():.2f} / {ps['rouge2'].mean():.2f} / {ps['rougeL'].mean():.2f} | |")
            for vn in ["blend (hand weights)"] + names:
                report(vn, val, results[(vn, s, b)], b)


if __name__ == "__main__":
    main()
