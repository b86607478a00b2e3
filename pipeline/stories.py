"""Grouping articles into stories: average-link clustering of article embeddings."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from .records import Article


def group(articles: Sequence[Article], article_vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Indices of articles per story; articles whose mean vectors are similar enough share one."""
    n = len(articles)
    if n <= 1:
        return [list(range(n))]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    distances = np.clip(pdist(article_vectors, metric="cosine"), 0.0, 2.0)
    labels = fcluster(linkage(distances, method="average"), t=1.0 - threshold, criterion="distance")
    stories: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        stories.setdefault(int(label), []).append(index)
    # Biggest story first, then by first article, so output order is stable across runs.
    return sorted(stories.values(), key=lambda members: (-len(members), members[0]))


def story_id(article_ids: Sequence[str]) -> str:
    return "story_" + hashlib.sha256("\n".join(sorted(article_ids)).encode()).hexdigest()[:12]


def story_title(articles: Sequence[Article], article_vectors: np.ndarray) -> str:
    """The title of the article closest to the story's centre."""
    centre = article_vectors.mean(axis=0)
    best = int(np.argmax(article_vectors @ centre))
    return articles[best].title


# Share of a shorter article's sentences found almost verbatim in another for it to count as a copy.
_COPY_SHARE = 0.6
_SAME_SENTENCE = 0.95


def near_duplicates(articles: Sequence[Article], vectors: dict[str, np.ndarray]) -> dict[str, str]:
    """{copy id: original id} for syndicated copies: most sentences repeated almost verbatim.

    Only pairs whose mean vectors are already very close are compared sentence by sentence,
    so this stays cheap for large inputs.
    """
    means = np.vstack([vectors[a.id].mean(axis=0) for a in articles])
    means /= np.linalg.norm(means, axis=1, keepdims=True).clip(min=1e-9)
    close = np.argwhere(np.triu(means @ means.T, k=1) >= 0.9)
    copies: dict[str, str] = {}
    for i, j in sorted((int(i), int(j)) for i, j in close):
        first, later = articles[i], articles[j]
        if later.id in copies:
            continue
        sims = vectors[first.id] @ vectors[later.id].T
        # Measured on the shorter side, so an added paragraph does not hide a copy.
        share = max((sims.max(axis=1) >= _SAME_SENTENCE).mean(), (sims.max(axis=0) >= _SAME_SENTENCE).mean())
        if share >= _COPY_SHARE:
            # The later input is taken as the copy: the reader knows the first one first.
            copies[later.id] = copies.get(first.id, first.id)
    return copies
