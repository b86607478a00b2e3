"""Learned story grouping: signals per article, the pair model file, nearest-pair search, and the
grouping of a real mixed set (tests/data/stories_mixed.jsonl: three AllSides Coronavirus stories of
autumn 2021 and one Supreme Court story, left/centre/right lead paragraphs from
allsides_stories_dev.jsonl; no dev story is in the pair model's training data)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipeline import stories
from pipeline.config import Settings
from pipeline.domain import Article, Entity, Sentence
from pipeline.stories import cluster, neighbours, scorer
from pipeline.stories.pairs import FEATURES, pair_features, term_index
from pipeline.stories.signals import article_signals, article_vectors, published_day
from tests.conftest import DATA


def _article(i: int, title: str, sentences: list[tuple[str, list[tuple[str, str]]]], published: str = "") -> Article:
    return Article(
        f"a{i}", title, f"<{i}>", f"sha{i}", " ".join(t for t, _ in sentences),
        tuple(Sentence(k, text, tuple(Entity(e, label) for e, label in ents)) for k, (text, ents) in enumerate(sentences)),
        published=published,
    )


def test_signals_name_people_by_surname_and_keep_kinds_apart():
    article = _article(0, "Biden signs the bill", [
        ("President Joe Biden signed the $1.2 trillion bill in Washington.", [("Joe Biden", "PERSON"), ("Washington", "GPE")]),
        ("Biden thanked the Senate.", [("Biden", "PERSON"), ("the Senate", "ORG")]),
    ])
    found = article_signals(article)
    assert found["people"] == ["biden"]
    assert found["places"] == ["washington"] and found["organisations"] == ["senate"]
    assert "1.2" in found["numbers"] and "signed" in found["words"] and "the" not in found["words"]
    assert json.loads(json.dumps(found)) == found  # cacheable as JSON


def test_publication_day_reads_iso_and_rfc822_and_leaves_the_rest_unknown():
    assert published_day("2022-07-13T10:00:00Z") == published_day("Wed, 13 Jul 2022 10:00:00 GMT")
    assert published_day("2022-07-16") - published_day("2022-07-13") == 3
    assert np.isnan(published_day("")) and np.isnan(published_day("last week"))


def test_shared_rare_names_weigh_more_than_shared_common_ones():
    common = [("Congress met.", [("Congress", "ORG")])]
    articles = [
        _article(0, "x", [("Merck asked the FDA.", [("Merck", "ORG"), ("FDA", "ORG")])] + common),
        _article(1, "y", [("Merck filed.", [("Merck", "ORG")])] + common),
        _article(2, "z", [("Congress voted.", [("Congress", "ORG")])]),
        _article(3, "w", [("Congress left.", [("Congress", "ORG")])]),
    ]
    vectors = article_vectors([np.eye(4)[[i, i]] for i in range(4)], np.eye(4))
    features = pair_features(vectors, term_index([article_signals(a) for a in articles]), np.array([0, 2]), np.array([1, 3]))
    shared = features[:, FEATURES.index("organisations_shared")]
    assert shared[0] > shared[1] > 0  # Merck + Congress against Congress alone (in every article but one)


def test_pair_model_trained_on_other_features_is_refused(tmp_path):
    import lightgbm

    x = np.random.default_rng(0).random((200, 3))
    other = lightgbm.train({"objective": "binary", "verbose": -1, "num_threads": 1},
                           lightgbm.Dataset(x, (x[:, 0] > 0.5).astype(float), feature_name=["a", "b", "c"]), 3)
    path = tmp_path / "story_pairs.txt"
    other.save_model(str(path))
    with pytest.raises(scorer.PairModelError, match="trained on features"):
        scorer.load_pair_model(path)
    with pytest.raises(scorer.PairModelError, match="not found"):
        scorer.load_pair_model(tmp_path / "missing.txt")


def test_shipped_pair_model_says_what_trained_it():
    header = scorer.model_header()
    assert header["features"].split(",") == list(FEATURES)
    assert "allsides_roundup_train" in header["trained_on"] and header["script"].startswith("bench/train_pair_scorer.py")
    assert tuple(scorer.load_pair_model().feature_name()) == FEATURES


def _clustered(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n // 10, 64))
    return neighbours.unit_rows(centres[rng.integers(0, len(centres), n)] + rng.normal(scale=0.5, size=(n, 64)))


@pytest.mark.parametrize("seed", range(3))
def test_nearest_pairs_are_the_same_from_every_pair_and_hnsw_search(seed, monkeypatch):
    vectors = _clustered(seed, 1500)
    exact = neighbours.nearest_pairs(vectors, 10, 0.3)
    monkeypatch.setattr(neighbours, "EXACT_NEIGHBOURS_UP_TO", 0)
    approximate = neighbours.nearest_pairs(vectors, 10, 0.3)
    found, truth = set(zip(*map(np.ndarray.tolist, approximate))), set(zip(*map(np.ndarray.tolist, exact)))
    assert len(found & truth) >= 0.99 * len(truth) and len(found) <= 1.01 * len(truth)
    rows, cols = exact
    assert np.all(rows < cols) and np.all(np.einsum("ij,ij->i", vectors[rows], vectors[cols]) >= 0.3 - 1e-6)
    assert np.bincount(np.concatenate(exact), minlength=len(vectors)).max() <= 10 * 12  # about k per article


def test_average_link_over_scored_pairs_needs_the_group_to_agree_on_average():
    # 0-1 and 1-2 score high, 0-2 low: a chain, average (0.9 + 0.1) / 2 = 0.5 between {0,1} and {2}.
    table = {(0, 1): 0.95, (1, 2): 0.9, (0, 2): 0.1, (3, 4): 0.8}

    def score(rows, cols):
        return np.array([table.get((r, c), 0.0) for r, c in zip(rows.tolist(), cols.tolist())])

    rows, cols = np.array([0, 1, 0, 3]), np.array([1, 2, 2, 4])
    assert cluster.group_scored(6, rows, cols, score, 0.6) == [[0, 1], [3, 4], [2], [5]]
    assert cluster.group_scored(6, rows, cols, score, 0.5) == [[0, 1, 2], [3, 4], [5]]


def test_large_sets_link_over_their_candidate_pairs_and_huge_ones_stay_whole(monkeypatch):
    table = {(0, 1): 0.95, (1, 2): 0.9, (0, 2): 0.1, (3, 4): 0.8}

    def score(rows, cols):
        return np.array([table.get((r, c), 0.0) for r, c in zip(rows.tolist(), cols.tolist())])

    rows, cols = np.array([0, 1, 0, 3]), np.array([1, 2, 2, 4])
    monkeypatch.setattr(cluster, "SCORE_EVERY_PAIR_UP_TO", 2)
    assert cluster.group_scored(6, rows, cols, score, 0.6) == [[0, 1], [3, 4], [2], [5]]
    # Without the 0-2 candidate, the missing pair counts as probability 0: (0.9 + 0) / 2 = 0.45 on average.
    assert cluster.group_scored(6, rows[[0, 1, 3]], cols[[0, 1, 3]], score, 0.5) == [[0, 1], [3, 4], [2], [5]]
    assert cluster.group_scored(6, rows[[0, 1, 3]], cols[[0, 1, 3]], score, 0.44) == [[0, 1, 2], [3, 4], [5]]
    monkeypatch.setattr(cluster, "LINK_UP_TO", 2)
    assert cluster.group_scored(6, rows, cols, score, 0.6) == [[0, 1, 2], [3, 4], [5]]


def _mixed_set() -> tuple[list[dict], list[int]]:
    rows = [json.loads(line) for line in (DATA / "stories_mixed.jsonl").read_text(encoding="utf-8").splitlines()]
    items, labels = [], []
    for row in rows:
        for side in ("left", "center", "right"):
            items.append(row["news"][side] | {"date": row["date"]})
            labels.append(row["id"])
    return items, labels


@pytest.mark.models
def test_three_related_stories_and_one_unrelated_are_grouped_exactly(real_bundle, nlp):
    from pipeline.ingest.clean import clean_body
    from pipeline.nlp.analyse import analyse

    items, labels = _mixed_set()
    bodies = [clean_body("\n".join(item["newBody"])) for item in items]
    analysed = analyse(bodies, nlp)
    articles = [Article(f"a{i}", item["newsTitle"], f"<{i}>", f"sha{i}", body, sentences)
                for i, (item, body, sentences) in enumerate(zip(items, bodies, analysed))]
    embedder = real_bundle.embedder
    sentence_vectors = {a.id: embedder.embed([s.text for s in a.sentences]) for a in articles}
    titles = embedder.embed([a.title for a in articles])
    signals = [article_signals(a) for a in articles]
    threshold = Settings().stories.pair_threshold
    groups = stories.group_articles(articles, sentence_vectors, titles, signals, threshold)
    truth = sorted(sorted(i for i, label in enumerate(labels) if label == story) for story in set(labels))
    assert sorted(groups) == truth
    assert stories.group_articles(articles, sentence_vectors, titles, signals, threshold) == groups  # deterministic
    # With the stories' dates (weeks apart here) the grouping stays exact.
    dated = [Article(a.id, a.title, a.path, a.sha256, a.body, a.sentences, published=item["date"])
             for a, item in zip(articles, items)]
    assert sorted(stories.group_articles(dated, sentence_vectors, titles, signals, threshold)) == truth


def _nearest_by_sorting_every_row(vectors: np.ndarray, k: int, floor: float) -> set[tuple[int, int]]:
    """Reference: each row's k most similar others at least `floor` similar, ties by lower index."""
    sims = vectors @ vectors.T
    found = set()
    for i in range(len(vectors)):
        others = [j for j in range(len(vectors)) if j != i and sims[i, j] >= floor]
        for j in sorted(others, key=lambda j: (-sims[i, j], j))[:k]:
            found.add((min(i, j), max(i, j)))
    return found


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("spread", [2, 1000])
@pytest.mark.parametrize("tile", [(16, 40), (16, 512), (512, 16)])
def test_exact_nearest_pairs_match_sorting_every_row_across_tiles_and_ties(seed, spread, tile, monkeypatch):
    # Integer vectors: every dot product is exact in float32, so ties are real ties (duplicates,
    # equal scores; many at spread 2, few at 1000) and any tile layout must break them alike.
    rng = np.random.default_rng(seed)
    vectors = rng.integers(-spread, spread + 1, size=(230, 6)).astype(np.float32)
    vectors[::17] = vectors[1::17][: len(vectors[::17])]  # exact duplicates
    monkeypatch.setattr(neighbours, "_TILE_ROWS", tile[0])
    monkeypatch.setattr(neighbours, "_TILE_COLUMNS", tile[1])
    for k, floor in [(3, spread**2 / 2), (10, 2.0 * spread**2), (5, -1e9)]:  # the last: every pair passes
        rows, cols = neighbours.nearest_pairs(vectors, k, floor)
        assert set(zip(rows.tolist(), cols.tolist())) == _nearest_by_sorting_every_row(vectors, k, floor)
        assert np.all(rows < cols)


def test_two_groups_join_only_at_the_group_threshold_while_an_article_joins_at_the_pair_threshold():
    # Groups {0,1} and {2,3}: every pair across scores 0.55. Article 4 scores 0.55 with both of
    # the group {5,6}; articles 7 and 8 score 0.55 with each other.
    table = {(0, 1): 0.95, (2, 3): 0.95, (5, 6): 0.95, (4, 5): 0.55, (4, 6): 0.55, (7, 8): 0.55}
    table.update({(a, b): 0.55 for a in (0, 1) for b in (2, 3)})

    def score(rows, cols):
        return np.array([table.get((r, c), 0.0) for r, c in zip(rows.tolist(), cols.tolist())])

    rows, cols = np.array([0, 2, 0, 5, 4, 4, 7]), np.array([1, 3, 2, 6, 5, 6, 8])
    together = [[0, 1, 2, 3], [4, 5, 6], [7, 8]]
    assert cluster.group_scored(9, rows, cols, score, 0.5) == together
    assert cluster.group_scored(9, rows, cols, score, 0.5, group_threshold=0.5) == together
    # Groups need 0.6 to join: {0,1} and {2,3} stay apart; an article still joins at 0.55.
    assert cluster.group_scored(9, rows, cols, score, 0.5, group_threshold=0.6) == [[4, 5, 6], [0, 1], [2, 3], [7, 8]]
