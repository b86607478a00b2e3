"""Embedding story grouping: average link per connected set of close neighbours equals average link over all."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist

from pipeline import stories
from pipeline.stories import embedding, neighbours


def _all_pairs_average_link(vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """The grouping before neighbour sets: one linkage over every pair of the input."""
    labels = fcluster(linkage(np.clip(pdist(vectors, metric="cosine"), 0, 2), method="average"),
                      t=1.0 - threshold, criterion="distance")
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    return sorted(groups.values(), key=lambda m: (-len(m), m[0]))


def _clustered(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(int(rng.integers(3, 120)), 48))
    noise = rng.uniform(0.3, 1.2)
    return centres[rng.integers(0, len(centres), n)] + rng.normal(scale=noise, size=(n, 48))


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("threshold", [0.45, 0.65, 0.8])
def test_same_stories_as_average_link_over_all_pairs(seed, threshold):
    vectors = _clustered(seed, 300 + 97 * seed)
    assert stories.group([None] * len(vectors), vectors, threshold) == _all_pairs_average_link(vectors, threshold)


def test_linkage_runs_only_inside_neighbour_sets(monkeypatch):
    vectors = _clustered(3, 600)
    sizes: list[int] = []
    real = embedding._average_link

    def recording(part, threshold, members):
        sizes.append(len(members))
        return real(part, threshold, members)

    monkeypatch.setattr(embedding, "_average_link", recording)
    monkeypatch.setattr(neighbours, "_NEIGHBOUR_BLOCK", 64)  # several blocks, as on a large input
    groups = stories.group([None] * 600, vectors, 0.65)
    assert sorted(i for g in groups for i in g) == list(range(600))
    assert len(sizes) > 10 and max(sizes) < 600 / 4
    assert groups == _all_pairs_average_link(vectors, 0.65)


def test_one_and_two_articles():
    v = np.array([[1.0, 0.0], [0.9, 0.1]])
    assert stories.group([None], v[:1], 0.65) == [[0]]
    assert stories.group([None, None], v, 0.65) == [[0, 1]]
    assert stories.group([None, None], np.array([[1.0, 0.0], [0.0, 1.0]]), 0.65) == [[0], [1]]


@pytest.mark.parametrize("seed", range(4))
def test_approximate_neighbours_give_the_same_stories_on_clustered_input(seed, monkeypatch):
    """Above EXACT_NEIGHBOURS_UP_TO articles neighbours come from a faiss HNSW index: on clustered
    input (stories of 1-40 articles) it must find the same connected sets, hence the same stories."""
    vectors = _clustered(seed, 2000)
    exact = stories.group([None] * len(vectors), vectors, 0.65)
    monkeypatch.setattr(neighbours, "EXACT_NEIGHBOURS_UP_TO", 0)
    approximate = stories.group([None] * len(vectors), vectors, 0.65)
    assert approximate == exact
    assert stories.group([None] * len(vectors), vectors, 0.65) == approximate  # deterministic


def test_approximate_pairs_are_close_and_ordered(monkeypatch):
    vectors = neighbours.unit_rows(_clustered(5, 800))
    monkeypatch.setattr(neighbours, "EXACT_NEIGHBOURS_UP_TO", 0)
    rows, cols = neighbours.close_pairs(vectors, 0.65)
    assert len(rows) and np.all(rows < cols)
    assert np.all(np.einsum("ij,ij->i", vectors[rows], vectors[cols]) >= 0.65 - 1e-5)
    exact = set(zip(*neighbours.all_close_pairs(vectors, 0.65)))
    found = set(zip(rows.tolist(), cols.tolist()))
    assert found <= exact and len(found) >= 0.5 * len(exact)
