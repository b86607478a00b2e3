"""Story grouping at scale: every-pair neighbour search vs the faiss HNSW index, on synthetic
clustered article vectors (384 dimensions like MiniLM; stories of 1 to about 40 articles).

Usage: PYTHONPATH=. python bench/neighbours.py [--sizes 5000,20000,50000,200000] [--exact-up-to 50000]

For each size: seconds for `stories.group` with each search, and whether both give the same stories.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from pipeline import stories
from pipeline.stories import neighbours


def clustered(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(1, n // 12), 384))
    sizes = rng.integers(0, len(centres), n)
    return (centres[sizes] + rng.normal(scale=0.6, size=(n, 384))).astype(np.float32)


def timed_group(vectors: np.ndarray, exact: bool) -> tuple[float, list[list[int]]]:
    neighbours.EXACT_NEIGHBOURS_UP_TO = len(vectors) if exact else 0
    t0 = time.perf_counter()
    groups = stories.group([None] * len(vectors), vectors, 0.65)
    return time.perf_counter() - t0, groups


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="5000,20000,50000,200000")
    parser.add_argument("--exact-up-to", type=int, default=50000)
    args = parser.parse_args()
    print("| articles | every pair s | HNSW s | same stories | stories |")
    print("|---:|---:|---:|---|---:|")
    for n in map(int, args.sizes.split(",")):
        vectors = clustered(n)
        approx_s, approx = timed_group(vectors, exact=False)
        if n <= args.exact_up_to:
            exact_s, exact = timed_group(vectors, exact=True)
            print(f"| {n} | {exact_s:.1f} | {approx_s:.1f} | {approx == exact} | {len(approx)} |", flush=True)
        else:
            print(f"| {n} | – | {approx_s:.1f} | – | {len(approx)} |", flush=True)


if __name__ == "__main__":
    main()
