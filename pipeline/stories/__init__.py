"""Grouping articles into stories.

`group_articles` (the default, `stories.grouping = "learned"`): candidate pairs from each
article's nearest embedding neighbours (at most n k pairs: exact search, or faiss HNSW on large
inputs), each scored by a learned pair scorer on vectors, shared names, words and numbers (pairs
at least CERTAIN_COSINE similar score 1; pairs published more than MAX_DAYS_APART days apart
score 0); then average link over the scored pairs
(cluster.py). `group` (`stories.grouping = "embedding"`):
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
from .scorer import same_story_probability
from .signals import SIGNALS_VERSION, ArticleVectors, Signals, article_signals, article_vectors, published_day

__all__ = [
    "FEATURES", "SIGNALS_VERSION", "Signals", "article_signals", "article_vectors", "group", "group_articles",
    "near_duplicates", "story_id", "story_title",
]

# Two articles whose combined vectors are at least this similar count as one story whatever the
# scorer says: it learned on lead paragraphs and underrates full-length articles on one event
# (the recession story, Multi-News), which embedding grouping keeps together. Chosen on AllSides
# val and Multi-News val (bench/RESULTS.md, "Story grouping: learned pair scorer").
CERTAIN_COSINE = 0.7
# Two articles published more than this many days apart are not one story, whatever they share
# (a rule, not learned: the training clusters carry no dates). Unknown dates never separate.
MAX_DAYS_APART = 3
# Candidate pairs: each article's nearest neighbours by combined vector, at least this similar.
# Same-story pairs below either are rare (bench/RESULTS.md, "Story grouping").
NEIGHBOURS = 10
MIN_COSINE = 0.3


def group_articles(
    articles: Sequence[Article], sentence_vectors: dict[str, np.ndarray], title_vectors: np.ndarray,
    signals: Sequence[Signals], threshold: float, booster: Any = None, group_threshold: float | None = None,
    vectors: ArticleVectors | None = None,
) -> list[list[int]]:
    """Indices of articles per story (biggest first), by the learned pair scorer. Two groups of
    two or more articles join at `group_threshold` (default: `threshold`, as an article does).
    `vectors`: the articles' `article_vectors`, when the caller has them already."""
    n = len(articles)
    if n <= 1:
        return [list(range(n))]
    if vectors is None:
        vectors = article_vectors([sentence_vectors[a.id] for a in articles], title_vectors)
    index = term_index(signals)
    rows, cols = nearest_pairs(vectors.combined, NEIGHBOURS, MIN_COSINE)

    days = np.array([published_day(a.published) for a in articles])

    def score(r: np.ndarray, c: np.ndarray) -> np.ndarray:
        features = pair_features(vectors, index, r, c)
        probability = same_story_probability(features, booster)
        probability = np.where(features[:, FEATURES.index("cos_combined")] >= CERTAIN_COSINE, 1.0, probability)
        with np.errstate(invalid="ignore"):
            apart = np.abs(days[r] - days[c]) > MAX_DAYS_APART  # False where a date is unknown
        return np.where(apart, 0.0, probability)

    return group_scored(n, rows, cols, score, threshold, group_threshold)
