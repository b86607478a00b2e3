"""Grouping by article embeddings alone (`stories.grouping = "embedding"`): average-link clustering
of article vectors at one cosine threshold, run separately inside each set of articles connected
by a close neighbour, so it scales."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from ..domain import Article
from .neighbours import close_pairs, unit_rows

# Neighbours are taken slightly below the threshold, so that rounding (pdist computes the
# cosine its own way) can only join components, never split a story that linkage would merge.
_SLACK = 1e-6


def group(articles: Sequence[Article], article_vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Indices of articles per story; articles whose mean vectors are similar enough share one.

    Average link never merges two clusters whose every pair is below the threshold, so it is
    run inside each connected set of the "at least this similar" neighbour graph alone: the
    same stories as over all articles at once, with linkage memory and time spent only on
    sets of related articles instead of on every pair of the input.
    """
    n = len(articles)
    if n <= 1:
        return [list(range(n))]
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    rows, cols = close_pairs(unit_rows(article_vectors), threshold - _SLACK)
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n))
    _count, labels = connected_components(graph, directed=False)
    stories: list[list[int]] = []
    for members in _members_by_label(labels):
        stories += _average_link(article_vectors[members], threshold, members)
    # Biggest story first, then by first article, so output order is stable across runs.
    return sorted(stories, key=lambda members: (-len(members), members[0]))


def _members_by_label(labels: np.ndarray) -> Iterator[list[int]]:
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    for part in np.split(order, bounds):
        yield part.tolist()


def _average_link(vectors: np.ndarray, threshold: float, members: list[int]) -> list[list[int]]:
    if len(members) == 1:
        return [members]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    distances = np.clip(pdist(vectors, metric="cosine"), 0.0, 2.0)
    labels = fcluster(linkage(distances, method="average"), t=1.0 - threshold, criterion="distance")
    stories: dict[int, list[int]] = {}
    for index, label in zip(members, labels):
        stories.setdefault(int(label), []).append(index)
    return list(stories.values())


