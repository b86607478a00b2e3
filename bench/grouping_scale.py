"""Learned story grouping at scale: `stories.group_articles` on synthetic articles (384-dimensional
vectors clustered into stories of about 12 articles, as in bench/neighbours.py, and names and
words drawn from each story's own vocabulary plus a common one), with the every-pair and the HNSW
neighbour search: seconds, peak memory of the process, and whether both give the same stories.

    PYTHONPATH=. python bench/grouping_scale.py --sizes 20000,100000
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from pipeline import stories
from pipeline.domain import Article, Sentence
from pipeline.stories import neighbours


def synthetic(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(1, n // 12), 384)).astype(np.float32)
    story = rng.integers(0, len(centres), n)
    articles, sentence_vectors, signals = [], {}, []
    titles = (centres[story] + rng.normal(scale=0.8, size=(n, 384))).astype(np.float32)
    for i in range(n):
        s = int(story[i])
        sentence_vectors[f"a{i}"] = (centres[s] + rng.normal(scale=0.9, size=(4, 384))).astype(np.float32)
        articles.append(Article(f"a{i}", f"t{i}", "", f"{i}", "", (Sentence(0, "x"),)))
        own = [f"s{s}w{k}" for k in rng.choice(30, 12, replace=False)]
        common = [f"c{k}" for k in rng.choice(2000, 40, replace=False)]
        signals.append({
            "people": [f"s{s}p{k}" for k in rng.choice(3, 2)], "organisations": [f"s{s}o{k}" for k in rng.choice(3, 1)],
            "places": [f"pl{k}" for k in rng.choice(300, 1)], "other": [], "words": sorted(set(own + common)),
            "numbers": [str(k) for k in rng.choice(500, 3)],
        })
    return articles, sentence_vectors, titles, signals


def run(n: int, exact: bool, data) -> tuple[float, list[list[int]]]:
    neighbours.EXACT_NEIGHBOURS_UP_TO = n if exact else 0
    t0 = time.perf_counter()
    groups = stories.group_articles(*data, threshold=0.5)
    return time.perf_counter() - t0, groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000")
    parser.add_argument("--hnsw", action="store_true", help="also the HNSW search, and compare")
    args = parser.parse_args()
    print("| articles | search | s | stories | same as every pair | peak RSS MB so far |")
    print("|---:|---|---:|---:|---|---:|")
    for n in map(int, args.sizes.split(",")):
        data = synthetic(n)
        exact_s, exact = run(n, True, data)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| {n} | every pair | {exact_s:.1f} | {len(exact)} | – | {peak:.0f} |", flush=True)
        if args.hnsw:
            approx_s, approx = run(n, False, data)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"| {n} | HNSW | {approx_s:.1f} | {len(approx)} | {approx == exact} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
