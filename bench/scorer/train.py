"""Rebuild the shipped sentence scorer from the AllSides train split, then print its val table.

Trains `pipeline.digest.scorer.train` (features, target and TRAIN_PARAMS as the pipeline declares them) on every
cluster of /work/shared/data/allsides_roundup_train.*, writes pipeline/data/sentence_scorer.txt (its header says
which data and settings made it), and scores the two val sets with the pipeline's own selection, at the
reference length and at the default 150-word story budget, beside lead and lexrank on the same budgets:
mean [95% bootstrap interval], and the paired difference to each peer with the share of clusters won.

Usage (after prep.py has prepared train, as_val and mn_val once):
  PYTHONPATH=. HF_HUB_OFFLINE=1 nice -n 10 python bench/scorer/prep.py train as_val mn_val
  PYTHONPATH=. python bench/scorer/train.py [--out PATH] [--no-write]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import bootstrap, load, peer_scores, rouge  # noqa: E402

from pipeline.config import Settings  # noqa: E402
from pipeline.digest import scorer as M  # noqa: E402
from pipeline.digest.select import extractive  # noqa: E402
from pipeline.eval.scoring import paired_difference  # noqa: E402

VAL = {"as_val": "AllSides val (307)", "mn_val": "Multi-News val (250)"}


def build(out: Path) -> None:
    t = time.time()
    clusters = [c for c in load("train") if c is not None]
    examples = [M.Example(c.pool, c.ref_budget.max_words, c.reference) for c in clusters]
    about = {"data": f"allsides_roundup_train.source/.target ({len(clusters)} clusters with sentences; "
                     "val and Multi-News never seen)",
             "budget": "each cluster's reference length in words (newsdigest eval --match-reference-length)"}
    text = M.train(examples, about)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} in {time.time() - t:.0f}s", file=sys.stderr)


def digest_scores(clusters, cfg, budget_key: str) -> dict[str, np.ndarray]:
    """ROUGE of the pipeline's own story digest (`extractive`, in its reading order) of each prepared cluster."""
    out = {k: [] for k in ("rouge1", "rouge2", "rougeL")}
    for c in clusters:
        if c is None:
            r = dict.fromkeys(out, 0.0)
        else:
            budget = c.ref_budget if budget_key == "ref" else c.fixed_budget
            digest = extractive(c.pool, budget, cfg, keep_source_order=False)
            r = rouge(" ".join(s.text for s in digest.sentences), c.reference)
        for k in out:
            out[k].append(r[k])
    return {k: np.array(v) for k, v in out.items()}


def table(name: str, clusters, budget_key: str) -> None:
    cfg = Settings().summary
    system = digest_scores(clusters, cfg, budget_key)
    peers = {p: peer_scores(clusters, p, budget_key) for p in ("lead", "lexrank")}
    label = "reference length" if budget_key == "ref" else "150 words"
    print(f"\n{VAL[name]}, budget: {label}\n\n| system | ROUGE-1 | ROUGE-2 | ROUGE-L |\n|---|---|---|---|")
    for row, s in [("newsdigest (extractive)", system), *peers.items()]:
        cells = [f"{s[k].mean():.2f} [{bootstrap(s[k])[0]:.2f}, {bootstrap(s[k])[1]:.2f}]"
                 for k in ("rouge1", "rouge2", "rougeL")]
        print(f"| {row} | {' | '.join(cells)} |")
    print("\n| newsdigest minus (paired; clusters won / tied / lost) | ROUGE-1 | ROUGE-2 | ROUGE-L |\n|---|---|---|---|")
    for p, s in peers.items():
        cells = []
        for k in ("rouge1", "rouge2", "rougeL"):
            d = paired_difference(system[k], s[k])
            cells.append(f"{d['diff']:+.2f} [{d['diff_ci'][0]:+.2f}, {d['diff_ci'][1]:+.2f}], "
                         f"{100 * d['wins']:.0f} / {100 * d['ties']:.0f} / {100 * d['losses']:.0f}%")
        print(f"| {p} | " + " | ".join(cells) + " |")
    best = {k: max(s[k].mean() for s in peers.values()) for k in ("rouge1", "rouge2")}
    print(f"\nmargin over the best peer: ROUGE-1 {system['rouge1'].mean() - best['rouge1']:+.2f}, "
          f"ROUGE-2 {system['rouge2'].mean() - best['rouge2']:+.2f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=M.MODEL_FILE)
    ap.add_argument("--no-write", action="store_true", help="only print the val table of the current model file")
    args = ap.parse_args()
    if not args.no_write:
        build(args.out)
        if args.out != M.MODEL_FILE:
            M.MODEL_FILE = args.out
        M._booster.cache_clear()
    print("model header:", {k: v for k, v in M.model_header(M.MODEL_FILE).items() if k in ("data", "rows")})
    for name in VAL:
        clusters = load(name)
        for budget_key in ("ref", "fixed"):
            table(name, clusters, budget_key)


if __name__ == "__main__":
    main()
