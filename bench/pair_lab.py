"""Grouping by a learned pair scorer, and the measures of bench/grouping.py on every labelled set.

`group_scored` is the draft of the shipped clustering: candidate pairs from each article's
embedding neighbours, scored; sets of articles joined by a pair scoring at least the threshold;
inside each set every pair scored and average link cut at the threshold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import numpy as np

import group_data
import pair_signals as ps

Scorer = Callable[[np.ndarray], np.ndarray]  # feature rows -> probability of "same story"


class Prepared:
    """Everything about one input that does not depend on the scorer."""

    def __init__(self, data: group_data.LabelledSet, k: int, floor: float) -> None:
        self.data = data
        self.vectors = ps.article_vectors([data.sentence_vectors[a.id] for a in data.articles], data.title_vectors)
        self.signals = [ps.article_signals(a) for a in data.articles]
        self.index = ps.name_index(self.signals)
        self.rows, self.cols = ps.neighbour_pairs(self.vectors.combined, k, floor)
        self.features = ps.pair_features(self.vectors, self.index, self.rows, self.cols)


def group_scored(prep: Prepared, scorer: Scorer, threshold: float, method: str = "average") -> list[list[int]]:
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(prep.data.articles)
    probs = scorer(prep.features)
    strong = probs >= threshold
    graph = coo_matrix((np.ones(int(strong.sum())), (prep.rows[strong], prep.cols[strong])), shape=(n, n))
    _count, labels = connected_components(graph, directed=False)
    by_label: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        by_label[int(label)].append(i)
    stories = []
    big = [m for m in by_label.values() if len(m) > 1]
    stories += [m for m in by_label.values() if len(m) == 1]
    if big:
        # every pair inside each set, scored in one batch
        r_all, c_all, owners = [], [], []
        for g, members in enumerate(big):
            iu, ju = np.triu_indices(len(members), 1)
            m = np.asarray(members)
            r_all.append(m[iu]); c_all.append(m[ju]); owners.append(np.full(len(iu), g))
        r, c = np.concatenate(r_all), np.concatenate(c_all)
        p = scorer(ps.pair_features(prep.vectors, prep.index, r, c))
        start = 0
        for members in big:
            size = len(members) * (len(members) - 1) // 2
            dist = 1.0 - p[start:start + size]
            start += size
            cut = fcluster(linkage(dist, method=method), t=1.0 - threshold, criterion="distance")
            groups: dict[int, list[int]] = defaultdict(list)
            for i, label in zip(members, cut):
                groups[int(label)].append(i)
            stories += list(groups.values())
    return sorted(stories, key=lambda m: (-len(m), m[0]))


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
