"""The learned sentence scorer: its features, the shipped model file, training, and where it is used."""

from __future__ import annotations

import json

import lightgbm
import numpy as np
import pytest

import pipeline.digest.scorer as M
from pipeline.digest.scorer import (FEATURES, MODEL_FILE, TRAIN_PARAMS, Example, _booster, features,
                                    learned_salience, model_digest, model_header, read_model, train)
from pipeline.digest.pool import Pool, build_pool, salience
from pipeline.digest.select import sentence_scores
from pipeline.config import Budget, SummaryConfig
from pipeline.ingest.clean import clean_body, split_title
from pipeline.nlp.analyse import analyse
from pipeline.domain import Article
from pipeline.errors import ModelUnavailableError
from tests.conftest import DATA, SEEDS
from tests.fakes import FakeEmbedder

STORY = Budget(max_sentences=6, max_words=150)


@pytest.fixture(scope="module")
def seed_pool(nlp):
    """The five seed articles (one story) as a pool, with deterministic bag-of-words vectors."""
    articles, vectors = [], {}
    for path in sorted(SEEDS.glob("*.txt")):
        title, body = split_title(path.read_text(encoding="utf-8"))
        (sentences,) = analyse([clean_body(body)], nlp)
        article = Article(id=path.stem[:3], title=title, path=path.name, sha256=path.stem, body=body,
                          sentences=sentences)
        articles.append(article)
        vectors[article.id] = FakeEmbedder().embed([s.text for s in sentences])
    return build_pool(articles, vectors)


def test_features_have_one_row_per_sentence_in_the_declared_order(seed_pool):
    x = features(seed_pool, 150)
    col = {name: x[:, k] for k, name in enumerate(FEATURES)}
    assert x.shape == (len(seed_pool.sentences), len(FEATURES))
    positions = np.asarray(seed_pool.positions)
    assert np.allclose(col["lead"][positions == 0], 1.0)
    assert np.all(col["lead"][positions > 0] < 1.0)
    assert np.all((col["relative_position"] >= 0) & (col["relative_position"] < 1))
    words = np.array([s.words for s in seed_pool.sentences], dtype=float)
    assert np.array_equal(col["words"], words)
    assert np.allclose(col["words_to_budget"] * 150, words)
    assert np.allclose(col["budget_ratio"], 150 / words.sum())
    assert np.isclose(col["lexrank"].mean(), 1.0) and col["lexrank"].std() > 0
    assert np.all((col["support"] >= 0) & (col["support"] <= 1))
    assert np.all(col["soft_support"] <= 1.0 + 1e-6)
    assert np.array_equal(col["has_number"] == 1, [any(ch.isdigit() for ch in s.text) for s in seed_pool.sentences])


def test_features_mean_the_same_at_any_budget_but_the_budget_shares(seed_pool):
    """Only the budget columns move with the budget; the sentence signals do not."""
    a, b = features(seed_pool, 60), features(seed_pool, 240)
    moved = {name for k, name in enumerate(FEATURES) if not np.allclose(a[:, k], b[:, k])}
    assert moved == {"words_to_budget", "budget_ratio"}
    assert np.allclose(b[:, FEATURES.index("budget_ratio")], 4 * a[:, FEATURES.index("budget_ratio")])


def test_features_of_an_empty_pool_are_an_empty_matrix():
    empty = Pool((), (), (), np.zeros((0, 8), dtype=np.float32))
    assert features(empty, 150).shape == (0, len(FEATURES))
    assert learned_salience(empty, 150).shape == (0,)


def test_shipped_model_loads_offline_and_scores_every_sentence_above_zero(seed_pool):
    scores = learned_salience(seed_pool, 150)
    assert scores.shape == (len(seed_pool.sentences),)
    assert np.all(scores >= 1e-3) and len(set(np.round(scores, 6))) > 1


def test_shipped_model_learned_the_lead_bias_of_news(seed_pool):
    """Reference summaries draw on first sentences most; a model trained on them must rank them higher."""
    scores = learned_salience(seed_pool, 150)
    positions = np.asarray(seed_pool.positions)
    assert scores[positions == 0].mean() > scores[positions >= 5].mean()


def test_the_shipped_model_says_which_data_and_settings_trained_it():
    header = model_header()
    assert "allsides_roundup_train" in header["data"] and "never seen" in header["data"]
    assert header["features"].split() == list(FEATURES)
    assert json.loads(header["params"]) == TRAIN_PARAMS
    assert header["rebuild"] == "bench/scorer/train.py"


def test_a_model_trained_on_other_features_is_refused_with_the_fix(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    data = lightgbm.Dataset(rng.normal(size=(200, 3)), rng.normal(size=200), feature_name=["a", "b", "c"])
    wrong = tmp_path / "scorer.txt"
    trees = lightgbm.train({"verbose": -1, "min_data_in_leaf": 5}, data, num_boost_round=2).model_to_string()
    wrong.write_text(f"# features: {' '.join(FEATURES)}\n" + trees, encoding="utf-8")  # a header that lies
    monkeypatch.setattr(M, "MODEL_FILE", wrong)
    _booster.cache_clear()
    try:
        with pytest.raises(ModelUnavailableError, match=r"\['a', 'b', 'c'\] \(its trees\).*bench/scorer/train.py"):
            _booster()
    finally:
        _booster.cache_clear()


def test_a_model_file_whose_header_names_other_features_is_refused():
    shipped = MODEL_FILE.read_text(encoding="utf-8")
    renamed = shipped.replace(f"# features: {' '.join(FEATURES)}", "# features: lead budget_words")
    assert renamed != shipped
    with pytest.raises(ModelUnavailableError, match=r"\['lead', 'budget_words'\] \(its header\)"):
        read_model(renamed)


@pytest.fixture(scope="module")
def train_slice(nlp):
    """Twelve AllSides train clusters (tests/data/allsides_train_12.*), analysed, with bag-of-words vectors."""
    from pipeline.eval.datasets import load_clusters

    _, clusters = load_clusters(DATA / "allsides_train_12.source")
    examples = []
    for n, cluster in enumerate(clusters):
        bodies = [clean_body(d) for d in cluster.documents]
        analysed = analyse(bodies, nlp)
        articles = [Article(f"c{n}d{i}", "", "", "", body, sentences)
                    for i, (body, sentences) in enumerate(zip(bodies, analysed))]
        vectors = {a.id: FakeEmbedder().embed([s.text for s in a.sentences]) for a in articles}
        examples.append(Example(build_pool(articles, vectors), len(cluster.reference.split()), cluster.reference))
    return examples


def test_training_on_a_small_slice_is_deterministic_and_makes_a_loadable_model(train_slice):
    params = {**TRAIN_PARAMS, "rounds": 20, "min_data_in_leaf": 5}
    about = {"data": "tests/data/allsides_train_12"}
    first, second = train(train_slice, about, params), train(train_slice, about, params)
    assert first == second
    booster = read_model(first)
    assert booster.num_trees() == 20
    assert "# data: tests/data/allsides_train_12\n" in first and "# rows: " in first
    pool = train_slice[0].pool
    assert len(set(np.round(booster.predict(features(pool, 60)), 6))) > 1


def test_single_articles_keep_the_blend_scorer(seed_pool):
    one = [i for i, a in enumerate(seed_pool.article_ids) if a == seed_pool.article_ids[0]]
    pool = Pool(tuple(seed_pool.article_ids[i] for i in one), tuple(seed_pool.sentences[i] for i in one),
                  tuple(seed_pool.positions[i] for i in one), seed_pool.vectors[one])
    cfg = SummaryConfig(scorer="learned")
    assert np.allclose(sentence_scores(pool, cfg, STORY), salience(pool, cfg.position_weight, cfg.word_support_weight))


def test_stories_use_the_configured_scorer(seed_pool):
    learned = sentence_scores(seed_pool, SummaryConfig(scorer="learned"), STORY)
    blend = sentence_scores(seed_pool, SummaryConfig(scorer="blend"), STORY)
    assert np.allclose(learned, learned_salience(seed_pool, STORY.max_words))
    assert not np.allclose(learned, blend)


def test_model_digest_names_the_file_contents(tmp_path, monkeypatch):
    copy = tmp_path / "scorer.txt"
    copy.write_bytes(MODEL_FILE.read_bytes())
    monkeypatch.setattr(M, "MODEL_FILE", copy)
    before = model_digest()
    copy.write_bytes(MODEL_FILE.read_bytes() + b"\n")
    assert model_digest() != before
