"""Selection ideas on the prepared dev clusters, scored on each half (first half: tune, second: confirm).

Usage: PYTHONPATH=. python bench/extractive_ideas/sweep.py SET [SET...]   (after prep.py)
Rows: R1/R2 on all clusters, the first half and the second half, beside lead and lexrank from prep.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import *  # noqa: E402,F403

from knapsack_search import subset_search  # noqa: E402


def mmr(c, pw=0.35, rw=0.6, extra=None, a=0.0):
    sc = salience(c["pool"], pw) + (a * c["f"][extra] if extra else 0.0)
    return select(c["pool"], sc, c["budget"], rw)


def fill(c, pw=0.35, tau=0.75, ws=0.0, extra=None, a=0.0):
    sc = salience(c["pool"], pw, ws) + (a * c["f"][extra] if extra else 0.0)
    return select_fill(c["pool"], sc, c["budget"], tau)


def norm(x):
    lo, hi = x.min(), x.max()
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


VARIANTS = {
    "mmr pw0.35 rw0.6 (old default)": lambda c: mmr(c),
    **{f"mmr rw{rw}": (lambda c, rw=rw: mmr(c, rw=rw)) for rw in (0.3, 0.45, 0.75)},
    **{f"mmr pw{pw}": (lambda c, pw=pw: mmr(c, pw=pw)) for pw in (0.2, 0.5)},
    **{f"mmr +{a} stemmed word-df": (lambda c, a=a: mmr(c, extra="wdf", a=a)) for a in (0.5, 1.0, 2.0)},
    **{f"mmr +{a} normalised tf (SumBasic)":
       (lambda c, a=a: select(c["pool"], salience(c["pool"], 0.35) + a * norm(c["f"]["wf"]), c["budget"], 0.6))
       for a in (0.5, 1.0)},
    **{f"exact subset tau{t} pow{p}": (lambda c, t=t, p=p: subset_search(c, tau=t, power=p))
       for t in (0.5, 0.62, 0.75) for p in (1.0, 3.0, 6.0)},
    **{f"fill pw{pw} ws{ws} tau{t}": (lambda c, pw=pw, ws=ws, t=t: fill(c, pw, t, ws))
       for pw in (0.2, 0.35, 0.5, 0.65) for ws in (0.0, 0.5, 1.0, 2.0) for t in (0.65, 0.7, 0.75, 0.8, 0.85)},
}

if __name__ == "__main__":
    for name in sys.argv[1:]:
        C = load(name)
        n = len(C)
        h1, h2 = set(range(n // 2)), set(range(n // 2, n))
        print(f"\n{name}\n| variant | all R1 | all R2 | h1 R1 | h1 R2 | h2 R1 | h2 R2 |\n|---|---|---|---|---|---|---|")
        for p in ("lead", "lexrank"):
            a, b, d = peer(C, p), peer(C, p, h1), peer(C, p, h2)
            print(f"| {p} | {a[0]:.2f} | {a[1]:.2f} | {b[0]:.2f} | {b[1]:.2f} | {d[0]:.2f} | {d[1]:.2f} |", flush=True)
        for label_, fn in VARIANTS.items():
            if label_.startswith("exact") and name != "allsides":
                continue  # exhaustive search is for AllSides' few sentences only
            row(label_, C, fn, h1, h2)
