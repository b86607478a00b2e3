"""Shared by the scorer benches: load prep.py's clusters as pipeline pools, candidate features, targets, scoring.

Everything selection does here is the pipeline's own code (pool, back-reference discount, "fill" knapsack), so a
variant's numbers on the prepared val clusters are what `newsdigest eval` gives for it.
"""
from __future__ import annotations

import os
import pickle
import re
from collections import Counter
from pathlib import Path

import numpy as np

from pipeline.digest import pool as P
from pipeline.digest import select as SEL
from pipeline.domain import Entity, Sentence

from rouge_score import rouge_scorer, tokenize
from nltk.stem import porter

CACHE = Path(os.environ.get("SCORER_CACHE", "/work/cache-scorer"))
ROUGE = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
_stem = porter.PorterStemmer()
_tok_cache: dict[str, list[str]] = {}


class Budget:
    """Duck-typed stand-in for config.Budget (same two fields), so pickled budgets need no pipeline class."""

    def __init__(self, max_sentences: int, max_words: int):
        self.max_sentences, self.max_words = max_sentences, max_words


class Cluster:
    def __init__(self, raw: dict):
        self.raw = raw
        self.reference = raw["reference"]
        self.ref_budget = Budget(*raw["ref_budget"])
        self.fixed_budget = Budget(*raw["fixed_budget"]) if "fixed_budget" in raw else None
        self.peers = raw.get("peers", {})
        self.articles = [_Article(aid, tuple(Sentence(index=i, text=t, entities=tuple(Entity(*e) for e in ents),
                                                      eligible=el) for i, t, ents, el in sents))
                         for aid, sents in raw["articles"]]
        vectors = {a.id: v for a, v in zip(self.articles, raw["vectors"])}
        self.pool = P.build_pool(self.articles, vectors)
        self._cache: dict = {}


class _Article:
    def __init__(self, id: str, sentences: tuple):
        self.id, self.sentences = id, sentences


def load(name: str, limit: int | None = None) -> list[Cluster | None]:
    with open(CACHE / f"{name}.pkl", "rb") as fh:
        raw = pickle.load(fh)
    raw = raw[:limit] if limit else raw
    return [Cluster(r) if r is not None else None for r in raw]


def toks(text: str) -> list[str]:
    """rouge_score's own tokens (stemmed words of more than 3 letters), as ROUGE-1/2 count them."""
    r = _tok_cache.get(text)
    if r is None:
        r = [_stem.stem(w) if len(w) > 3 else w for w in tokenize.tokenize(text, None)]
        _tok_cache[text] = r
    return r


def rouge(text: str, reference: str) -> dict[str, float]:
    s = ROUGE.score(reference, text)
    return {k: 100 * v.fmeasure for k, v in s.items()}


# --- targets ---------------------------------------------------------------

def target_precision(c: Cluster) -> np.ndarray:
    """Share of the sentence's words plus share of its word pairs found in the reference (the old target)."""
    ref = toks(c.reference)
    U, B = set(ref), set(zip(ref, ref[1:]))
    y = []
    for s in c.pool.sentences:
        t = toks(s.text)
        bg = list(zip(t, t[1:]))
        y.append(sum(w in U for w in t) / max(1, len(t)) + sum(b in B for b in bg) / max(1, len(bg)))
    return np.array(y)


def target_bigram(c: Cluster, unigram_weight: float = 0.5) -> np.ndarray:
    """Share of the sentence's word pairs found in the reference (+ a little unigram share): closer to ROUGE-2."""
    ref = toks(c.reference)
    U, B = set(ref), set(zip(ref, ref[1:]))
    y = []
    for s in c.pool.sentences:
        t = toks(s.text)
        bg = list(zip(t, t[1:]))
        y.append(sum(b in B for b in bg) / max(1, len(bg)) + unigram_weight * sum(w in U for w in t) / max(1, len(t)))
    return np.array(y)


def target_gain(c: Cluster, budget: Budget | None = None, oracle: bool = True) -> np.ndarray:
    """Reference bigram (+ half unigram) recall a sentence adds, per word: a target closer to ROUGE-2 gain.

    oracle=False: each sentence on its own. oracle=True: a greedy oracle adds, within the budget, the sentence with
    the most new recall per word; each oracle sentence keeps the gain it had when chosen and every other one gets
    what it would still add after the whole oracle summary ("given the sentences already chosen").
    """
    budget = budget or c.ref_budget
    ref = toks(c.reference)
    rb, ru = Counter(zip(ref, ref[1:])), Counter(ref)
    nb, nu = max(1, sum(rb.values())), max(1, sum(ru.values()))
    sents = [(Counter(zip(t, t[1:])), Counter(t)) for t in (toks(s.text) for s in c.pool.sentences)]
    words = np.array([max(1, s.words) for s in c.pool.sentences], float)
    cov_b: Counter = Counter()
    cov_u: Counter = Counter()

    def gains() -> np.ndarray:
        out = []
        for bg, ug in sents:
            gb = sum(min(n, rb[b] - cov_b[b]) for b, n in bg.items() if rb[b] > cov_b[b])
            gu = sum(min(n, ru[w] - cov_u[w]) for w, n in ug.items() if ru[w] > cov_u[w])
            out.append(gb / nb + 0.5 * gu / nu)
        return 100 * np.array(out) / words

    labels = gains()
    if not oracle:
        return labels
    chosen: list[int] = []
    left = budget.max_words
    while True:
        cands = [i for i in range(len(sents)) if i not in chosen and words[i] <= left and labels[i] > 0]
        if not cands:
            break
        best = max(cands, key=lambda i: labels[i])
        chosen.append(best)
        left -= words[best]
        cov_b.update(sents[best][0])
        cov_u.update(sents[best][1])
        now = gains()
        for i in range(len(sents)):
            if i not in chosen:
                labels[i] = now[i]
    return labels


def graded(y: np.ndarray, levels: int = 5) -> np.ndarray:
    """Integer relevance grades for lambdarank: the target's quantile within its own cluster."""
    if len(y) < 2:
        return np.zeros(len(y), dtype=int)
    ranks = np.argsort(np.argsort(y, kind="stable"), kind="stable") / (len(y) - 1)
    return np.minimum((ranks * levels).astype(int), levels - 1) * (y > 0)


# --- selection and scoring -------------------------------------------------

def select(c: Cluster, scores: np.ndarray, budget: Budget, tau: float = 0.75, discount: bool = True) -> list[int]:
    scores = SEL.discount_back_references(c.pool, scores) if discount else scores
    return SEL.select_fill(c.pool, scores, budget, tau)


def score_set(clusters, pick, budget_key: str = "ref") -> dict[str, np.ndarray]:
    """Per-cluster ROUGE of `pick(cluster, budget) -> indexes` (and the digest's words, with the budget's as
    "budget"); a cluster without sentences scores 0."""
    out = {"rouge1": [], "rouge2": [], "rougeL": [], "words": [], "budget": []}
    for c in clusters:
        if c is None:
            for k in out:
                out[k].append(0.0)
            continue
        budget = c.ref_budget if budget_key == "ref" else c.fixed_budget
        idx = pick(c, budget)
        r = rouge(" ".join(c.pool.sentences[i].text for i in idx), c.reference)
        r["words"] = sum(c.pool.sentences[i].words for i in idx)
        r["budget"] = budget.max_words
        for k in out:
            out[k].append(r[k])
    return {k: np.array(v) for k, v in out.items()}


def peer_scores(clusters, peer: str, budget_key: str = "ref") -> dict[str, np.ndarray]:
    return {k: np.array([c.peers[budget_key][peer][k] if c is not None else 0.0 for c in clusters])
            for k in ("rouge1", "rouge2", "rougeL")}


def bootstrap(values: np.ndarray, resamples: int = 1000, seed: int = 0) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(resamples, len(values)))].mean(axis=1)
    return tuple(np.percentile(means, [2.5, 97.5]))


def paired(system: np.ndarray, peer: np.ndarray) -> str:
    """Mean difference [95% bootstrap interval], and the share of clusters the system wins (ties half)."""
    d = system - peer
    lo, hi = bootstrap(d)
    wins = (np.sum(d > 1e-9) + 0.5 * np.sum(np.abs(d) <= 1e-9)) / len(d)
    return f"{d.mean():+.2f} [{lo:+.2f}, {hi:+.2f}] wins {100 * wins:.0f}%"
