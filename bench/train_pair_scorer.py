"""Train the story pair scorer (LightGBM: are two articles on the same story?) on AllSides train.

Positives: the articles of one train cluster (three per cluster, every pair). Negatives: pairs of
articles from different clusters that are embedding neighbours (each article's k nearest at least
`floor` similar), i.e. the hard ones grouping must keep apart. Train clusters sharing an article
with a dev story are left out (bench/group_data.py), so dev stays unseen.

The input is cut into "mornings" of `--morning` clusters (names and words are weighted by their
rarity inside the input, as when grouping), plus the whole train set as one input for the
hardest negatives.

    PYTHONPATH=. python bench/train_pair_scorer.py --out pipeline/data/story_pairs.txt
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import group_data
import pair_lab

from pipeline.stories import MIN_COSINE, NEIGHBOURS
from pipeline.stories.pairs import FEATURES
from pipeline.stories.scorer import HEADER_PREFIX

PARAMS = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 50,
    "feature_fraction": 1.0, "bagging_fraction": 1.0, "seed": 0, "deterministic": True,
    "num_threads": 1, "verbose": -1,
}
ROUNDS = 300


def mornings(train: group_data.LabelledSet, size: int, seed: int = 0, topical: bool = False) -> list[group_data.LabelledSet]:
    """Inputs of about `size` clusters each, plus the whole set. Random clusters; or, `topical`,
    clusters close to each other (k-means of cluster centroids), so that an input holds several
    stories of one topic, as a day's news does: harder negatives, and topic words weigh less."""
    clusters = sorted(set(train.labels))
    rng = np.random.default_rng(seed)
    rng.shuffle(clusters)
    parts = [set(clusters[s:s + size]) for s in range(0, len(clusters), size)] if size else []
    if topical and size:
        parts = _topical_parts(train, clusters, size, seed)
    out = [group_data.subset(train, [i for i, c in enumerate(train.labels) if c in part]) for part in parts]
    return out + [train]


def _topical_parts(train: group_data.LabelledSet, clusters: list[int], size: int, seed: int) -> list[set[int]]:
    from sklearn.cluster import KMeans

    from pipeline.stories.signals import article_vectors

    vectors = article_vectors([train.sentence_vectors[a.id] for a in train.articles], train.title_vectors).combined
    labels = np.asarray(train.labels)
    centroids = np.vstack([vectors[labels == c].mean(axis=0) for c in clusters])
    topic = KMeans(n_clusters=max(1, len(clusters) // size), n_init=3, random_state=seed).fit_predict(centroids)
    return [{c for c, t in zip(clusters, topic) if t == k} for k in range(topic.max() + 1)]


def training_rows(prep: pair_lab.Prepared) -> tuple[np.ndarray, np.ndarray]:
    labels = np.asarray(prep.data.labels)
    rows, cols = list(prep.rows), list(prep.cols)
    known = set(zip(rows, cols))
    by_story: dict[int, list[int]] = {}
    for i, c in enumerate(labels):
        by_story.setdefault(int(c), []).append(i)
    for members in by_story.values():
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                if (members[a], members[b]) not in known:
                    rows.append(members[a]); cols.append(members[b])
    r, c = np.asarray(rows), np.asarray(cols)
    x = prep.features_of(r, c)
    return x, (labels[r] == labels[c]).astype(np.float32)


def train(train_set: group_data.LabelledSet, k: int, floor: float, morning: int,
          features: tuple[str, ...] = FEATURES, params: dict | None = None, rounds: int = ROUNDS,
          topical: bool = False):
    import lightgbm

    xs, ys = [], []
    for part in mornings(train_set, morning, topical=topical):
        x, y = training_rows(pair_lab.Prepared(part, k, floor))
        xs.append(x); ys.append(y)
    x, y = np.vstack(xs), np.concatenate(ys)
    columns = [FEATURES.index(f) for f in features]
    booster = lightgbm.train(params or PARAMS, lightgbm.Dataset(x[:, columns], y, feature_name=list(features)),
                             num_boost_round=rounds)
    return booster, int(y.sum()), int(len(y) - y.sum())


def write_model(booster, path: Path, header: dict[str, str]) -> None:
    """LightGBM's text model with `newsdigest_*` lines after its first line, saying what trained it
    (LightGBM reads past unknown key=value lines; pipeline.stories.scorer.model_header reads them)."""
    text = booster.model_to_string(num_iteration=-1)
    first, rest = text.split("\n", 1)
    # LightGBM refuses a line with a second "=" in it.
    lines = [f"{HEADER_PREFIX}{key}={value.replace('=', ':')}" for key, value in header.items()]
    path.write_text("\n".join([first, *lines, rest]), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--k", type=int, default=NEIGHBOURS)
    parser.add_argument("--floor", type=float, default=MIN_COSINE)
    parser.add_argument("--morning", type=int, default=100)
    parser.add_argument("--train-clusters", type=int, help="only the first N train clusters (those analysed)")
    parser.add_argument("--topical", action="store_true", help="inputs of clusters close to each other (k-means)")
    args = parser.parse_args()
    train_set = group_data.load("train", limit=args.train_clusters, cached_only=True)
    booster, pos, neg = train(train_set, args.k, args.floor, args.morning, topical=args.topical)
    header = {
        "trained_on": f"allsides_roundup_train.source/.target: {len(set(train_set.labels))} clusters "
                      f"({len(train_set.articles)} articles; clusters sharing an article with allsides_stories_dev.jsonl "
                      "left out)",
        "pairs": f"{pos} same-cluster pairs (positive); {neg} pairs of different clusters among each article's "
                 f"{args.k} nearest neighbours at cosine at least {args.floor} (negative); inputs of {args.morning} "
                 "clusters and the whole set",
        "features": ",".join(FEATURES),
        "params": " ".join(f"{k}:{v}" for k, v in PARAMS.items()) + f" rounds:{ROUNDS}",
        "script": "bench/train_pair_scorer.py " + " ".join(sys.argv[1:]),
    }
    write_model(booster, args.out, header)
    print(f"{args.out}: {pos} positive and {neg} negative pairs from {len(set(train_set.labels))} train clusters")


if __name__ == "__main__":
    main()
