"""Train the shipped sentence scorer (pipeline/data/sentence_scorer.txt) on every cluster of the named sets.

Features come from `pipeline.selection_model.features`; the target is the share of a sentence's
(stemmed) words plus the share of its word pairs that occur in the cluster's reference summary.
The honest estimate of this model is the cross-fitted run of `learned_native.py`, not an eval on
the same dev sets.

Usage: PYTHONPATH=. python bench/extractive_ideas/train_scorer.py allsides,multinews   (after prep.py)
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import label, load, np  # noqa: E402
import lightgbm as lgb  # noqa: E402

from pipeline.digest.scorer import FEATURES, MODEL_FILE, TRAIN_PARAMS, features

sets = sys.argv[1].split(",")
xs, ys = [], []
for name in sets:
    for c in load(name):
        if c is not None:
            xs.append(features(c["pool"], c["budget"].max_words)); ys.append(label(c))
x, y = np.vstack(xs), np.concatenate(ys)
params = {k: v for k, v in TRAIN_PARAMS.items() if k != "rounds"}
booster = lgb.train(params, lgb.Dataset(x, y, feature_name=list(FEATURES)), num_boost_round=TRAIN_PARAMS["rounds"])
MODEL_FILE.parent.mkdir(parents=True, exist_ok=True)
booster.save_model(str(MODEL_FILE))
print(f"trained on {len(y)} sentences of {len(xs)} clusters ({', '.join(sets)}); wrote {MODEL_FILE}")
print("feature importance (gain):", dict(zip(FEATURES, np.round(booster.feature_importance("gain") / booster.feature_importance("gain").sum(), 3))))
