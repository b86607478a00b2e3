"""A learned sentence scorer on features the pipeline computes itself, cross-fitted in two folds.

Fold A trains on the first half of every named set and scores the second half; fold B the other
way round; every cluster is thus scored by a model that never saw it. Reports ROUGE-1/2 per set
(all clusters, cross-fitted) against lead and the current default.

Usage: PYTHONPATH=. python bench/extractive_ideas/learned_native.py allsides,multinews   (after prep.py)
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import *  # noqa: E402,F403
import lightgbm as lgb  # noqa: E402

from pipeline.digest.scorer import FEATURES, TRAIN_PARAMS, features

sets = sys.argv[1].split(",")
params = {k: v for k, v in TRAIN_PARAMS.items() if k != "rounds"}
D = {s: load(s) for s in sets}
H = {s: (set(range(len(D[s]) // 2)), set(range(len(D[s]) // 2, len(D[s])))) for s in sets}


def native(c):
    return features(c["pool"], c["budget"].max_words)


def rows(idx_of):
    xs, ys, groups = [], [], []
    for s in sets:
        for j in sorted(idx_of(s)):
            c = D[s][j]
            if c is None:
                continue
            xs.append(native(c)); ys.append(label(c))
    return np.vstack(xs), np.concatenate(ys)


def fit(idx_of):
    x, y = rows(idx_of)
    return lgb.train(params, lgb.Dataset(x, y, feature_name=list(FEATURES)), num_boost_round=TRAIN_PARAMS["rounds"])


folds = {"A": fit(lambda s: H[s][0]), "B": fit(lambda s: H[s][1])}  # A scores h2, B scores h1


def cross_fitted(tau):
    def pick(c, s=None, j=None):
        model = folds["A"] if j in H[s][1] else folds["B"]
        scores = np.maximum(model.predict(native(c)), 1e-3)
        return select_fill(c["pool"], scores, c["budget"], tau)
    return pick


for s in sets:
    C = D[s]
    print(f"\n{s}: | variant | all R1 | all R2 | h1 R1 | h1 R2 | h2 R1 | h2 R2 |")
    for p in ("lead",):
        a = peer(C, p); b = peer(C, p, H[s][0]); d = peer(C, p, H[s][1])
        print(f"| {p} | {a[0]:.2f} | {a[1]:.2f} | {b[0]:.2f} | {b[1]:.2f} | {d[0]:.2f} | {d[1]:.2f} |", flush=True)
    row("default", C, lambda c: select_fill(c["pool"], salience(c["pool"], 0.5, 0.5), c["budget"], 0.75), *H[s])
    for tau in (0.75, 0.7):
        fn = cross_fitted(tau)
        idx = {id(c): j for j, c in enumerate(C) if c is not None}
        row(f"learned cross-fitted tau{tau}", C, lambda c, fn=fn: fn(c, s, idx[id(c)]), *H[s])
