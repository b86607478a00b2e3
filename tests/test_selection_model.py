"""The learned sentence scorer: its features, the shipped model, and where it is used."""

from __future__ import annotations

import lightgbm
import numpy as np
import pytest

import pipeline.digest.scorer as M
from pipeline.digest.scorer import FEATURES, MODEL_FILE, _booster, features, learned_salience, model_digest
from pipeline.digest.pool import Pool, build_pool, salience
from pipeline.digest.select import sentence_scores
from pipeline.config import Budget, SummaryConfig
from pipeline.ingest.clean import clean_body, split_title
from pipeline.nlp.analyse import analyse
from pipeline.domain import Article
from tests.conftest import SEEDS

STORY = Budget(max_sentences=6, max_words=150)


@pytest.fixture(scope="module")
def seed_pool(nlp):
    """The five seed articles (one story) as a pool, with deterministic stand-in vectors."""
    articles, vectors = [], {}
    rng = np.random.default_rng(0)
    for path in sorted(SEEDS.glob("*.txt")):
        title, body = split_title(path.read_text(encoding="utf-8"))
        (sentences,) = analyse([clean_body(body)], nlp)
        article = Article(id=path.stem[:3], title=title, path=path.name, sha256=path.stem, body=body,
                          sentences=sentences)
        articles.append(article)
        rows = rng.normal(size=(len(sentences), 8)).astype(np.float32)
        vectors[article.id] = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return build_pool(articles, vectors)


def test_features_have_one_row_per_sentence_in_the_declared_order(seed_pool):
    x = features(seed_pool, 150)
    col = {name: x[:, k] for k, name in enumerate(FEATURES)}
    assert x.shape == (len(seed_pool.sentences), len(FEATURES))
    positions = np.asarray(seed_pool.positions)
    assert np.allclose(col["lead"][positions == 0], 1.0)
    assert np.all(col["lead"][positions > 0] < 1.0)
    assert np.all((col["relative_position"] >= 0) & (col["relative_position"] < 1))
    assert set(col["article_order"]) == set(range(5))
    assert np.all(col["articles"] == 5) and np.all(col["budget_words"] == 150)
    assert np.array_equal(col["words"], [s.words for s in seed_pool.sentences])
    assert np.array_equal(col["has_number"] == 1, [any(ch.isdigit() for ch in s.text) for s in seed_pool.sentences])


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


def test_a_model_trained_on_other_features_is_refused_with_the_fix(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    data = lightgbm.Dataset(rng.normal(size=(200, 3)), rng.normal(size=200), feature_name=["a", "b", "c"])
    wrong = tmp_path / "scorer.txt"
    lightgbm.train({"verbose": -1, "min_data_in_leaf": 5}, data, num_boost_round=2).save_model(str(wrong))
    monkeypatch.setattr(M, "MODEL_FILE", wrong)
    _booster.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="train_scorer.py"):
            _booster()
    finally:
        _booster.cache_clear()


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
