"""A learned sentence scorer for merged story digests (`summary.scorer = "learned"`).

Gradient-boosted trees (LightGBM) predict how much of a reference summary's words and word pairs
a sentence carries, from signals the pipeline already computes: lead position, centrality,
agreement across articles, shared words, length, figures and names. They were trained on the two
dev sets (`bench/extractive_ideas/train_scorer.py`); cross-fitted scores and the reasons for the
choice are in bench/RESULTS.md ("Learned scorer"). The model is a LightGBM text file shipped in the
package, so it loads offline, and its digest is part of every cache key that depends on it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .pool import Pool, centrality, support, word_support

MODEL_FILE = Path(__file__).parent.parent / "data" / "sentence_scorer.txt"

# Column order of the model's input; the model file names them too, and loading checks they match.
FEATURES = (
    "lead", "relative_position", "article_order", "centrality", "support", "word_support",
    "words", "has_number", "entities", "articles", "budget_words",
)

# How the shipped model was trained (bench/extractive_ideas/train_scorer.py uses these).
TRAIN_PARAMS: dict[str, Any] = {
    "objective": "regression", "learning_rate": 0.05, "num_leaves": 8, "min_data_in_leaf": 200,
    "rounds": 150, "seed": 0, "deterministic": True, "num_threads": 1, "verbose": -1,
}


def features(pool: Pool, budget_words: int) -> np.ndarray:
    """One row per pool sentence, columns in FEATURES order. The digest's word budget is one of
    them: what is worth a place in a 60-word digest differs from a 250-word one."""
    n = len(pool.sentences)
    if not n:
        return np.zeros((0, len(FEATURES)))
    ids = list(pool.article_ids)
    order = {a: k for k, a in enumerate(dict.fromkeys(ids))}
    per_article = Counter(ids)
    positions = np.asarray(pool.positions, dtype=float)
    columns = {
        "lead": 1.0 / np.sqrt(1.0 + positions),
        "relative_position": positions / np.array([per_article[a] for a in ids], dtype=float),
        "article_order": np.array([order[a] for a in ids], dtype=float),
        "centrality": centrality(pool),
        "support": support(pool),
        "word_support": word_support(pool),
        "words": np.array([s.words for s in pool.sentences], dtype=float),
        "has_number": np.array([any(ch.isdigit() for ch in s.text) for s in pool.sentences], dtype=float),
        "entities": np.array([len(s.entities) for s in pool.sentences], dtype=float),
        "articles": np.full(n, float(len(order))),
        "budget_words": np.full(n, float(budget_words)),
    }
    return np.column_stack([columns[name] for name in FEATURES])


def learned_salience(pool: Pool, budget_words: int) -> np.ndarray:
    """Predicted reference overlap per sentence, floored above zero so the knapsack still weighs length."""
    if not pool.sentences:
        return np.zeros(0)
    return np.maximum(_booster().predict(features(pool, budget_words)), 1e-3)


def model_digest() -> str:
    """Changes whenever the shipped model does, so cached digests made with another model are not reused."""
    return hashlib.sha256(MODEL_FILE.read_bytes()).hexdigest()[:16]


@lru_cache(maxsize=1)
def _booster() -> Any:
    import lightgbm

    booster = lightgbm.Booster(model_file=str(MODEL_FILE))
    if tuple(booster.feature_name()) != FEATURES:
        raise RuntimeError(f"{MODEL_FILE} was trained on features {booster.feature_name()}, not {list(FEATURES)}: "
                           "retrain it with bench/extractive_ideas/train_scorer.py")
    return booster
