"""Extractive selection: score the pool's sentences, then fill the word budget without repeats."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..config import Budget, SummaryConfig
from ..domain import Digest, DigestSentence
from ..nlp.references import leans_on_earlier_sentence
from .pool import Pool, salience
from .scorer import learned_salience


def sentence_scores(pool: Pool, cfg: SummaryConfig, budget: Budget) -> np.ndarray:
    """The configured scorer; the learned one only where several articles tell the story, the
    only kind of pool it was trained on."""
    if cfg.scorer == "learned" and len(set(pool.article_ids)) > 1:
        return learned_salience(pool, budget.max_words)
    return salience(pool, cfg.position_weight, cfg.word_support_weight)


def select(pool: Pool, scores: np.ndarray, budget: Budget, redundancy_weight: float) -> list[int]:
    """Maximal marginal relevance under a sentence and word budget (`selection = "mmr"`)."""
    chosen: list[int] = []
    words_left = budget.max_words
    candidates = set(range(len(pool.sentences)))
    while candidates and len(chosen) < budget.max_sentences:
        fitting = [i for i in candidates if pool.sentences[i].words <= words_left and not _repeats(i, chosen, pool)]
        if not fitting:
            break
        best = max(fitting, key=lambda i: _mmr(i, chosen, pool, scores, redundancy_weight))
        chosen.append(best)
        words_left -= pool.sentences[best].words
        candidates.discard(best)
    return chosen


# Syndicated copies of one sentence in two articles: cosine this high is the same sentence.
_DUPLICATE = 0.95


def _repeats(i: int, chosen: list[int], pool: Pool) -> bool:
    return bool(chosen) and float(np.max(pool.vectors[chosen] @ pool.vectors[i])) >= _DUPLICATE


def _mmr(i: int, chosen: list[int], pool: Pool, scores: np.ndarray, weight: float) -> float:
    if not chosen:
        return float(scores[i])
    overlap = float(np.max(pool.vectors[chosen] @ pool.vectors[i]))
    return (1 - weight) * float(scores[i]) - weight * overlap


def select_fill(pool: Pool, scores: np.ndarray, budget: Budget, redundancy_threshold: float) -> list[int]:
    """The non-redundant sentences that carry the most salience per word of the budget (`selection = "fill"`).

    Candidates are taken best first, each dropped if it says what a better one says (cosine at or
    above `redundancy_threshold`); then the subset whose sum of salience x words is largest within the
    word and sentence budget (0/1 knapsack). Unlike greedy MMR, this fills the budget: a good long
    sentence does not crowd out two good shorter ones that together fit better.
    Returns indexes best first.
    """
    candidates: list[int] = []
    for i in np.argsort(-scores, kind="stable"):
        i = int(i)
        if pool.sentences[i].words > budget.max_words:
            continue
        if candidates and float(np.max(pool.vectors[candidates] @ pool.vectors[i])) >= redundancy_threshold:
            continue
        candidates.append(i)
        if len(candidates) >= _FILL_CANDIDATES:
            break
    words = [pool.sentences[i].words for i in candidates]
    values = [max(float(scores[i]), 0.0) * n for i, n in zip(candidates, words)]
    return [candidates[j] for j in _knapsack(values, words, budget.max_words, budget.max_sentences)]


# The knapsack looks at this many of the best non-redundant sentences (time and memory grow with it).
_FILL_CANDIDATES = 60


def _knapsack(values: Sequence[float], weights: Sequence[int], capacity: int, max_items: int) -> list[int]:
    """Indexes (ascending) of the items with the largest total value, within capacity and max_items."""
    best = np.full((max_items + 1, capacity + 1), -np.inf)  # best[k, c]: k items weighing at most c
    best[0, :] = 0.0
    taken = np.zeros((len(values), max_items + 1, capacity + 1), dtype=bool)
    for i, (value, weight) in enumerate(zip(values, weights)):
        if weight > capacity:
            continue
        with_item = best[:-1, :capacity + 1 - weight] + value
        better = with_item > best[1:, weight:]
        taken[i, 1:, weight:] = better
        best[1:, weight:] = np.where(better, with_item, best[1:, weight:])
    k, c = int(np.argmax(best[:, capacity])), capacity
    chosen = []
    for i in range(len(values) - 1, -1, -1):
        if k > 0 and taken[i, k, c]:
            chosen.append(i)
            k, c = k - 1, c - weights[i]
    return chosen[::-1]


# A story digest orders sentences by what they add, not as any source did, so a sentence that
# leans on the one before it ("They have called for ...") reads as a non sequitur: it competes at
# this share of its salience (bench/RESULTS.md, "Story-digest sentences that lean on an earlier one").
BACK_REFERENCE_WEIGHT = 0.5


def discount_back_references(pool: Pool, scores: np.ndarray) -> np.ndarray:
    leaning = np.array([leans_on_earlier_sentence(s.text) for s in pool.sentences], dtype=bool)
    return np.where(leaning, scores * BACK_REFERENCE_WEIGHT, scores)


def extractive(pool: Pool, budget: Budget, cfg: SummaryConfig, keep_source_order: bool) -> Digest:
    scores = sentence_scores(pool, cfg, budget)
    if not keep_source_order:
        scores = discount_back_references(pool, scores)
    if cfg.selection == "fill":
        picked = select_fill(pool, scores, budget, cfg.redundancy_threshold)
    else:
        picked = select(pool, scores, budget, cfg.redundancy_weight)
    if keep_source_order:
        picked.sort()
    return Digest(tuple(
        DigestSentence(pool.sentences[i].text, (pool.citation(i),), "extractive") for i in picked
    ))
