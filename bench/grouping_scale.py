"""Learned story grouping at scale: `stories.group_articles` on synthetic articles (384-dimensional
vectors clustered into stories of about 12 articles, as in bench/neighbours.py, and names and
words drawn from each story's own vocabulary plus a common one), with the every-pair and the HNSW
neighbour search, and the embedding grouping (`stories.group` at 0.65 on the same articles' combined
vectors) as the peer: seconds, memory, and whether both searches give the same stories.

Each grouping runs in a forked child of the process holding the input, so its memory is its own:
"input MB" is the resident memory before grouping (libraries and the synthetic input), "peak MB"
the child's peak, and "own MB" their difference, what the grouping itself added.

    PYTHONPATH=. python bench/grouping_scale.py --sizes 20000,100000 [--hnsw]
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
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
    term = sys.intern  # one object per distinct term, as a vocabulary would hold them
    for i in range(n):
        s = int(story[i])
        sentence_vectors[f"a{i}"] = (centres[s] + rng.normal(scale=0.9, size=(4, 384))).astype(np.float32)
        articles.append(Article(f"a{i}", f"t{i}", "", f"{i}", "", (Sentence(0, "x"),)))
        own = [term(f"s{s}w{k}") for k in rng.choice(30, 12, replace=False)]
        common = [term(f"c{k}") for k in rng.choice(2000, 40, replace=False)]
        signals.append({
            "people": [term(f"s{s}p{k}") for k in rng.choice(3, 2)], "organisations": [term(f"s{s}o{k}") for k in rng.choice(3, 1)],
            "places": [term(f"pl{k}") for k in rng.choice(300, 1)], "other": [], "words": sorted(set(own + common)),
            "numbers": [term(str(k)) for k in rng.choice(500, 3)],
        })
    return articles, sentence_vectors, titles, signals


def _memory_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field)) / 1024


def learned(data, exact: bool) -> list[list[int]]:
    neighbours.EXACT_NEIGHBOURS_UP_TO = len(data[0]) if exact else 0
    return stories.group_articles(*data, threshold=0.5)


def embedding(data) -> list[list[int]]:
    articles, sentence_vectors, titles, _signals = data
    combined = stories.article_vectors([sentence_vectors[a.id] for a in articles], titles).combined
    neighbours.EXACT_NEIGHBOURS_UP_TO = len(articles)
    return stories.group(articles, combined, 0.65)


def in_child(task, data) -> tuple[float, list[list[int]], float, float]:
    """(seconds, stories, input MB, peak MB) of task(data) run in a forked child."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        before = _memory_mb("VmRSS:")
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # the peak counts from here: the parent's earlier peaks are not the child's
        t0 = time.perf_counter()
        groups = task(data)
        result = (time.perf_counter() - t0, groups, before, _memory_mb("VmHWM:"))
        with os.fdopen(write, "wb") as out:
            pickle.dump(result, out)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        result = pickle.load(pipe)
    os.waitpid(pid, 0)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000")
    parser.add_argument("--hnsw", action="store_true", help="also the HNSW search, and compare")
    args = parser.parse_args()
    import lightgbm  # noqa: F401  imported, not timed; the model is loaded in each child: LightGBM
    # reads it with OpenMP threads, which a forked child could not use again
    print("| articles | grouping | s | stories | same as every pair | input MB | peak MB | own MB |")
    print("|---:|---|---:|---:|---|---:|---:|---:|")
    for n in map(int, args.sizes.split(",")):
        data = synthetic(n)
        runs = [("embedding 0.65, every pair", embedding), ("learned, every pair", lambda d: learned(d, True))]
        if args.hnsw:
            runs.append(("learned, HNSW", lambda d: learned(d, False)))
        exact = None
        for name, task in runs:
            seconds, groups, before, peak = in_child(task, data)
            same = "–" if exact is None or name.startswith("embedding") else str(groups == exact)
            if name == "learned, every pair":
                exact = groups
            print(f"| {n} | {name} | {seconds:.1f} | {len(groups)} | {same} | {before:.0f} | {peak:.0f} | {peak - before:.0f} |",
                  flush=True)


if __name__ == "__main__":
    main()
