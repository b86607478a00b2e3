"""Exhaustive search (AllSides-size pools): the non-redundant subset with the most salience^power x words."""
import numpy as np
from pipeline.digest.pool import salience


def subset_search(c, pw=0.35, tau=0.62, power=1.0, maxn=14):
    pool, b = c["pool"], c["budget"]
    sc = salience(pool, pw)
    order = list(np.argsort(-sc))[:maxn]
    W = [s.words for s in pool.sentences]
    sims = pool.vectors @ pool.vectors.T
    best, bestv = [], -1.0

    def rec(start, chosen, words, val):
        nonlocal best, bestv
        if val > bestv:
            best, bestv = list(chosen), val
        if len(chosen) >= b.max_sentences:
            return
        for k in range(start, len(order)):
            i = order[k]
            if words + W[i] > b.max_words or any(sims[i, j] >= tau for j in chosen):
                continue
            chosen.append(i)
            rec(k + 1, chosen, words + W[i], val + (sc[i] ** power) * W[i])
            chosen.pop()

    rec(0, [], 0, 0.0)
    return sorted(best, key=lambda i: -sc[i])
