"""Grouping by a learned pair scorer, and the measures of bench/grouping.py on every labelled set.

`group_scored` runs the shipped clustering (pipeline.stories.cluster) with any scorer: candidate pairs from each article's
embedding neighbours, scored; sets of articles joined by a pair scoring at least the threshold;
inside each set every pair scored and average link cut at the threshold.
"""

from __future__ import annotations

from collections.abc import Callable

import group_data
import numpy as np

from pipeline.stories import cluster
from pipeline.stories.neighbours import nearest_pairs
from pipeline.stories.pairs import pair_features, term_index
from pipeline.stories.signals import article_signals, article_vectors

Scorer = Callable[[np.ndarray], np.ndarray]  # feature rows -> probability of "same story"


class Prepared:
    """Everything about one input that does not depend on the scorer."""

    def __init__(self, data: group_data.LabelledSet, k: int, floor: float) -> None:
        self.data = data
        self.vectors = article_vectors([data.sentence_vectors[a.id] for a in data.articles], data.title_vectors)
        self.signals = [article_signals(a) for a in data.articles]
        self.index = term_index(self.signals)
        self.rows, self.cols = nearest_pairs(self.vectors.combined, k, floor)
        self.features = pair_features(self.vectors, self.index, self.rows, self.cols)

    def features_of(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return pair_features(self.vectors, self.index, rows, cols)


def group_scored(prep: Prepared, scorer: Scorer, threshold: float) -> list[list[int]]:
    """The shipped clustering (pipeline.stories.cluster) with any scorer of feature rows."""
    def score(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return scorer(prep.features_of(rows, cols))

    return cluster.group_scored(len(prep.data.articles), prep.rows, prep.cols, score, threshold)


def score(groups: list[list[int]], data: group_data.LabelledSet) -> dict:
    from grouping import score as bench_score

    topics = data.topics if any(data.topics) else [""] * len(data.labels)
    return bench_score(groups, data.labels, topics)


def dev_draw(dev: group_data.LabelledSet, stories: int, per_topic: int) -> group_data.LabelledSet:
    from grouping import DATA, load_stories

    chosen = [str(r["id"]) for r in load_stories(DATA, stories, per_topic)]
    order = {sid: k for k, sid in enumerate(chosen)}
    keep = sorted((i for i, sid in enumerate(dev.story_ids) if sid in order), key=lambda i: (order[dev.story_ids[i]], i))
    return group_data.subset(dev, keep)


def recession_sizes(groups: list[list[int]]) -> list[int]:
    return sorted(map(len, groups), reverse=True)
