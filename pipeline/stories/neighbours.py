"""Pairs of close articles by embedding: every pair compared block by block on inputs small enough,
else a faiss HNSW index (about n log n). Either finds the pairs at least so similar
(`close_pairs`) or each article's k nearest neighbours at least so similar (`nearest_pairs`)."""

from __future__ import annotations

import numpy as np

# Every pair is compared in tiles of this many rows by columns (64 MB of float32 cosines),
# so memory stays bounded whatever the input size.
_NEIGHBOUR_BLOCK = 2048  # rows of a tile when looking for all pairs at least so similar
_TILE_ROWS = 2048        # rows of a tile when looking for each article's nearest
_TILE_COLUMNS = 8192
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
    """(i, j), i < j, of every pair at least `min_cosine` similar, found tile by tile (the upper
    triangle: rows of _NEIGHBOUR_BLOCK by columns of _TILE_COLUMNS, memory bounded whatever n)."""
    found_rows, found_cols = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for start in range(0, len(unit), _NEIGHBOUR_BLOCK):
        for left in range(start, len(unit), _TILE_COLUMNS):
            block = unit[start:start + _NEIGHBOUR_BLOCK] @ unit[left:left + _TILE_COLUMNS].T
            i, j = np.nonzero(block >= min_cosine)
            keep = start + i < left + j
            found_rows.append(start + i[keep])
            found_cols.append(left + j[keep])
    return np.concatenate(found_rows), np.concatenate(found_cols)


def _exact_nearest(unit: np.ndarray, k: int, min_cosine: float) -> Pairs:
    """Every pair compared once (the upper triangle, tile by tile, so memory stays bounded and the
    matrix products are half of a full search), each article keeping its k most similar others
    (ties: lower index first). A tile only hands on the cosines that can still enter the top k of
    their row or column article, so the bookkeeping stays near n k whatever the input."""
    n = len(unit)
    if n < 2 or k < 1:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    vectors = np.ascontiguousarray(unit, dtype=np.float32)
    best = _TopK(n, k, min_cosine)
    for start in range(0, n, _TILE_ROWS):
        stop = min(start + _TILE_ROWS, n)
        for left in range(start, n, _TILE_COLUMNS):
            right = min(left + _TILE_COLUMNS, n)
            sims = vectors[start:stop] @ vectors[left:right].T
            if left < stop:  # a tile on the diagonal: each pair once (i < j), never an article with itself
                sims[np.arange(left, right)[None, :] <= np.arange(start, stop)[:, None]] = -np.inf
            i, j = _entering(sims, best, start, left)
            best.add(start + i, left + j, sims[i, j])
    rows, cols, cosines = best.pairs()
    return _as_pairs(rows, cols, cosines, min_cosine, k)


def _entering(sims: np.ndarray, best: _TopK, start: int, left: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions (i, j) in a tile whose cosine can enter the top k of row article start + i or of
    column article left + j. When that is many more than k per article, the bar of each row and
    column with more than k first rises to its k-th best in the tile (it will hold k that good)."""
    row_bar = best.bar[start:start + sims.shape[0]]  # views: they follow raise_bar
    column_bar = best.bar[left:left + sims.shape[1]]
    i, j = _at_least(sims, row_bar, column_bar)
    if len(i) <= 2 * best.k * sum(sims.shape):
        return i, j
    rows_over = np.flatnonzero(np.bincount(i, minlength=sims.shape[0]) > best.k)
    columns_over = np.flatnonzero(np.bincount(j, minlength=sims.shape[1]) > best.k)
    if len(rows_over):
        best.raise_bar(start + rows_over, np.partition(sims[rows_over], -best.k, axis=1)[:, -best.k])
    if len(columns_over):
        best.raise_bar(left + columns_over, np.partition(sims[:, columns_over], -best.k, axis=0)[-best.k])
    return _at_least(sims, row_bar, column_bar)


def _at_least(sims: np.ndarray, row_bar: np.ndarray, column_bar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) where sims[i, j] reaches row_bar[i] or column_bar[j]: one pass against the lowest bar,
    then the exact test on what passed (few: most cosines of unrelated articles are far below)."""
    flat = np.flatnonzero(sims.ravel() >= min(row_bar.min(), column_bar.min()))
    i, j = np.divmod(flat, sims.shape[1])
    keep = sims.ravel()[flat] >= np.minimum(row_bar[i], column_bar[j])
    return i[keep], j[keep]


class _TopK:
    """Each article's k most similar others found so far, and the bar a cosine must reach to enter."""

    def __init__(self, n: int, k: int, min_cosine: float) -> None:
        self.k = k
        self.cosines = np.full((n, k), -np.inf, np.float32)
        self.others = np.full((n, k), -1, np.int64)
        self.bar = np.full(n, min_cosine, np.float32)

    def raise_bar(self, articles: np.ndarray, kth: np.ndarray) -> None:
        self.bar[articles] = np.maximum(self.bar[articles], kth)

    def add(self, i: np.ndarray, j: np.ndarray, cosines: np.ndarray) -> None:
        """The pairs (i, j) at these cosines, as candidates of both i and j."""
        if not len(i):
            return
        owners = np.concatenate([i, j])
        touched = np.unique(owners)
        rows = np.concatenate([np.repeat(touched, self.k), owners])
        others = np.concatenate([self.others[touched].ravel(), j, i])
        sims = np.concatenate([self.cosines[touched].ravel(), cosines, cosines])
        order = np.lexsort((others, -sims, rows))  # per article: most similar first, ties by index
        rows, others, sims = rows[order], others[order], sims[order]
        rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
        keep = rank < self.k
        slot = np.searchsorted(touched, rows[keep])
        self.others[touched[slot], rank[keep]] = others[keep]
        self.cosines[touched[slot], rank[keep]] = sims[keep]
        full = self.cosines[touched, -1]
        self.bar[touched] = np.maximum(self.bar[touched], full)  # -inf until k are held

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = len(self.others)
        return np.repeat(np.arange(n), self.k), self.others.ravel(), self.cosines.ravel()


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
