"""Grouping articles into stories: average-link clustering of article embeddings, run
separately inside each set of articles connected by a close neighbour, so it scales."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

import numpy as np

from .domain import Article

# Rows of article vectors compared at once when looking for neighbours: bounds memory to
# this many rows times the number of articles, whatever the input size.
_NEIGHBOUR_BLOCK = 2048
# Neighbours are taken slightly below the threshold, so that rounding (pdist computes the
# cosine its own way) can only join components, never split a story that linkage would merge.
_SLACK = 1e-6
# Up to this many articles every pair is compared; above it, neighbours come from an approximate
# index (faiss HNSW), built and searched in about n log n. Every pair is faster below: on 2 CPUs,
# 68 s against 182 s at 100,000 articles; n^2 overtakes near 300,000 (bench/RESULTS.md, "Scale-out").
EXACT_NEIGHBOURS_UP_TO = 250_000
# Approximate search: nearest neighbours kept per article. An article with more close neighbours
# than this stays connected to the rest through them; a story is one connected set either way.
_APPROX_NEIGHBOURS = 32


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

    rows, cols = _neighbour_pairs(_unit_rows(article_vectors), threshold - _SLACK)
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n))
    _count, labels = connected_components(graph, directed=False)
    stories: list[list[int]] = []
    for members in _members_by_label(labels):
        stories += _average_link(article_vectors[members], threshold, members)
    # Biggest story first, then by first article, so output order is stable across runs.
    return sorted(stories, key=lambda members: (-len(members), members[0]))


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)


def _neighbour_pairs(unit: np.ndarray, min_cosine: float) -> tuple[np.ndarray, np.ndarray]:
    """(i, j), i < j, of pairs at least `min_cosine` similar: all of them on inputs small enough to
    compare every pair, else those among each article's approximate nearest neighbours."""
    if len(unit) <= EXACT_NEIGHBOURS_UP_TO:
        return _all_close_pairs(unit, min_cosine)
    return _approximate_close_pairs(unit, min_cosine)


def _approximate_close_pairs(unit: np.ndarray, min_cosine: float) -> tuple[np.ndarray, np.ndarray]:
    """Close pairs among each article's nearest neighbours in a faiss HNSW index (inner product of
    unit vectors = cosine). Built on one thread: HNSW built in parallel depends on thread timing,
    and the same input must give the same stories on every run and engine."""
    import faiss

    vectors = np.ascontiguousarray(unit, dtype=np.float32)
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        index = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.add(vectors)
        index.hnsw.efSearch = 2 * _APPROX_NEIGHBOURS
        sims, ids = index.search(vectors, min(_APPROX_NEIGHBOURS + 1, len(vectors)))
    finally:
        faiss.omp_set_num_threads(threads)
    rows = np.repeat(np.arange(len(vectors)), ids.shape[1])
    cols, sims = ids.ravel(), sims.ravel()
    keep = (cols >= 0) & (cols != rows) & (sims >= min_cosine)
    pairs = np.unique(np.sort(np.column_stack([rows[keep], cols[keep]]), axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1]


def _all_close_pairs(unit: np.ndarray, min_cosine: float) -> tuple[np.ndarray, np.ndarray]:
    """(i, j), i < j, of every pair at least `min_cosine` similar, found block by block."""
    found_rows, found_cols = [], []
    for start in range(0, len(unit), _NEIGHBOUR_BLOCK):
        block = unit[start:start + _NEIGHBOUR_BLOCK] @ unit[start:].T
        i, j = np.nonzero(block >= min_cosine)
        keep = start + i < start + j
        found_rows.append(start + i[keep])
        found_cols.append(start + j[keep])
    return np.concatenate(found_rows), np.concatenate(found_cols)


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
    means = _unit_rows(np.vstack([vectors[a.id].mean(axis=0) for a in articles]))
    # Block by block, like grouping: an all-pairs matrix would not fit for a large input.
    rows, cols = _neighbour_pairs(means, 0.9)
    copies: dict[str, str] = {}
    for i, j in sorted(zip(rows.tolist(), cols.tolist())):
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
