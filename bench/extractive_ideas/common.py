"""Shared helpers: load prepared clusters, features, labels, scoring on the two halves of a set."""
import os
import pickle, re, sys, statistics, math
from collections import Counter
import numpy as np
from pipeline.digest.pool import build_pool, salience, support
from pipeline.digest.select import select, select_fill
from pipeline.config import Settings, Budget
from pipeline.eval.scoring import rouge_scores, rouge_scorer as _scorer
from rouge_score import tokenize
from nltk.stem import porter

scorer = _scorer()
stem = porter.PorterStemmer()
STOP = set("a an the of to in on for and or but is are was were be been being it its this that these those with as at by from has have had he she they them his her their we our you your i not no will would can could should may might do does did than then there here also about after before into over under more most so such just said says say".split())
_cache = {}
def toks(text):
    r = _cache.get(text)
    if r is None:
        r = [stem.stem(w) if len(w) > 3 else w for w in tokenize.tokenize(text, None)]
        _cache[text] = r
    return r

def features(c):
    pool = c["pool"]
    n = len(pool.sentences)
    arts = list(dict.fromkeys(pool.article_ids))
    aidx = np.array([arts.index(a) for a in pool.article_ids])
    # doc frequency of content words across articles
    df = Counter()
    tf = Counter()
    for a in arts:
        words = set()
        for i in range(n):
            if pool.article_ids[i] == a:
                ws = [w for w in toks(pool.sentences[i].text) if w not in STOP]
                words.update(ws); tf.update(ws)
    for a in arts:
        pass
    art_words = {a: set(w for i in range(n) if pool.article_ids[i] == a for w in toks(pool.sentences[i].text) if w not in STOP) for a in arts}
    for a in arts:
        df.update(art_words[a])
    total = sum(tf.values()) or 1
    k = len(arts)
    f = {}
    f["pos"] = np.array(pool.positions, float)
    f["lead"] = 1 / np.sqrt(1 + f["pos"])
    f["aidx"] = aidx.astype(float)
    cen = pool.vectors.mean(0); cen /= np.linalg.norm(cen) or 1
    f["cent"] = pool.vectors @ cen
    f["support"] = support(pool)
    wf, wdf, cover = [], [], []
    for i in range(n):
        ws = [w for w in toks(pool.sentences[i].text) if w not in STOP]
        wf.append(np.mean([tf[w] / total for w in ws]) * 100 if ws else 0)
        wdf.append(np.mean([df[w] / k for w in ws]) if ws else 0)
    f["wf"] = np.array(wf); f["wdf"] = np.array(wdf)
    f["len"] = np.array([s.words for s in pool.sentences], float)
    f["num"] = np.array([bool(re.search(r"\d", s.text)) for s in pool.sentences], float)
    f["quote"] = np.array([('"' in s.text or '“' in s.text) for s in pool.sentences], float)
    f["ents"] = np.array([len(s.entities) for s in pool.sentences], float)
    f["nart"] = np.full(n, float(k))
    f["relpos"] = f["pos"] / np.array([sum(1 for x in pool.article_ids if x == a) for a in pool.article_ids])
    return f

def load(name):
    data = pickle.load(open(os.path.join(os.environ.get("IDEAS_CACHE", "/tmp/evq"), f"{name}.pkl"), "rb"))
    out = []
    for c in data:
        if c is None: out.append(None); continue
        c["pool"] = build_pool(c["articles"], c["vectors"])
        c["f"] = features(c)
        out.append(c)
    return out

def evaluate(clusters, select_fn, idx=None):
    r1, r2 = [], []
    for j, c in enumerate(clusters):
        if idx is not None and j not in idx: continue
        if c is None: r1.append(0); r2.append(0); continue
        picked = select_fn(c)
        text = " ".join(c["pool"].sentences[i].text for i in picked)
        s = rouge_scores(text, c["reference"], scorer)
        r1.append(s["rouge1"]); r2.append(s["rouge2"])
    return statistics.mean(r1), statistics.mean(r2)

def peer(clusters, name, idx=None):
    r1, r2 = [], []
    for j, c in enumerate(clusters):
        if idx is not None and j not in idx: continue
        if c is None: r1.append(0); r2.append(0); continue
        r1.append(c["peers"][name]["rouge1"]); r2.append(c["peers"][name]["rouge2"])
    return statistics.mean(r1), statistics.mean(r2)
from pipeline.config import Settings
cfg = Settings().summary
FEATS = ["lead", "pos", "relpos", "aidx", "cent", "support", "wdf", "wf", "len", "num", "quote", "ents", "nart", "sal"]

def label(c):
    ref = toks(c["reference"]); U = set(ref); B = set(zip(ref, ref[1:]))
    y = []
    for s in c["pool"].sentences:
        t = toks(s.text)
        p1 = sum(w in U for w in t) / max(1, len(t))
        bg = list(zip(t, t[1:]))
        p2 = sum(b in B for b in bg) / max(1, len(bg))
        y.append(p1 + p2)
    return np.array(y)

def X(c, feats=FEATS):
    f = dict(c["f"]); f["sal"] = salience(c["pool"], cfg.position_weight)
    return np.column_stack([f[k] for k in feats])

def dataset(C, idx, feats=FEATS):
    xs, ys = [], []
    for j in sorted(idx):
        c = C[j]
        if c is None: continue
        xs.append(X(c, feats)); ys.append(label(c))
    return np.vstack(xs), np.concatenate(ys)

def norm(x):
    lo, hi = x.min(), x.max()
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)

def learned(model, feats=FEATS, rw=0.6, scale=norm):
    return lambda c: select(c["pool"], scale(model.predict(X(c, feats))), c["budget"], rw)

def row(label_, C, fn, h1, h2):
    n = sum(1 for _ in C)
    b = evaluate(C, fn, h1); d = evaluate(C, fn, h2)
    a = ((b[0] * len(h1) + d[0] * len(h2)) / n, (b[1] * len(h1) + d[1] * len(h2)) / n)
    print(f"| {label_} | {a[0]:.2f} | {a[1]:.2f} | {b[0]:.2f} | {b[1]:.2f} | {d[0]:.2f} | {d[1]:.2f} |", flush=True)
