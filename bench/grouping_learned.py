"""Learned story grouping as shipped (`pipeline.stories.group_articles`, pipeline/data/story_pairs.txt)
against embedding grouping (`stories.group` at 0.65, the earlier default), on sets the pair model
never saw: AllSides val (all 307 clusters mixed), the two dev draws of bench/grouping.py (dev stories
sharing an article with a train cluster were left out of training), the 46-article recession story
and Multi-News val (the first N clusters mixed). Also: the same stories from the every-pair and the
HNSW neighbour search, and with publication dates (dev: each story's date) where a set has them.

    PYTHONPATH=. python bench/grouping_learned.py --thresholds 0.4,0.5,0.6 --multinews 100
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import group_data
import pair_lab

from pipeline import stories
from pipeline.stories import neighbours


def sets(multinews: int) -> dict[str, group_data.LabelledSet]:
    dev = group_data.load("dev")
    return {
        "AllSides val (307 stories)": group_data.load("val"),
        "dev 60 stories, 12 topics": pair_lab.dev_draw(dev, 60, 5),
        "dev 60 stories, 20 topics": pair_lab.dev_draw(dev, 60, 3),
        "recession (1 story)": group_data.load("recession"),
        f"Multi-News val ({multinews} clusters)": group_data.load("multinews", limit=multinews, cached_only=True),
    }


def without_dates(data: group_data.LabelledSet) -> group_data.LabelledSet:
    from dataclasses import replace

    return group_data.LabelledSet(
        articles=[replace(a, published="") for a in data.articles], labels=data.labels,
        sentence_vectors=data.sentence_vectors, title_vectors=data.title_vectors, topics=data.topics,
        dates=["" for _ in data.dates], story_ids=data.story_ids,
    )


def learned(data: group_data.LabelledSet, threshold: float) -> list[list[int]]:
    signals = [stories.article_signals(a) for a in data.articles]
    return stories.group_articles(data.articles, data.sentence_vectors, data.title_vectors, signals, threshold)


def embedding(data: group_data.LabelledSet, threshold: float = 0.65) -> list[list[int]]:
    means = stories.signals.article_vectors([data.sentence_vectors[a.id] for a in data.articles], data.title_vectors)
    return stories.group(data.articles, means.combined, threshold)


def row(name: str, method: str, groups: list[list[int]], data: group_data.LabelledSet, seconds: float) -> str:
    if len(set(data.labels)) == 1:
        sizes = sorted(map(len, groups), reverse=True)
        return f"| {name} | {method} | {len(groups)} groups, largest {', '.join(map(str, sizes[:4]))} of {len(data.labels)} | | | | {seconds:.1f} |"
    r = pair_lab.score(groups, data)
    stories_n = len(set(data.labels))
    return (f"| {name} | {method} | ARI {r['ari']:.3f} | {r['exact']}/{stories_n} exact, {r['split']} split "
            f"| {r['merged_same_topic']} / {r['merged_other_topic']} | {r['purity']:.3f} | {seconds:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--thresholds", default="0.4,0.5,0.6")
    parser.add_argument("--multinews", type=int, default=100)
    args = parser.parse_args()
    thresholds = [float(t) for t in args.thresholds.split(",")]
    print("| set | grouping | ARI / groups | stories | merged pairs: same topic / other | purity | s |")
    print("|---|---|---|---|---|---|---:|")
    for name, data in sets(args.multinews).items():
        if not data.articles:
            continue
        undated = without_dates(data)
        t0 = time.perf_counter()
        print(row(name, "embedding 0.65", embedding(undated), data, time.perf_counter() - t0), flush=True)
        for t in thresholds:
            t0 = time.perf_counter()
            groups = learned(undated, t)
            print(row(name, f"learned {t:.2f}", groups, data, time.perf_counter() - t0), flush=True)
            if any(data.dates):
                t0 = time.perf_counter()
                print(row(name, f"learned {t:.2f}, dates", learned(data, t), data, time.perf_counter() - t0), flush=True)
            exact_up_to = neighbours.EXACT_NEIGHBOURS_UP_TO
            neighbours.EXACT_NEIGHBOURS_UP_TO = 0
            try:
                same = learned(undated, t) == groups
            finally:
                neighbours.EXACT_NEIGHBOURS_UP_TO = exact_up_to
            if not same:
                print(f"| {name} | learned {t:.2f}, HNSW neighbours | DIFFERENT stories from every-pair search | | | | |")


if __name__ == "__main__":
    main()
