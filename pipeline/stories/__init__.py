"""Grouping articles into stories.

`group_articles` (the default, `stories.grouping = "learned"`): candidate pairs from each
article's nearest embedding neighbours (at most n k pairs: exact search, or faiss HNSW on large
inputs), each scored by a learned pair scorer on vectors, shared names, words and numbers; then
average link over the scored pairs (cluster.py). `group` (`stories.grouping = "embedding"`):
average link over article vectors at one cosine threshold, the earlier grouping.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..domain import Article
from .cluster import group_scored
from .copies import near_duplicates
from .embedding import group
from .identity import story_id, story_title
from .neighbours import nearest_pairs
from .pairs import FEATURES, pair_features, term_index
from .scorer import model_digest, same_story_probability
from .signals import SIGNALS_VERSION, Signals, article_signals, article_vectors

__all__ = [
    "FEATURES", "SIGNALS_VERSION", "Signals", "article_signals", "group", "group_articles", "model_digest",
    "near_duplicates", "story_id", "story_title",
]

# Candidate pairs: each article's nearest neighbours by combined vector, at least this similar.
# Same-story pairs below either are rare (bench/RESULTS.md, "Story grouping").
NEIGHBOURS = 10
MIN_COSINE = 0.3


def group_articles(
    articles: Sequence[Article], sentence_vectors: dict[str, np.ndarray], title_vectors: np.ndarray,
    signals: Sequence[Signals], threshold: float, booster: Any = None,
) -> list[list[int]]:
    """Indices of articles per story (biggest first), by the learned pair scorer."""
    n = len(articles)
    if n <= 1:
        return [list(range(n))]
    vectors = article_vectors([sentence_vectors[a.id] for a in articles], title_vectors)
    index = term_index(signals)
    rows, cols = nearest_pairs(vectors.combined, NEIGHBOURS, MIN_COSINE)

    def score(r: np.ndarray, c: np.ndarray) -> np.ndarray:
        return same_story_probability(pair_features(vectors, index, r, c), booster)

    return group_scored(n, rows, cols, score, threshold)
