"""Pairs of close articles by embedding: every pair compared block by block on inputs small enough,
else a faiss HNSW index (about n log n). Either finds the pairs at least so similar
(`close_pairs`) or each article's k nearest neighbours at least so similar (`nearest_pairs`)."""

from __future__ import annotations

import numpy as np

# Rows of article vectors compared at once when looking for neighbours: bounds memory to
# this many rows times the number of articles, whatever the input size.
_NEIGHBOUR_BLOCK = 2048
# Up to this many articles every pair is compared; above it, neighbours come from an approximate
# index (faiss HNSW), built and searched in about n log n. Every pair is faster below: on 2 CPUs,
# 68 s against 182 s at 100,000 articles; n^2 overtakes near 300,000 (bench/RESULTS.md, "Scale-out").
EXACT_NEIGHBOURS_UP_TO = 250_000
# Approximate threshold search: nearest neighbours kept per article. An article with more close
# neighbours than this stays connected to the rest through them; a story is one connected set either way.
_APPROX_NEIGHBOURS = 32

Pairs = tuple[np.ndarray, np.ndarray]


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)


def close_pairs(unit: np.ndarray, min_cosine: float) -> Pairs:
    """(i, j), i < j, of pairs at least `min_cosine` similar: all of them on inputs small enough to
    compare every pair, else those among each article's approximate nearest neighbours."""
    if len(unit) <= EXACT_NEIGHBOURS_UP_TO:
        return all_close_pairs(unit, min_cosine)
    return _as_pairs(*_hnsw_neighbours(unit, _APPROX_NEIGHBOURS), min_cosine, _APPROX_NEIGHBOURS)


def nearest_pairs(unit: np.ndarray, k: int, min_cosine: float) -> Pairs:
    """(i, j), i < j, where j is one of i's k nearest neighbours (or i one of j's), at least
    `min_cosine` similar: at most n k pairs, the candidates a pair scorer looks at."""
    if len(unit) <= EXACT_NEIGHBOURS_UP_TO:
        return _exact_nearest(unit, k, min_cosine)
    return _as_pairs(*_hnsw_neighbours(unit, k), min_cosine, k)


def all_close_pairs(unit: np.ndarray, min_cosine: float) -> Pairs:
    """(i, j), i < j, of every pair at least `min_cosine` similar, found block by block."""
    found_rows, found_cols = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for start in range(0, len(unit), _NEIGHBOUR_BLOCK):
        block = unit[start:start + _NEIGHBOUR_BLOCK] @ unit[start:].T
        i, j = np.nonzero(block >= min_cosine)
        keep = start + i < start + j
        found_rows.append(start + i[keep])
        found_cols.append(start + j[keep])
    return np.concatenate(found_rows), np.concatenate(found_cols)


def _exact_nearest(unit: np.ndarray, k: int, min_cosine: float) -> Pairs:
    """Every pair compared (faiss flat inner-product search: blocked BLAS and a heap per row)."""
    import faiss

    n = len(unit)
    if n < 2 or k < 1:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    vectors = np.ascontiguousarray(unit, dtype=np.float32)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    sims, ids = index.search(vectors, min(k + 1, n))
    rows = np.repeat(np.arange(n), ids.shape[1])
    return _as_pairs(rows, ids.ravel(), sims.ravel(), min_cosine, k)


def _hnsw_neighbours(unit: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(article, neighbour, cosine) for each article's k approximate nearest neighbours in a faiss
    HNSW index (inner product of unit vectors = cosine). Built on one thread: HNSW built in
    parallel depends on thread timing, and the same input must give the same stories on every
    run and engine."""
    import faiss

    vectors = np.ascontiguousarray(unit, dtype=np.float32)
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        index = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.add(vectors)
        index.hnsw.efSearch = max(64, 2 * k)
        sims, ids = index.search(vectors, min(k + 1, len(vectors)))
    finally:
        faiss.omp_set_num_threads(threads)
    rows = np.repeat(np.arange(len(vectors)), ids.shape[1])
    return rows, ids.ravel(), sims.ravel()


def _as_pairs(rows: np.ndarray, cols: np.ndarray, sims: np.ndarray, min_cosine: float, k: int) -> Pairs:
    """Each row's k most similar others at least `min_cosine` similar, as unique (i < j) pairs."""
    keep = (cols >= 0) & (cols != rows) & (sims >= min_cosine)
    rows, cols, sims = rows[keep], cols[keep], sims[keep]
    order = np.lexsort((cols, -sims, rows))  # per row, most similar first; ties by index
    rows, cols = rows[order], cols[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
    rows, cols = rows[rank < k], cols[rank < k]
    if not len(rows):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    pairs = np.unique(np.sort(np.column_stack([rows, cols]), axis=1), axis=0)
    return pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
