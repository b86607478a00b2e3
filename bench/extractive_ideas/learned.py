"""A learned sentence scorer, honestly split: trained on the first half of each named set, reported on both halves.

Usage: PYTHONPATH=. python bench/extractive_ideas/learned.py allsides,multinews   (needs scikit-learn; after prep.py)
"""
import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from common import *
from sklearn.linear_model import Ridge
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
sets = sys.argv[1].split(",")
D = {s: load(s) for s in sets}
H = {s: (set(range(len(D[s]) // 2)), set(range(len(D[s]) // 2, len(D[s])))) for s in sets}
F2 = ["lead", "relpos", "aidx", "cent", "support", "wdf", "len", "num", "ents", "nart"]
Xtr = np.vstack([dataset(D[s], H[s][0], F2)[0] for s in sets]); ytr = np.concatenate([dataset(D[s], H[s][0], F2)[1] for s in sets])
print("train rows", len(ytr))
models = {"ridge": make_pipeline(StandardScaler(), Ridge(1.0)).fit(Xtr, ytr),
          "gbm": HistGradientBoostingRegressor(max_iter=150, learning_rate=0.05, max_leaf_nodes=8, min_samples_leaf=50).fit(Xtr, ytr)}
r = models["ridge"]; print("ridge", dict(zip(F2, np.round(r[-1].coef_ / r[0].scale_, 4))), round(r[-1].intercept_ - (r[-1].coef_ / r[0].scale_) @ r[0].mean_, 4))
for s in sets:
    C = D[s]; h1, h2 = H[s]
    print(f"\n{s}\n| variant | all R1 | all R2 | h1 R1 (train) | h1 R2 | h2 R1 (held out) | h2 R2 |")
    for p in ("lead", "lexrank"):
        a = peer(C, p); b = peer(C, p, h1); d = peer(C, p, h2)
        print(f"| {p} | {a[0]:.2f} | {a[1]:.2f} | {b[0]:.2f} | {b[1]:.2f} | {d[0]:.2f} | {d[1]:.2f} |", flush=True)
    row("mmr base", C, lambda c: select(c["pool"], salience(c["pool"], 0.35), c["budget"], 0.6), h1, h2)
    for pw in (0.35, 0.5):
        row(f"fill pw{pw}", C, lambda c, pw=pw: select_fill(c["pool"], salience(c["pool"], pw), c["budget"], 0.75), h1, h2)
    for m, model in models.items():
        for tau in (0.75,):
            row(f"{m} fill tau{tau}", C, lambda c, model=model, tau=tau: select_fill(c["pool"], np.maximum(model.predict(X(c, F2)), 1e-3), c["budget"], tau), h1, h2)
        row(f"{m} mmr", C, learned(model, F2), h1, h2)
