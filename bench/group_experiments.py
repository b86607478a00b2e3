"""Experiments for the story pair scorer: train on AllSides train (less dev stories), measure on
AllSides val (all 307 clusters mixed), the two dev draws, the recession story and Multi-News.

    PYTHONPATH=. python bench/group_experiments.py --variant base
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import group_data
import pair_lab
import train_pair_scorer as tps

from pipeline.stories.pairs import FEATURES

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)


def sets(k: int, floor: float, multinews: int) -> dict[str, pair_lab.Prepared]:
    dev = group_data.load("dev")
    out = {
        "val": group_data.load("val"),
        "dev60x12": pair_lab.dev_draw(dev, 60, 5),
        "dev60x20": pair_lab.dev_draw(dev, 60, 3),
        "recession": group_data.load("recession"),
        "multinews": group_data.load("multinews", limit=multinews, cached_only=True),
    }
    return {name: pair_lab.Prepared(data, k, floor) for name, data in out.items() if data.articles}


def report(name: str, prep: pair_lab.Prepared, scorer, thresholds) -> None:
    for t in thresholds:
        groups = pair_lab.group_scored(prep, scorer, t)
        if name == "recession":
            sizes = pair_lab.recession_sizes(groups)
            print(f"| {name} | {t:.2f} | {len(groups)} groups, largest {sizes[:4]} |", flush=True)
            continue
        r = pair_lab.score(groups, prep.data)
        stories = len(set(prep.data.labels))
        print(f"| {name} | {t:.2f} | ARI {r['ari']:.3f} | exact {r['exact']}/{stories} | split {r['split']} "
              f"| merged same {r['merged_same_topic']} other {r['merged_other_topic']} | purity {r['purity']:.3f} |", flush=True)


def positive_recall(prep: pair_lab.Prepared) -> str:
    labels = np.asarray(prep.data.labels)
    found = int((labels[prep.rows] == labels[prep.cols]).sum())
    total = sum(c * (c - 1) // 2 for c in np.unique(labels, return_counts=True)[1])
    return f"{found}/{total} same-story pairs among {len(prep.rows)} candidates"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--floor", type=float, default=0.3)
    parser.add_argument("--morning", type=int, default=100)
    parser.add_argument("--features", default="")
    parser.add_argument("--drop", default="", help="comma list of features left out")
    parser.add_argument("--multinews", type=int, default=100)
    parser.add_argument("--thresholds", default=",".join(map(str, THRESHOLDS)))
    parser.add_argument("--save", type=Path)
    parser.add_argument("--leaves", type=int, default=tps.PARAMS["num_leaves"])
    parser.add_argument("--min-leaf", type=int, default=tps.PARAMS["min_data_in_leaf"])
    args = parser.parse_args()
    features = tuple(args.features.split(",")) if args.features else FEATURES
    features = tuple(f for f in features if f not in args.drop.split(","))
    t0 = time.perf_counter()
    params = tps.PARAMS | {"num_leaves": args.leaves, "min_data_in_leaf": args.min_leaf}
    booster, pos, neg = tps.train(group_data.load("train", cached_only=True), args.k, args.floor, args.morning,
                                  features, params)
    print(f"trained on {pos} positive / {neg} negative pairs in {time.perf_counter() - t0:.0f} s; features {features}")
    if args.save:
        booster.save_model(str(args.save))
    columns = [FEATURES.index(f) for f in features]

    def scorer(x: np.ndarray) -> np.ndarray:
        return booster.predict(x[:, columns]) if len(x) else np.zeros(0)

    thresholds = tuple(map(float, args.thresholds.split(",")))
    for name, prep in sets(args.k, args.floor, args.multinews).items():
        print(f"{name}: {positive_recall(prep)}")
        report(name, prep, scorer, thresholds)
    imp = booster.feature_importance("gain")
    print("gain:", ", ".join(f"{f} {g / imp.sum():.3f}" for f, g in sorted(zip(features, imp), key=lambda x: -x[1])))


if __name__ == "__main__":
    main()
