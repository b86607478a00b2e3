"""How far story grouping can go on the signals it has (issue 16): separability ceilings per set,
and what in-domain training of the pair scorer reaches on Multi-News. Diagnostic only: the oracle
columns choose thresholds (or cuts) on the set they are scored on, so they are upper bounds for
these signals and this clustering, not estimates for new stories.

Part 1, per set (AllSides val, the two dev draws of bench/grouping.py with and without the stories'
dates, the recession story, the first 100 Multi-News val clusters mixed, with the web-archive and
Twitter notice pages kept, isolated or left out), with the shipped pair model and scoring rules
(pipeline.stories.group_articles: 0.7 vector floor, 3-day rule where dates are known):

- NN cos / NN cand / NN all: share of articles (of those whose story has another article in the set)
  whose nearest neighbour is in their story: by combined-vector cosine; by the pair score among the
  shipped candidates (10 nearest at cosine >= 0.3); by the pair score among every other article at
  cosine >= 0.3 (the scorer was trained on such pairs only; below, it scores most pairs high).
- cand recall: share of those articles with a same-story article among their candidates.
- shipped: the shipped grouping (threshold 0.5), reproduced from a matrix of pair scores (checked
  equal to group_articles).
- oracle pair t / oracle emb t: the best ARI of the shipped clustering at any one pair threshold
  (0.05 to 0.95), and of the embedding grouping at any one cosine threshold (0.30 to 0.90), swept on
  the set itself.
- tree cut: the best ARI of any partition made of subtrees of the average-link tree over every pair's
  shipped score (0 below cosine 0.3; resp. over the cosines): what average link over these scores
  could give if it were cut perfectly, story by story. Found by keeping a subtree whole where its
  same-story pairs minus w times all its pairs beat its halves, best over a grid of w: a lower
  bound on the best cut, close to it.
- dates: the dated dev rows again with the day-gap rule at 0 to 14 days (each dev article carries its
  story's AllSides date, so every same-story pair is 0 days apart: these rows flatter real dates).
- recession: the largest group, and the highest thresholds keeping >= 32 of 34 together; for each
  dev row, the best ARI at a pair threshold that also keeps them (both sets' oracle at once).

Part 1b: the pair scorer fitted (shipped settings) on each set itself and scored on it, an upper bound
for what the 19 features can carry with a scorer of the shipped capacity that knew these very stories.

Part 2, in-domain pair models: the pair scorer trained exactly as shipped (bench/train_pair_scorer.py:
same features, LightGBM settings, candidates, inputs of 100 clusters plus the whole set) on Multi-News
val clusters instead of AllSides train, scored on Multi-News clusters it never saw: the first 100 mixed
(trained on clusters 100-249; also on AllSides train plus those), and 2-fold / 5-fold by cluster over
all 250 (each held-out fold grouped mixed, ARI averaged over folds), next to the shipped model on the
same mixes. Notice pages "kept" (in training and test like any page), "isolated" (out of training,
single-article stories when grouping) or "left out" (out of training and test).

    PYTHONPATH=. nice -n 10 python bench/grouping_ceiling.py [--mn-cache /work/cache-ceil16] [--skip-part1]
        [--skip-part2] [--no-allsides-train]

Multi-News clusters past the first 100 are read from --mn-cache (bench/group_data.py's store; make it
with `GROUP_CACHE=DIR python -c "import group_data; group_data.load('multinews', limit=250)"` from bench/).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import group_data
import grouping_learned as gl
import pair_lab

from pipeline import stories
from pipeline.stories import (
    CERTAIN_COSINE,
    MAX_DAYS_APART,
    MIN_COSINE,
    NEIGHBOURS,
    cluster,
)
from pipeline.stories.neighbours import nearest_pairs
from pipeline.stories.pairs import FEATURES, pair_features, term_index
from pipeline.stories.scorer import same_story_probability
from pipeline.stories.signals import article_signals, article_vectors, published_day

SHIPPED_THRESHOLD = 0.5
PAIR_GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)
COSINE_GRID = np.round(np.arange(0.30, 0.901, 0.025), 3)
WEIGHT_GRID = np.round(np.arange(0.02, 0.99, 0.02), 3)
# Pages that are not articles: web-archive crawl notices and descriptions, Twitter location notices,
# repeated verbatim across Multi-News clusters (bench/RESULTS.md, issue 16 session 2). Only short
# pages count, so an article that mentions the Wayback Machine is not one.
NOTICE = re.compile(r"Alexa Internet has been donating|These crawls are part of an effort|This crawl was run|"
                    r"The seed for (this crawl|Wide\d)|Crawl start date|Archive-IT service|"
                    r"location information to your Tweets|tweet with a location", re.IGNORECASE)
NOTICE_MAX_CHARS = 2000


def notices(data: group_data.LabelledSet) -> np.ndarray:
    return np.array([len(a.body) <= NOTICE_MAX_CHARS and bool(NOTICE.search(a.title + "\n" + a.body))
                     for a in data.articles])


class Scored:
    """One input with the pair score of every pair under the shipped rules, and its cosines."""

    def __init__(self, data: group_data.LabelledSet, predict=None, isolated: np.ndarray | None = None,
                 max_days: int = MAX_DAYS_APART) -> None:
        n = len(data.articles)
        self.data, self.n = data, n
        self.labels = np.asarray(data.labels)
        self.isolated = np.zeros(n, bool) if isolated is None else isolated
        vectors = article_vectors([data.sentence_vectors[a.id] for a in data.articles], data.title_vectors)
        index = term_index([article_signals(a) for a in data.articles])
        self.cos = vectors.combined @ vectors.combined.T
        self.rows, self.cols = nearest_pairs(vectors.combined, NEIGHBOURS, MIN_COSINE)
        iu, ju = np.triu_indices(n, 1)
        features = pair_features(vectors, index, iu, ju)
        p = same_story_probability(features) if predict is None else predict(features, iu, ju)
        # The shipped rules, in group_articles' order; then isolation (a page taken out of grouping).
        p = np.where(features[:, FEATURES.index("cos_combined")] >= CERTAIN_COSINE, 1.0, p)
        days = np.array([published_day(a.published) for a in data.articles])
        with np.errstate(invalid="ignore"):
            p = np.where(np.abs(days[iu] - days[ju]) > max_days, 0.0, p)
        p = np.where(self.isolated[iu] | self.isolated[ju], 0.0, p)
        self.p = np.eye(n)
        self.p[iu, ju] = p
        self.p[ju, iu] = p
        # The scorer only ever saw pairs at least MIN_COSINE similar (training candidates); far
        # below that it gives most pairs of different stories p >= 0.5 (dev 12 topics: 9,978 of
        # 12,732), so the whole-input views (NN all, tree cut) count those pairs as 0.
        self.p_domain = np.where(self.cos >= MIN_COSINE, self.p, 0.0)
        np.fill_diagonal(self.p_domain, 1.0)

    def group(self, threshold: float) -> list[list[int]]:
        """The shipped clustering over these scores (candidates, sets, average link)."""
        return cluster.group_scored(self.n, self.rows, self.cols, lambda r, c: self.p[r, c], threshold)

    def embedding_distances(self) -> np.ndarray:
        d = np.clip(1.0 - self.cos, 0.0, 2.0)
        d[self.isolated, :] = d[:, self.isolated] = 2.0
        np.fill_diagonal(d, 0.0)
        return d


def nearest_shares(s: Scored) -> dict[str, float]:
    """Shares of articles with a same-story partner whose nearest neighbour is in their story."""
    counts = Counter(s.labels.tolist())
    has_partner = np.array([counts[label] > 1 for label in s.labels]) & ~s.isolated
    cos = s.cos.copy()
    np.fill_diagonal(cos, -np.inf)
    cos[s.isolated, :] = cos[:, s.isolated] = -np.inf
    by_score = s.p_domain + 1e-6 * s.cos  # ties (the vector floor's 1.0s) go to the closer vector
    np.fill_diagonal(by_score, -np.inf)
    candidates = np.full((s.n, s.n), -np.inf)
    candidates[s.rows, s.cols] = by_score[s.rows, s.cols]
    candidates[s.cols, s.rows] = by_score[s.cols, s.rows]
    same = s.labels[:, None] == s.labels[None, :]
    in_candidates = np.isfinite(candidates) & same
    out = {}
    for name, matrix in (("nn_cos", cos), ("nn_cand", candidates), ("nn_all", by_score)):
        best = matrix.argmax(axis=1)
        hit = (s.labels[best] == s.labels) & np.isfinite(matrix[np.arange(s.n), best]) & (s.p_domain[np.arange(s.n), best] > 0)
        if name == "nn_cos":
            hit = s.labels[best] == s.labels
        out[name] = float(hit[has_partner].mean())
    out["cand_recall"] = float(in_candidates.any(axis=1)[has_partner].mean())
    out["with_partner"] = int(has_partner.sum())
    return out


def labels_of(groups: list[list[int]], n: int) -> np.ndarray:
    predicted = np.empty(n, int)
    for g, members in enumerate(groups):
        predicted[members] = g
    return predicted


def best_tree_cut(distances: np.ndarray, labels: np.ndarray) -> list[list[int]]:
    """The partition into subtrees of the average-link tree over `distances` that scores best
    (ARI) against `labels`: for each weight w, each subtree is kept whole where its same-story
    pairs minus w times all its pairs beat the best of its two halves (bottom up)."""
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform
    from sklearn.metrics import adjusted_rand_score

    n = len(labels)
    merges = linkage(squareform(distances, checks=False), method="average")
    counts = [Counter([int(x)]) for x in labels] + [None] * (n - 1)
    same_pairs, all_pairs = np.zeros(2 * n - 1), np.zeros(2 * n - 1)
    children = np.zeros((2 * n - 1, 2), int)
    for step, (a, b, _h, size) in enumerate(merges):
        node, a, b = n + step, int(a), int(b)
        counts[node] = counts[a] + counts[b]
        same_pairs[node] = sum(c * (c - 1) / 2 for c in counts[node].values())
        all_pairs[node] = size * (size - 1) / 2
        children[node] = (a, b)
    best, best_ari = [list(range(n))], -1.0
    for w in WEIGHT_GRID:
        value = same_pairs - w * all_pairs
        score, whole = value.copy(), np.ones(2 * n - 1, bool)
        for node in range(n, 2 * n - 1):
            split = score[children[node, 0]] + score[children[node, 1]]
            if split > value[node]:
                score[node], whole[node] = split, False
        groups, stack = [], [2 * n - 2]
        while stack:
            node = stack.pop()
            if node < n or whole[node]:
                groups.append(_leaves(node, n, children))
            else:
                stack += children[node].tolist()
        ari = adjusted_rand_score(labels, labels_of(groups, n))
        if ari > best_ari:
            best, best_ari = groups, ari
    return best


def _leaves(node: int, n: int, children: np.ndarray) -> list[int]:
    out, stack = [], [node]
    while stack:
        x = stack.pop()
        if x < n:
            out.append(x)
        else:
            stack += children[x].tolist()
    return out


def sweep(s: Scored) -> dict:
    """Shipped threshold, best single pair threshold, best single cosine threshold, best tree cuts."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    score = lambda groups: pair_lab.score(groups, s.data)
    out = {"shipped": score(s.group(SHIPPED_THRESHOLD))}
    pair = [(score(s.group(t)), t) for t in PAIR_GRID]
    out["pair_all"] = pair
    out["pair_t"] = max(pair, key=_best_first)
    tree = linkage(squareform(s.embedding_distances(), checks=False), method="average")
    emb = []
    for t in COSINE_GRID:
        flat = fcluster(tree, t=1.0 - t, criterion="distance")
        emb.append((score(_groups_of(flat)), t))
    out["emb_t"] = max(emb, key=lambda x: x[0]["ari"])
    p_distance = 1.0 - s.p_domain
    np.fill_diagonal(p_distance, 0.0)
    out["cut_pair"] = score(best_tree_cut(p_distance, s.labels))
    out["cut_emb"] = score(best_tree_cut(s.embedding_distances(), s.labels))
    out["largest"] = {t: max(map(len, s.group(t))) for t in PAIR_GRID}
    out["largest_emb"] = {t: int(np.bincount(fcluster(tree, t=1.0 - t, criterion="distance")).max()) for t in COSINE_GRID}
    return out


def _best_first(result: tuple[dict, float]) -> tuple[float, float]:
    """Best ARI; among equals, the threshold nearest the shipped one."""
    return result[0]["ari"], -abs(result[1] - SHIPPED_THRESHOLD)


def _groups_of(flat: np.ndarray) -> list[list[int]]:
    groups: dict[int, list[int]] = {}
    for i, g in enumerate(flat):
        groups.setdefault(int(g), []).append(i)
    return list(groups.values())


def cell(r: dict, t: float | None = None) -> str:
    at = f" @{t:.3g}" if t is not None else ""
    return f"{r['ari']:.3f}{at}, {r['exact']} ex, {r['merged_same_topic']}/{r['merged_other_topic']} m"


def part1(multinews: group_data.LabelledSet) -> dict:
    dev = group_data.load("dev")
    dev12, dev20 = pair_lab.dev_draw(dev, 60, 5), pair_lab.dev_draw(dev, 60, 3)
    mn_notice = notices(multinews)
    keep = [i for i in range(len(multinews.articles)) if not mn_notice[i]]
    sets = {
        "AllSides val (307)": (gl.without_dates(group_data.load("val")), None),
        "dev 12 topics": (gl.without_dates(dev12), None),
        "dev 12 topics, dates": (dev12, None),
        "dev 20 topics": (gl.without_dates(dev20), None),
        "dev 20 topics, dates": (dev20, None),
        "Multi-News val 100": (multinews, None),
        f"Multi-News val 100, {int(mn_notice.sum())} notices isolated": (multinews, mn_notice),
        "Multi-News val 100, notices left out": (group_data.subset(multinews, keep), None),
    }
    print("| set | articles / stories | NN cos | NN cand | NN all | cand recall | shipped (t 0.5) "
          "| oracle pair t | oracle emb t | tree cut, pair scores | tree cut, cosines |")
    print("|---|---|---:|---:|---:|---:|---|---|---|---|---|")
    results = {}
    for name, (data, isolated) in sets.items():
        t0 = time.perf_counter()
        s = Scored(data, isolated=isolated)
        if isolated is None and name.startswith("dev 12"):
            # The matrix reproduces the shipped grouping exactly.
            shipped = stories.group_articles(data.articles, data.sentence_vectors, data.title_vectors,
                                             [article_signals(a) for a in data.articles], SHIPPED_THRESHOLD)
            assert shipped == s.group(SHIPPED_THRESHOLD), name
        nn, r = nearest_shares(s), sweep(s)
        results[name] = r
        print(f"| {name} | {len(data.articles)} / {len(set(data.labels))} | {nn['nn_cos']:.3f} | {nn['nn_cand']:.3f} "
              f"| {nn['nn_all']:.3f} | {nn['cand_recall']:.3f} | {cell(r['shipped'])} | {cell(*r['pair_t'])} "
              f"| {cell(*r['emb_t'])} | {cell(r['cut_pair'])} | {cell(r['cut_emb'])} |", flush=True)
        print(f"  ({name}: {time.perf_counter() - t0:.1f} s)", file=sys.stderr, flush=True)
    recession = Scored(group_data.load("recession"))
    rr = sweep(recession)
    n = len(recession.labels)
    top_pair = max((t for t, m in rr["largest"].items() if m >= 32), default=None)
    top_emb = max((t for t, m in rr["largest_emb"].items() if m >= 32), default=None)
    print(f"\nrecession ({n} articles, one story): largest group {rr['largest'][SHIPPED_THRESHOLD]} at the shipped 0.5; "
          f">= 32 together up to pair threshold {top_pair} (embedding threshold {top_emb}); the NN shares are 1 by construction.")
    for name in ("dev 12 topics", "dev 20 topics", "dev 12 topics, dates", "dev 20 topics, dates"):
        t = results[name]["pair_t"][1]
        joint = max(((r["ari"], x) for r, x in results[name]["pair_all"] if rr["largest"][x] >= 32), default=(float("nan"), None))
        print(f"{name}: at its oracle pair threshold {t:.3g} the recession story's largest group is {rr['largest'][t]} of {n}; "
              f"best ARI at a threshold keeping >= 32 of {n} together: {joint[0]:.3f} (t {joint[1]})")
    print("\n| dev draw, dates | pairs further apart than | shipped (t 0.5) | oracle pair t | tree cut, pair scores |")
    print("|---|---|---|---|---|")
    for name in ("dev 12 topics, dates", "dev 20 topics, dates"):
        for days in (0, 1, 3, 7, 14):
            r = light_sweep(Scored(sets[name][0], max_days=days))
            print(f"| {name} | {days} days score 0 | {cell(r['shipped'])} | {cell(*r['pair_t'])} | {cell(r['cut_pair'])} |", flush=True)
    return results, sets


def in_sample(sets: dict) -> None:
    """The pair scorer fitted (shipped settings) on each set itself and scored on it: how far the 19
    features could carry a scorer that knew these very stories (an upper bound, not an estimate)."""
    print("\n| set | in-sample scorer: NN cand | ARI at 0.5 (exact, merges) | oracle pair t | tree cut |")
    print("|---|---:|---|---|---|")
    for name, (data, isolated) in sets.items():
        keep = [i for i in range(len(data.articles)) if isolated is None or not isolated[i]]
        booster, _pos, _neg = train_in_domain(group_data.subset(data, keep))
        scored = Scored(data, predict=lambda f, r, c, b=booster: b.predict(f), isolated=isolated)
        r = light_sweep(scored)
        print(f"| {name} | {nearest_shares(scored)['nn_cand']:.3f} | {cell(r['shipped'])} | {cell(*r['pair_t'])} | {cell(r['cut_pair'])} |", flush=True)


def light_sweep(s: Scored) -> dict:
    score = lambda groups: pair_lab.score(groups, s.data)
    pair = [(score(s.group(t)), t) for t in PAIR_GRID]
    p_distance = 1.0 - s.p_domain
    np.fill_diagonal(p_distance, 0.0)
    return {"shipped": score(s.group(SHIPPED_THRESHOLD)), "pair_t": max(pair, key=_best_first),
            "cut_pair": score(best_tree_cut(p_distance, s.labels))}


def train_in_domain(train_set: group_data.LabelledSet):
    import train_pair_scorer

    booster, positives, negatives = train_pair_scorer.train(train_set, NEIGHBOURS, MIN_COSINE, 100)
    return booster, positives, negatives


def _offset_labels(data: group_data.LabelledSet, offset: int) -> group_data.LabelledSet:
    """The same articles with story labels moved past another set's (to train on both at once)."""
    moved = group_data.subset(data, list(range(len(data.articles))))
    moved.labels = [label + offset for label in data.labels]
    return moved


def _join(a: group_data.LabelledSet, b: group_data.LabelledSet) -> group_data.LabelledSet:
    return group_data.LabelledSet(
        articles=a.articles + b.articles, labels=a.labels + b.labels,
        sentence_vectors={**a.sentence_vectors, **b.sentence_vectors},
        title_vectors=np.vstack([a.title_vectors, b.title_vectors]), topics=a.topics + b.topics,
        dates=a.dates + b.dates, story_ids=a.story_ids + b.story_ids,
    )


def part2(full: group_data.LabelledSet, allsides_train: group_data.LabelledSet | None,
          folds_list: tuple[int, ...] = (2, 5)) -> None:
    """In-domain pair models on Multi-News val against the shipped one, on the same held-out mixes.
    Notices "kept": in training and test as any page; "isolated": out of training, single-article
    stories in the test mix; "left out": out of training and test (as an ingest skipping them)."""
    labels = np.asarray(full.labels)
    notice = notices(full)
    clusters = np.array(sorted(set(full.labels)))
    order = np.random.default_rng(0).permutation(clusters)
    print("\n| Multi-News test mixes | notices | pair model | trained on | ARI at 0.5 (exact) | oracle pair t | tree cut |")
    print("|---|---|---|---|---|---|---|")
    splits = [("first 100 clusters mixed", [(clusters[clusters < 100], clusters[clusters >= 100])])]
    for k in folds_list:
        parts = [order[f::k] for f in range(k)]
        splits.append((f"{k} folds of {len(clusters)} clusters, each mixed ({len(parts[0])} clusters)",
                       [(part, np.setdiff1d(clusters, part)) for part in parts]))
    for title, folds in splits:
        for mode in ("kept", "isolated", "left out"):
            rows: dict[str, list[dict]] = {"shipped": [], "in-domain": []}
            trained: dict[str, list[str]] = {"shipped": ["1,658 AllSides train clusters"], "in-domain": []}
            for test_clusters, train_clusters in folds:
                test_idx = [i for i in range(len(labels)) if labels[i] in set(test_clusters.tolist())
                            and not (mode == "left out" and notice[i])]
                train_idx = [i for i in range(len(labels)) if labels[i] in set(train_clusters.tolist())
                             and not (mode != "kept" and notice[i])]
                test = group_data.subset(full, test_idx)
                isolated = notice[test_idx] if mode == "isolated" else None
                in_domain = group_data.subset(full, train_idx)
                models = {"in-domain": in_domain}
                if allsides_train is not None and len(folds) == 1:
                    models["AllSides train + in-domain"] = _join(allsides_train, _offset_labels(in_domain, 10**6))
                rows["shipped"].append(light_sweep(Scored(test, isolated=isolated)))
                for model, train_set in models.items():
                    booster, pos, neg = train_in_domain(train_set)
                    trained.setdefault(model, []).append(f"{len(set(train_set.labels))} clusters, {pos}+/{neg}-")
                    rows.setdefault(model, []).append(light_sweep(
                        Scored(test, predict=lambda f, r, c, b=booster: b.predict(f), isolated=isolated)))
            for model, results in rows.items():
                mean = {key: np.mean([r[key]["ari"] if key != "pair_t" else r[key][0]["ari"] for r in results])
                        for key in ("shipped", "pair_t", "cut_pair")}
                exact = sum(r["shipped"]["exact"] for r in results)
                thresholds = "/".join(f"{r['pair_t'][1]:.3g}" for r in results)
                source = "; ".join(trained[model])
                print(f"| {title} | {mode} | {model} | {source} | {mean['shipped']:.3f} ({exact} ex) "
                      f"| {mean['pair_t']:.3f} @{thresholds} | {mean['cut_pair']:.3f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mn-cache", type=Path, default=Path("/work/cache-ceil16"),
                        help="bench/group_data.py store holding Multi-News val clusters 100-249")
    parser.add_argument("--skip-part1", action="store_true")
    parser.add_argument("--skip-part2", action="store_true")
    parser.add_argument("--no-allsides-train", action="store_true",
                        help="skip the model trained on AllSides train plus Multi-News (slowest part)")
    args = parser.parse_args()
    multinews = group_data.load("multinews", limit=100, cached_only=True)
    if not args.skip_part1:
        _results, sets = part1(multinews)
        in_sample(sets)
    if not args.skip_part2:
        shared = group_data.CACHE
        group_data.CACHE = args.mn_cache
        try:
            full = group_data.load("multinews", limit=250, cached_only=True)
        finally:
            group_data.CACHE = shared
        print(f"\nMulti-News val: {len(full.articles)} articles of {len(set(full.labels))} clusters "
              f"({int(notices(full).sum())} notice pages)", flush=True)
        allsides_train = None if args.no_allsides_train else group_data.load("train", cached_only=True)
        part2(full, allsides_train)


if __name__ == "__main__":
    main()
