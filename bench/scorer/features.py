"""Candidate sentence features for the learned scorer, computed from a pool alone (what the pipeline has).

`columns(pool, budget_words)` returns every candidate column by name; a variant picks a subset. The ones kept
move into pipeline/digest/scorer.py.
"""
from __future__ import annotations

import re
from collections import Counter

import numpy as np

from pipeline.digest import pool as P
from pipeline.nlp.references import leans_on_earlier_sentence

_WORD = re.compile(r"[^\W_]+")


def lexrank(vectors: np.ndarray, threshold: float = 0.1, damping: float = 0.85, iters: int = 50) -> np.ndarray:
    """Continuous LexRank (Erkan and Radev 2004) on sentence-embedding cosines, scaled so the mean is 1."""
    n = len(vectors)
    if n == 0:
        return np.zeros(0)
    sims = vectors @ vectors.T
    sims = np.where(sims >= threshold, sims, 0.0)
    np.fill_diagonal(sims, 0.0)
    rows = sims.sum(axis=1, keepdims=True)
    trans = np.divide(sims, rows, out=np.full_like(sims, 1.0 / n), where=rows > 0)
    p = np.full(n, 1.0 / n)
    for _ in range(iters):
        p = (1 - damping) / n + damping * trans.T @ p
    return p * n


def soft_support(pool) -> np.ndarray:
    """Mean, over the other articles, of the best cosine to any of their sentences: agreement without a threshold."""
    ids = np.asarray(pool.article_ids)
    arts = list(dict.fromkeys(pool.article_ids))
    if len(arts) < 2:
        return np.zeros(len(ids))
    sims = pool.vectors @ pool.vectors.T
    total = np.zeros(len(ids))
    for a in arts:
        cols = ids == a
        total += np.where(ids != a, sims[:, cols].max(axis=1), 0.0)
    return total / (len(arts) - 1)


def pct_rank(x: np.ndarray) -> np.ndarray:
    """Rank within the pool scaled to [0, 1] (1 = highest): means the same in any pool size."""
    if len(x) < 2:
        return np.ones(len(x))
    return np.argsort(np.argsort(x, kind="stable"), kind="stable") / (len(x) - 1)


def word_frequency(pool) -> np.ndarray:
    """SumBasic: mean probability of the sentence's content words in the pool, times the pool's vocabulary size."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words = [[w for w in _WORD.findall(s.text.lower()) if w not in STOP_WORDS] for s in pool.sentences]
    tf = Counter(w for ws in words for w in ws)
    total, vocab = sum(tf.values()) or 1, len(tf) or 1
    return np.array([np.mean([tf[w] for w in ws]) / total * vocab if ws else 0.0 for ws in words])


def columns(pool, budget_words: int) -> dict[str, np.ndarray]:
    n = len(pool.sentences)
    ids = list(pool.article_ids)
    order = {a: k for k, a in enumerate(dict.fromkeys(ids))}
    k = len(order)
    per_article = Counter(ids)
    pos = np.asarray(pool.positions, dtype=float)
    words = np.array([s.words for s in pool.sentences], dtype=float)
    total_words = words.sum() or 1.0
    cen = P.centrality(pool)
    lr = lexrank(pool.vectors)
    ws = P.word_support(pool)
    wf = word_frequency(pool)
    ents = np.array([len(s.entities) for s in pool.sentences], dtype=float)
    return {
        "lead": 1.0 / np.sqrt(1.0 + pos),
        "position": pos,
        "relative_position": pos / np.array([per_article[a] for a in ids], dtype=float),
        "article_order": np.array([order[a] for a in ids], dtype=float),
        "article_order_rel": np.array([order[a] / max(1, k - 1) for a in ids], dtype=float),
        "articles": np.full(n, float(k)),
        "centrality": cen,
        "centrality_rank": pct_rank(cen),
        "lexrank": lr,
        "lexrank_rank": pct_rank(lr),
        "support": P.support(pool),
        "soft_support": soft_support(pool),
        "word_support": ws,
        "word_support_rank": pct_rank(ws),
        "word_frequency": wf,
        "words": words,
        "words_to_budget": words / float(budget_words),
        "budget_ratio": np.full(n, budget_words / total_words),
        "budget_words": np.full(n, float(budget_words)),
        "has_number": np.array([any(ch.isdigit() for ch in s.text) for s in pool.sentences], dtype=float),
        "entities": ents,
        "entity_density": ents / np.maximum(words, 1.0),
        "quote": np.array([('"' in s.text or "“" in s.text) for s in pool.sentences], dtype=float),
        "back_reference": np.array([leans_on_earlier_sentence(s.text) for s in pool.sentences], dtype=float),
    }
