"""Analyse and embed every cluster of the train and val sets once, exactly as `eval` does; pickle plain data.

Each cluster is stored as plain Python values (no pipeline classes, so the cache survives module moves):
articles as (id, [(index, text, [(entity text, label)], eligible)]), one float32 vector matrix per article, the
reference, the reference-length budget and, for the val sets, the lead and lexrank peers' ROUGE at the reference
length and at the default 150-word story budget (per cluster, for paired comparisons).

Usage (slow: about 15 min of 1 CPU for all three sets; run once, reuse):
  PYTHONPATH=. HF_HUB_OFFLINE=1 nice -n 10 python bench/scorer/prep.py train as_val mn_val
Writes $SCORER_CACHE/NAME.pkl (default /work/cache-scorer).
"""
from __future__ import annotations

import os
import pickle
import sys
import time
from pathlib import Path

DATA = Path(os.environ.get("NEWSDIGEST_DATA", "/work/shared/data"))
CACHE = Path(os.environ.get("SCORER_CACHE", "/work/cache-scorer"))
SETS = {
    "train": DATA / "allsides_roundup_train.source",
    "as_val": DATA / "allsides_roundup_val.source",
    "mn_val": DATA / "multinews_validation.csv",
}
FIXED_WORDS = 150  # the default story budget (config.StoryBudget)


def _imports():
    """The pipeline functions eval uses."""
    from pipeline.eval.datasets import articles_from_texts, load_clusters
    from pipeline.eval.evaluate import cluster_budget
    from pipeline.eval.peers import lead_peer, lexrank_peer
    from pipeline.eval.scoring import rouge_scorer, rouge_scores
    return cluster_budget, lead_peer, lexrank_peer, load_clusters, rouge_scores, rouge_scorer, articles_from_texts


def main(names: list[str]) -> None:
    from pipeline.config import Settings
    from pipeline.models.loaders import apply_offline_policy, default_cache_dir, load_bundle

    cluster_budget, lead_peer, lexrank_peer, load_clusters, rouge_scores, _scorer, articles_from_texts = _imports()
    apply_offline_policy(False)
    settings = Settings()
    models = load_bundle(settings.models, default_cache_dir(), 8)
    scorer = _scorer()
    CACHE.mkdir(parents=True, exist_ok=True)
    for name in names:
        started = time.time()
        _, clusters = load_clusters(SETS[name])
        out = []
        for n, cluster in enumerate(clusters, 1):
            articles = articles_from_texts(cluster.documents, models, prefix=f"c{n}d")
            ref_budget = cluster_budget(settings, cluster.reference, None, True)
            if not articles:
                out.append(None)
                continue
            matrix = models.embedder.embed([s.text for a in articles for s in a.sentences])
            vectors, start = [], 0
            for a in articles:
                vectors.append(matrix[start:start + len(a.sentences)])
                start += len(a.sentences)
            item = {
                "articles": [(a.id, [(s.index, s.text, [(e.text, e.label) for e in s.entities], s.eligible)
                                     for s in a.sentences]) for a in articles],
                "vectors": vectors,
                "reference": cluster.reference,
                "ref_budget": (ref_budget.max_sentences, ref_budget.max_words),
                "n_documents": len(cluster.documents),
            }
            if name != "train":
                fixed = cluster_budget(settings, cluster.reference, FIXED_WORDS, False)
                item["fixed_budget"] = (fixed.max_sentences, fixed.max_words)
                item["peers"] = {
                    key: {p: rouge_scores(" ".join(fn(articles, b)), cluster.reference, scorer)
                          for p, fn in (("lead", lead_peer), ("lexrank", lexrank_peer))}
                    for key, b in (("ref", ref_budget), ("fixed", fixed))
                }
            out.append(item)
            if n % 100 == 0:
                print(name, n, len(clusters), round(time.time() - started), flush=True)
        with open(CACHE / f"{name}.pkl.tmp", "wb") as fh:
            pickle.dump(out, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(CACHE / f"{name}.pkl.tmp", CACHE / f"{name}.pkl")
        print(name, "done", len(out), "clusters", round(time.time() - started), "s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
