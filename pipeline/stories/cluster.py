"""Stories from scored pairs: articles joined by a pair scoring at least the threshold form sets;
inside each set every pair is scored and average link is cut at the threshold, so two groups join
only when their articles score that high on average, not through one strong pair."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

# pairs (rows, cols) -> probability that each pair is one story
PairScorer = Callable[[np.ndarray, np.ndarray], np.ndarray]

# Sets up to this size have every pair scored; larger ones (one event covered by thousands of
# articles) use their candidate pairs only, the others counting as "not the same story".
SCORE_EVERY_PAIR_UP_TO = 2000
# Average link needs size^2 / 2 distances: above this a set stays one story (every article in it
# is linked to the rest by pairs scoring at least the threshold), so memory stays bounded.
LINK_UP_TO = 6000
# Pairs inside sets scored in one call: their features take about 80 bytes each.
_PAIRS_AT_ONCE = 1_000_000


def group_scored(n: int, rows: np.ndarray, cols: np.ndarray, score: PairScorer, threshold: float,
                 group_threshold: float | None = None) -> list[list[int]]:
    """Indices of articles per story, biggest first, from candidate pairs (rows[k], cols[k]).
    `group_threshold` (default: threshold): the average two groups of two or more articles each
    must reach to join; an article joins a group, or another article, at `threshold`."""
    joins = threshold if group_threshold is None else group_threshold
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    probabilities = score(rows, cols) if len(rows) else np.zeros(0)
    strong = probabilities >= threshold
    graph = coo_matrix((np.ones(int(strong.sum()), np.int8), (rows[strong], cols[strong])), shape=(n, n))
    _count, labels = connected_components(graph, directed=False)
    sets = list(_members_by_label(labels))
    stories = [members for members in sets if len(members) == 1]
    small = [members for members in sets if 1 < len(members) <= SCORE_EVERY_PAIR_UP_TO]
    for members, distances in zip(small, _every_pair_distances(small, score)):
        stories += _average_link(members, distances, threshold, joins)
    for members in (m for m in sets if len(m) > SCORE_EVERY_PAIR_UP_TO):
        if len(members) > LINK_UP_TO:
            stories.append(members)
            continue
        stories += _average_link(members, _candidate_distances(members, rows, cols, probabilities), threshold, joins)
    # Biggest story first, then by first article, so output order is stable across runs.
    return sorted((sorted(m) for m in stories), key=lambda members: (-len(members), members[0]))


def _every_pair_distances(sets: list[list[int]], score: PairScorer) -> Iterator[np.ndarray]:
    """1 - probability for every pair inside each set (condensed order), scored in batches of
    about _PAIRS_AT_ONCE pairs (one scorer call each, memory bounded on a large input)."""
    batch: list[list[int]] = []
    pairs = 0
    for members in sets:
        batch.append(members)
        pairs += len(members) * (len(members) - 1) // 2
        if pairs >= _PAIRS_AT_ONCE:
            yield from _score_sets(batch, score)
            batch, pairs = [], 0
    if batch:
        yield from _score_sets(batch, score)


def _score_sets(sets: list[list[int]], score: PairScorer) -> Iterator[np.ndarray]:
    rows, cols = [], []
    for members in sets:
        iu, ju = np.triu_indices(len(members), 1)
        ids = np.asarray(members)
        rows.append(ids[iu])
        cols.append(ids[ju])
    distances = 1.0 - score(np.concatenate(rows), np.concatenate(cols))
    start = 0
    for members in sets:
        size = len(members) * (len(members) - 1) // 2
        yield np.clip(distances[start:start + size], 0.0, 1.0)
        start += size


def _candidate_distances(members: list[int], rows: np.ndarray, cols: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Condensed distances inside one large set: 1 - probability for its candidate pairs, 1 elsewhere."""
    size = len(members)
    position = {article: k for k, article in enumerate(members)}
    matrix = np.ones((size, size))
    for r, c, p in zip(rows.tolist(), cols.tolist(), probabilities.tolist()):
        if r in position and c in position:
            matrix[position[r], position[c]] = matrix[position[c], position[r]] = 1.0 - p
    return matrix[np.triu_indices(size, 1)]


def _average_link(members: list[int], distances: np.ndarray, threshold: float, group_threshold: float) -> list[list[int]]:
    """Average link, each merge kept only where it reaches its threshold: `group_threshold` when both
    sides are groups, `threshold` when one is a single article. A merge refused keeps every later
    merge that builds on it from happening too (the tree is cut there)."""
    from scipy.cluster.hierarchy import linkage

    size = len(members)
    merges = linkage(distances, method="average")
    kept = np.ones(2 * size - 1, dtype=bool)
    leaf = list(range(size)) + [0] * (size - 1)  # one article under each node of the tree
    parent = list(range(size))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for step, (a, b, height, _count) in enumerate(merges):
        a, b = int(a), int(b)
        both_groups = a >= size and b >= size
        limit = 1.0 - (group_threshold if both_groups else threshold)
        kept[size + step] = kept[a] and kept[b] and height <= limit
        leaf[size + step] = leaf[a]
        if kept[size + step]:
            parent[root(leaf[a])] = root(leaf[b])
    stories: dict[int, list[int]] = {}
    for k, index in enumerate(members):
        stories.setdefault(root(k), []).append(index)
    return list(stories.values())


def _members_by_label(labels: np.ndarray) -> Iterator[list[int]]:
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    for part in np.split(order, bounds):
        yield part.tolist()
