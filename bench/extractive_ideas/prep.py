"""Prepare (analyse + embed) every dev cluster once, with the lead and lexrank peers scored; pickle.

Usage: python bench/extractive_ideas/prep.py allsides multinews   (writes $IDEAS_CACHE/NAME.pkl, default /tmp/evq)
"""
import os, pickle, sys, time
from pathlib import Path
from pipeline.config import Settings
from pipeline.eval.datasets import load_clusters
from pipeline.eval.evaluate import cluster_budget
from pipeline.eval.peers import lead_peer, lexrank_peer
from pipeline.eval.scoring import rouge_scores, rouge_scorer as _scorer
from pipeline.models.loaders import apply_offline_policy, default_cache_dir, load_bundle
from pipeline.eval.datasets import articles_from_texts

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
CACHE = Path(os.environ.get("IDEAS_CACHE", "/tmp/evq"))
SETS = {"allsides": DATA / "allsides_roundup_val.source", "multinews": DATA / "multinews_validation.csv"}
apply_offline_policy(False)
settings = Settings()
models = load_bundle(settings.models, default_cache_dir(), 8)
scorer = _scorer()
for name in sys.argv[1:]:
    t = time.time()
    _, clusters = load_clusters(SETS[name])
    out = []
    for n, c in enumerate(clusters, 1):
        articles = articles_from_texts(c.documents, models, prefix=f"c{n}d")
        budget = cluster_budget(settings, c.reference, None, True)
        if not articles:
            out.append(None); continue
        matrix = models.embedder.embed([s.text for a in articles for s in a.sentences])
        vectors, start = {}, 0
        for a in articles:
            vectors[a.id] = matrix[start:start + len(a.sentences)]; start += len(a.sentences)
        peers = {"lead": rouge_scores(" ".join(lead_peer(articles, budget)), c.reference, scorer),
                 "lexrank": rouge_scores(" ".join(lexrank_peer(articles, budget)), c.reference, scorer)}
        out.append(dict(articles=articles, vectors=vectors, budget=budget, reference=c.reference,
                        documents=c.documents, peers=peers))
        if n % 25 == 0: print(name, n, round(time.time() - t), flush=True)
    pickle.dump(out, open(CACHE / f"{name}.pkl", "wb"))
    print(name, "done", round(time.time() - t), flush=True)
