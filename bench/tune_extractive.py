"""Sweep the extractive scorer's weights (greedy MMR selection) on the dev sets, with the lead peer from the same run.

For the "fill" selection and the other ideas in bench/RESULTS.md ("Ideas tried"), see bench/extractive_ideas/.

Usage: python bench/tune_extractive.py [--limit 60]
Each cluster is analysed and embedded once; every setting is then scored on the same
clusters at the reference's length (as `newsdigest eval --match-reference-length`).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from pathlib import Path

from pipeline.config import Settings
from pipeline.eval.datasets import load_clusters
from pipeline.eval.evaluate import cluster_budget
from pipeline.eval.peers import lead_peer
from pipeline.eval.scoring import rouge_scores
from pipeline.models.loaders import apply_offline_policy, default_cache_dir, load_bundle
from pipeline.eval.datasets import articles_from_texts
from pipeline.digest.pool import build_pool
from pipeline.digest.select import extractive

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETS = {"multinews": DATA / "multinews_validation.csv", "allsides": DATA / "allsides_roundup_val.source"}


def prepare(path: Path, limit: int, models, settings: Settings):
    _, clusters = load_clusters(path, limit)
    prepared = []
    for cluster in clusters:
        articles = articles_from_texts(cluster.documents, models)
        if not articles:
            continue
        matrix = models.embedder.embed([s.text for a in articles for s in a.sentences])
        vectors, start = {}, 0
        for a in articles:
            vectors[a.id] = matrix[start:start + len(a.sentences)]
            start += len(a.sentences)
        budget = cluster_budget(settings, cluster.reference, None, True)
        prepared.append((articles, build_pool(articles, vectors), budget, cluster.reference))
    return prepared


def score(prepared, cfg) -> tuple[float, float]:
    r1, r2 = [], []
    for _articles, pool, budget, reference in prepared:
        digest = extractive(pool, budget, cfg, keep_source_order=False)
        scores = rouge_scores(digest.text, reference)
        r1.append(scores["rouge1"])
        r2.append(scores["rouge2"])
    return statistics.mean(r1), statistics.mean(r2)


def lead(prepared) -> tuple[float, float]:
    r1, r2 = [], []
    for articles, _pool, budget, reference in prepared:
        scores = rouge_scores(" ".join(lead_peer(articles, budget)), reference)
        r1.append(scores["rouge1"])
        r2.append(scores["rouge2"])
    return statistics.mean(r1), statistics.mean(r2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=60)
    args = parser.parse_args()
    apply_offline_policy(False)
    settings = Settings()
    models = load_bundle(settings.models, default_cache_dir(), 8)
    for name, path in SETS.items():
        start = time.perf_counter()
        prepared = prepare(path, args.limit, models, settings)
        print(f"\n{name}: {len(prepared)} clusters, prepared in {time.perf_counter() - start:.0f} s")
        l1, l2 = lead(prepared)
        print(f"lead: R1 {l1:.2f} R2 {l2:.2f}")
        print("| position_weight | redundancy_weight | R1 | R2 |")
        for pw, rw in itertools.product((0.0, 0.2, 0.35, 0.5, 0.7), (0.3, 0.6, 0.8)):
            cfg = settings.summary.model_copy(update={"position_weight": pw, "redundancy_weight": rw, "selection": "mmr", "word_support_weight": 0.0})
            r1, r2 = score(prepared, cfg)
            print(f"| {pw} | {rw} | {r1:.2f} | {r2:.2f} |", flush=True)


if __name__ == "__main__":
    main()
