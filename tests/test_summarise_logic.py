"""pipeline/summarise.py with the fake model seam: budgets, citations, guard, chunking."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline.digest.select as S
from pipeline.digest.guard import check
from pipeline.digest.generate import abstractive, chunk_texts, first_sentence, hybrid, rewrite_guarded, summarise_long
from pipeline.digest.pool import Pool, build_pool
from pipeline.digest.select import _DUPLICATE, _knapsack, extractive, select, select_fill
from pipeline.config import Budget, SummaryConfig
from pipeline.domain import Article, Sentence
from pipeline.ingest.clean import clean_body, split_title
from pipeline.nlp.analyse import analyse
from tests.conftest import SEEDS
from tests.fakes import FakeGenerator

SEED_FILES = ["000_4534dcaf07a772fc.txt", "001_855b90c67b6645bb.txt", "003_add3ec1abea9c301.txt"]

# Three sentences from the seeds, each its own paragraph, none with a negation.
MEETING = (
    "On Monday, Blinken held a three-hour meeting with Netanyahu in Jerusalem, during which the "
    "Israeli leader reportedly agreed to a US “bridging proposal” intended to resolve key issues "
    "and move closer to a ceasefire agreement."
)
KILLED = "Approximately 1,200 people were killed, and 251 were taken hostage during the initial attack."
CAIRO = "Mediators have previously called for high-level talks to resume in Cairo this week."
SMALL_BODY = "\n".join([MEETING, KILLED, CAIRO])

# Faithful, shorter rewrites that keep most of the wording (the fake embedder's cosine to
# the source stays above the hybrid meaning check of 0.8).
FAITHFUL = {
    MEETING: "On Monday, Blinken held a three-hour meeting with Netanyahu in Jerusalem, during which "
             "the Israeli leader reportedly agreed to a US bridging proposal to resolve key issues.",
    KILLED: "Approximately 1,200 people were killed and 251 were taken hostage during the attack.",
    CAIRO: "Mediators have called for high-level talks to resume in Cairo this week.",
}
CFG = SummaryConfig()


def _article(nlp, aid: str, body: str, title: str = "") -> Article:
    (sentences,) = analyse([body], nlp)
    return Article(id=aid, title=title or aid, path=f"{aid}.txt", sha256=aid, body=body, sentences=sentences)


def _vectors(embedder, articles):
    return {a.id: embedder.embed([s.text for s in a.sentences]) for a in articles}


@pytest.fixture(scope="module")
def seed_articles(nlp):
    out = []
    for name in SEED_FILES:
        title, body = split_title((SEEDS / name).read_text(encoding="utf-8"))
        out.append(_article(nlp, name[:3], clean_body(body), title))
    return out


@pytest.fixture(scope="module")
def small_article(nlp):
    return _article(nlp, "small", SMALL_BODY)


def _assert_cited_exactly(digest, articles):
    by_id = {a.id: a for a in articles}
    for item in digest.sentences:
        assert item.citations, item
        for c in item.citations:
            source = by_id[c.article].sentences[c.sentence]
            assert source.index == c.sentence
            if item.method == "extractive":
                assert len(item.citations) == 1
                assert source.text == item.text


# --- extractive ----------------------------------------------------------------------

@pytest.mark.parametrize("max_sentences,max_words", [(1, 5), (1, 40), (2, 40), (3, 75), (6, 150), (4, 2000), (50, 60)])
@pytest.mark.parametrize("story", [False, True])
@pytest.mark.parametrize("selection", ["fill", "mmr"])
def test_extractive_respects_budget_and_cites_sources(
    seed_articles, fake_embedder, max_sentences, max_words, story, selection,
):
    articles = seed_articles if story else seed_articles[1:2]
    pool = build_pool(articles, _vectors(fake_embedder, articles))
    budget = Budget(max_sentences=max_sentences, max_words=max_words)
    cfg = CFG.model_copy(update={"selection": selection})
    digest = extractive(pool, budget, cfg, keep_source_order=not story)

    words = [len(s.text.split()) for s in digest.sentences]
    assert len(digest.sentences) <= max_sentences
    assert sum(words) <= max_words
    assert all(s.method == "extractive" for s in digest.sentences)
    assert digest.rejected == 0
    _assert_cited_exactly(digest, articles)
    # Only eligible sentences are drawn on.
    by_id = {a.id: a for a in articles}
    assert all(by_id[s.citations[0].article].sentences[s.citations[0].sentence].eligible for s in digest.sentences)
    # Stopping short of max_sentences means nothing else would have fitted, or it repeats a chosen sentence.
    if len(digest.sentences) < max_sentences:
        chosen = [i for i, (a, s) in enumerate(zip(pool.article_ids, pool.sentences))
                  if (a, s.index) in {(d.citations[0].article, d.citations[0].sentence) for d in digest.sentences}]
        left = max_words - sum(words)
        repeat = cfg.redundancy_threshold if selection == "fill" else _DUPLICATE
        unused = [i for i in range(len(pool.sentences)) if i not in chosen]
        assert all(pool.sentences[i].words > left or float(np.max(pool.vectors[chosen] @ pool.vectors[i])) >= repeat
                   for i in unused)


def _hand_pool(words: list[int], vectors: list[list[float]]) -> Pool:
    sentences = tuple(Sentence(i, " ".join(["word"] * n)) for i, n in enumerate(words))
    matrix = np.asarray(vectors, dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return Pool(tuple("a" for _ in words), sentences, tuple(range(len(words))), matrix)


def test_fill_takes_two_shorter_sentences_that_fill_the_budget_better_than_one_long():
    pool = _hand_pool([30, 20, 20], [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    scores = np.array([1.0, 0.9, 0.9])
    budget = Budget(max_sentences=6, max_words=40)
    assert select(pool, scores, budget, redundancy_weight=0.6) == [0]  # greedy: 30 words, then nothing fits
    assert sorted(select_fill(pool, scores, budget, redundancy_threshold=0.75)) == [1, 2]


def test_fill_leaves_out_a_sentence_that_repeats_a_better_one():
    # Sentences 0 and 1 say the same thing (cosine 0.99); 2 is different and weaker.
    pool = _hand_pool([10, 10, 10], [[1, 0.1, 0], [1, 0.15, 0], [0, 0, 1]])
    scores = np.array([1.0, 0.95, 0.5])
    picked = select_fill(pool, scores, Budget(max_sentences=6, max_words=100), redundancy_threshold=0.75)
    assert picked == [0, 2]  # best first
    # With a threshold above their cosine they are different enough to keep both.
    assert select_fill(pool, scores, Budget(max_sentences=6, max_words=100), redundancy_threshold=0.999) == [0, 1, 2]


def test_fill_respects_the_sentence_budget():
    pool = _hand_pool([5] * 6, np.eye(6).tolist())
    scores = np.linspace(1.0, 0.5, 6)
    assert select_fill(pool, scores, Budget(max_sentences=2, max_words=100), 0.75) == [0, 1]


@settings(max_examples=150, deadline=None)
@given(items=st.lists(st.tuples(st.floats(0.0, 10.0), st.integers(1, 12)), min_size=0, max_size=8),
       capacity=st.integers(1, 30), max_items=st.integers(1, 5))
def test_knapsack_is_optimal(items, capacity, max_items):
    values, weights = [v for v, _ in items], [w for _, w in items]
    picked = _knapsack(values, weights, capacity, max_items)
    assert picked == sorted(set(picked))
    assert sum(weights[i] for i in picked) <= capacity and len(picked) <= max_items
    best = max(
        (sum(values[i] for i in combo) for k in range(max_items + 1)
         for combo in itertools.combinations(range(len(items)), k) if sum(weights[i] for i in combo) <= capacity),
        default=0.0,
    )
    assert sum(values[i] for i in picked) == pytest.approx(best)


def test_extractive_small_budget_picks_something_that_fits(seed_articles, fake_embedder):
    articles = seed_articles[1:2]
    pool = build_pool(articles, _vectors(fake_embedder, articles))
    shortest = min(s.words for s in pool.sentences)
    digest = extractive(pool, Budget(max_sentences=3, max_words=max(5, shortest)), CFG, True)
    assert len(digest.sentences) >= 1


def test_extractive_keep_source_order(seed_articles, fake_embedder):
    articles = seed_articles[2:3]
    pool = build_pool(articles, _vectors(fake_embedder, articles))
    digest = extractive(pool, Budget(max_sentences=5, max_words=500), CFG, keep_source_order=True)
    indices = [s.citations[0].sentence for s in digest.sentences]
    assert len(indices) == 5
    assert indices == sorted(indices)


def test_extractive_has_no_duplicate_sentences(seed_articles, fake_embedder):
    articles = seed_articles
    pool = build_pool(articles, _vectors(fake_embedder, articles))
    digest = extractive(pool, Budget(max_sentences=20, max_words=2000), CFG, keep_source_order=False)
    texts = [s.text for s in digest.sentences]
    assert len(texts) == 20
    assert len(set(texts)) == len(texts)
    assert len(set(s.citations for s in digest.sentences)) == len(texts)


def test_story_digest_does_not_repeat_a_sentence_two_articles_share(nlp, fake_embedder):
    # Wire copy: two articles carry the very same sentence. The digest must say it once.
    a1 = _article(nlp, "a1", "\n".join([MEETING, KILLED]))
    a2 = _article(nlp, "a2", "\n".join([KILLED, CAIRO]))
    pool = build_pool([a1, a2], _vectors(fake_embedder, [a1, a2]))
    digest = extractive(pool, Budget(max_sentences=6, max_words=500), CFG, keep_source_order=False)
    texts = [s.text for s in digest.sentences]
    assert len(texts) == len(set(texts)), texts
    assert set(texts) == {MEETING, KILLED, CAIRO}


def test_build_pool_skips_ineligible_and_ranks_positions(nlp, fake_embedder):
    article = _article(nlp, "cap", "Benjamin Netanyahu\n" + SMALL_BODY)
    assert not article.sentences[0].eligible
    pool = build_pool([article], _vectors(fake_embedder, [article]))
    assert [s.text for s in pool.sentences] == [MEETING, KILLED, CAIRO]
    assert pool.positions == (0, 1, 2)
    assert [pool.citation(i).sentence for i in range(3)] == [1, 2, 3]
    assert pool.vectors.shape[0] == 3


def test_empty_pool_gives_empty_digest(nlp, fake_embedder):
    article = _article(nlp, "cap", "Benjamin Netanyahu")
    pool = build_pool([article], _vectors(fake_embedder, [article]))
    digest = extractive(pool, Budget(), CFG, True)
    assert digest.sentences == ()


# --- hybrid ------------------------------------------------------------------------------

def _hybrid(small_article, fake_embedder, nlp, replies_for):
    pool = build_pool([small_article], _vectors(fake_embedder, [small_article]))
    budget = Budget(max_sentences=3, max_words=200)
    base = extractive(pool, budget, CFG, keep_source_order=True)
    assert [s.text for s in base.sentences] == [MEETING, KILLED, CAIRO]
    generator = FakeGenerator(replies=[replies_for(s.text) for s in base.sentences])
    digest = hybrid(pool, budget, CFG, True, generator, fake_embedder, nlp)
    return base, digest, generator


def test_hybrid_keeps_faithful_shorter_rewrites(small_article, fake_embedder, nlp):
    base, digest, generator = _hybrid(small_article, fake_embedder, nlp, lambda s: FAITHFUL[s])
    assert [s.text for s in digest.sentences] == [FAITHFUL[MEETING], FAITHFUL[KILLED], FAITHFUL[CAIRO]]
    assert all(s.method == "generated" for s in digest.sentences)
    assert [s.citations for s in digest.sentences] == [s.citations for s in base.sentences]
    assert digest.rejected == 0
    assert generator.rewrites == [[MEETING], [KILLED], [CAIRO]]


def test_hybrid_replaces_unfaithful_rewrites(small_article, fake_embedder, nlp):
    unfaithful = {
        # invented title
        MEETING: "On Monday, President Blinken held a three-hour meeting with Netanyahu in Jerusalem, "
                 "during which the Israeli leader reportedly agreed to a US bridging proposal to resolve key issues.",
        # invented number
        KILLED: "Approximately 1,300 people were killed and 251 were taken hostage during the attack.",
        CAIRO: FAITHFUL[CAIRO],
    }
    base, digest, _ = _hybrid(small_article, fake_embedder, nlp, lambda s: unfaithful[s])
    assert [s.text for s in digest.sentences] == [MEETING, KILLED, FAITHFUL[CAIRO]]
    assert [s.method for s in digest.sentences] == ["extractive", "extractive", "generated"]
    assert [s.citations for s in digest.sentences] == [s.citations for s in base.sentences]
    assert digest.rejected == 2


def test_hybrid_rejects_a_rewrite_longer_than_its_source(small_article, fake_embedder, nlp):
    longer = "Mediators have previously and repeatedly called for high-level talks to resume in Cairo this week."
    assert len(longer.split()) > len(CAIRO.split())
    _, digest, _ = _hybrid(small_article, fake_embedder, nlp, lambda s: longer if s == CAIRO else FAITHFUL[s])
    assert digest.sentences[2].text == CAIRO
    assert digest.sentences[2].method == "extractive"
    assert digest.rejected == 1


def test_hybrid_rejects_a_fragment(small_article, fake_embedder, nlp):
    _, digest, _ = _hybrid(small_article, fake_embedder, nlp,
                           lambda s: "Talks in Cairo." if s == CAIRO else FAITHFUL[s])
    assert digest.sentences[2].text == CAIRO
    assert digest.rejected == 1


def test_hybrid_rejects_a_rewrite_that_drops_the_meaning(small_article, fake_embedder, nlp):
    # Every fact in it is in the source, but it no longer says what the source says.
    short = "Mediators have called for talks."
    assert check(short, [CAIRO], nlp).ok
    _, digest, _ = _hybrid(small_article, fake_embedder, nlp, lambda s: short if s == CAIRO else FAITHFUL[s])
    assert digest.sentences[2].text == CAIRO
    assert digest.rejected == 1


def test_hybrid_strips_preamble_before_checking(small_article, fake_embedder, nlp):
    _, digest, _ = _hybrid(small_article, fake_embedder, nlp,
                           lambda s: f"Here is the rewritten sentence: {FAITHFUL[s]}")
    assert [s.text for s in digest.sentences] == [FAITHFUL[MEETING], FAITHFUL[KILLED], FAITHFUL[CAIRO]]
    assert digest.rejected == 0


def test_rewrites_of_several_digests_share_one_generator_batch(small_article, fake_embedder, nlp):
    pool = build_pool([small_article], _vectors(fake_embedder, [small_article]))
    bases = [extractive(pool, Budget(max_sentences=n, max_words=200), CFG, True) for n in (3, 2)]
    sources = [s.text for base in bases for s in base.sentences]
    generator = FakeGenerator(replies=[FAITHFUL[t] for t in sources])
    digests = rewrite_guarded(bases, CFG, generator, fake_embedder, nlp)
    assert generator.batches == [5]  # one request for all five sentences of both digests
    assert [s.text for s in digests[0].sentences] == [FAITHFUL[MEETING], FAITHFUL[KILLED], FAITHFUL[CAIRO]]
    assert [s.text for s in digests[1].sentences] == [FAITHFUL[t] for t in sources[3:]]
    assert [d.rejected for d in digests] == [0, 0]


def test_hybrid_leaves_sentences_under_the_rewrite_minimum_as_they_are(small_article, fake_embedder, nlp):
    pool = build_pool([small_article], _vectors(fake_embedder, [small_article]))
    cfg = SummaryConfig(rewrite_min_words=len(CAIRO.split()) + 1)
    generator = FakeGenerator(replies=[FAITHFUL[MEETING], FAITHFUL[KILLED]])
    digest = hybrid(pool, Budget(max_sentences=3, max_words=200), cfg, True, generator, fake_embedder, nlp)
    assert generator.rewrites == [[MEETING], [KILLED]]
    assert [s.text for s in digest.sentences] == [FAITHFUL[MEETING], FAITHFUL[KILLED], CAIRO]
    assert digest.sentences[2].method == "extractive" and digest.rejected == 0


# --- first_sentence -----------------------------------------------------------------------

@pytest.mark.parametrize("reply,expected", [
    ("Here is the rewritten sentence: Blinken met Netanyahu in Jerusalem.", "Blinken met Netanyahu in Jerusalem."),
    ("Sure! Here is the rewritten sentence: Blinken met Netanyahu in Jerusalem.", "Blinken met Netanyahu in Jerusalem."),
    ('"Blinken met Netanyahu in Jerusalem."', "Blinken met Netanyahu in Jerusalem."),
    ("Blinken met Netanyahu. Then he flew to Cairo.", "Blinken met Netanyahu."),
    ("Blinken met Netanyahu.\nNote: I kept the facts.", "Blinken met Netanyahu."),
    ("  Blinken met Netanyahu in Jerusalem!  ", "Blinken met Netanyahu in Jerusalem!"),
    ("Blinken met Netanyahu in Jerusalem", ""),  # unfinished: no sentence
    ("", ""),
])
def test_first_sentence(nlp, reply, expected):
    assert first_sentence(reply, nlp) == expected


def test_first_sentence_preamble_on_its_own_line(nlp):
    # Chat models often put the preamble on a line of its own and the answer below it.
    reply = "Here is the rewritten sentence:\n\nBlinken met Netanyahu in Jerusalem."
    assert first_sentence(reply, nlp) == "Blinken met Netanyahu in Jerusalem."


def test_first_sentence_does_not_cut_at_abbreviations(nlp):
    reply = "Blinken met U.S. envoys in Doha on Monday."
    assert first_sentence(reply, nlp) == reply


def test_first_sentence_keeps_a_closing_quote(nlp):
    reply = "Blinken told reporters: “This needs to get done.”"
    assert first_sentence(reply, nlp) == reply


# --- chunking and map-reduce ---------------------------------------------------------------

def test_chunk_texts_fit_the_limit_and_keep_every_word_in_order(seed_articles):
    generator = FakeGenerator(max_input_tokens=50)
    texts = [a.body for a in seed_articles]
    assert any(len(p.split()) > 50 for t in texts for p in t.split("\n"))  # some paragraphs must be split
    chunks = chunk_texts(texts, generator)
    assert len(chunks) > 1
    assert all(0 < generator.count_tokens(c) <= 50 for c in chunks)
    assert " ".join(chunks).split() == " ".join(texts).split()


def test_chunk_texts_short_input_is_one_chunk():
    generator = FakeGenerator(max_input_tokens=50)
    assert chunk_texts([KILLED, CAIRO], generator) == [f"{KILLED}\n{CAIRO}"]
    assert chunk_texts([], generator) == [""]


def test_summarise_long_maps_every_chunk_then_reduces(seed_articles):
    texts = [seed_articles[0].body]
    probe = FakeGenerator(max_input_tokens=100)
    chunks = chunk_texts(texts, probe)
    n = len(chunks)
    assert n >= 2
    partials = [f"Partial summary number {i}." for i in range(n)]
    generator = FakeGenerator(replies=partials + ["The final summary."], max_input_tokens=100)
    result = summarise_long(texts, generator, max_words=20)
    assert result == "The final summary."
    assert len(generator.summaries) == n + 1
    assert generator.summaries[:n] == chunks  # every chunk read, in order
    assert generator.summaries[-1].split("\n") == partials  # then all the partials at once


def test_summarise_long_single_chunk_is_one_call():
    generator = FakeGenerator(replies=["Short summary."])
    assert summarise_long([KILLED, CAIRO], generator, max_words=20) == "Short summary."
    assert generator.summaries == [f"{KILLED}\n{CAIRO}"]


# --- abstractive ----------------------------------------------------------------------------

def _abstractive(small_article, fake_embedder, nlp, reply):
    pool = build_pool([small_article], _vectors(fake_embedder, [small_article]))
    generator = FakeGenerator(replies=[reply])
    digest = abstractive([small_article], pool, Budget(max_sentences=3, max_words=200), CFG,
                           generator, fake_embedder, nlp)
    assert generator.summaries == [SMALL_BODY]  # the model read the article
    return digest


def test_abstractive_keeps_faithful_and_replaces_unfaithful(small_article, fake_embedder, nlp):
    faithful = "Approximately 1,200 people were killed during the initial attack."
    invented = "Mediators have previously called for high-level talks to resume in Riyadh this week."
    digest = _abstractive(small_article, fake_embedder, nlp, f"{faithful} {invented}")
    first, second = digest.sentences
    assert (first.text, first.method) == (faithful, "generated")
    assert 1 in {c.sentence for c in first.citations}  # KILLED is sentence 1
    assert all(c.article == "small" for c in first.citations)
    assert (second.text, second.method) == (CAIRO, "extractive")
    assert [(c.article, c.sentence) for c in second.citations] == [("small", 2)]
    assert digest.rejected == 1
    _assert_cited_exactly(digest, [small_article])


def test_abstractive_invented_number_is_replaced(small_article, fake_embedder, nlp):
    digest = _abstractive(small_article, fake_embedder, nlp,
                          "Approximately 1,300 people were killed during the initial attack.")
    (only,) = digest.sentences
    assert (only.text, only.method) == (KILLED, "extractive")
    assert digest.rejected == 1


def test_abstractive_does_not_repeat_a_replacement(small_article, fake_embedder, nlp):
    digest = _abstractive(
        small_article, fake_embedder, nlp,
        "Approximately 1,300 people were killed during the initial attack. "
        "Approximately 1,400 people were killed during the initial attack.",
    )
    assert [s.text for s in digest.sentences] == [KILLED]
    assert digest.rejected == 2


def test_abstractive_respects_budget(small_article, fake_embedder, nlp):
    pool = build_pool([small_article], _vectors(fake_embedder, [small_article]))
    generator = FakeGenerator(replies=[" ".join(FAITHFUL.values())])
    digest = abstractive([small_article], pool, Budget(max_sentences=2, max_words=200), CFG,
                           generator, fake_embedder, nlp)
    assert len(digest.sentences) == 2
    digest = abstractive([small_article], pool, Budget(max_sentences=3, max_words=12), CFG,
                           FakeGenerator(replies=[" ".join(FAITHFUL.values())]), fake_embedder, nlp)
    assert sum(len(s.text.split()) for s in digest.sentences) <= 12


def test_abstractive_empty_reply_falls_back_to_extractive(small_article, fake_embedder, nlp):
    digest = _abstractive(small_article, fake_embedder, nlp, "   ")
    assert digest.sentences
    assert all(s.method == "extractive" for s in digest.sentences)
    _assert_cited_exactly(digest, [small_article])


@pytest.mark.parametrize("text,leans", [
    # Story-digest sentences from the AllSides dev stories that dangle when read alone.
    ("They have called for the U.S. to reopen the borders given high, and rising, vaccinations rates there.", True),
    ("That amounts to a monthly increase of $92 for the average retiree, bringing the amount to $1,657.", True),
    ("But even as Democrats accepted part of the Senate minority leader's entreaties, they said they will not bend.",
     True),
    ("“That is not how it works,” he said.", True),
    ("Netanyahu has indicated that Israel views these areas as vital for its strategic defense.", True),  # seeds 005
    # Sentences that stand alone.
    ("It is unclear whether the vote will take place this week.", False),
    ("Theresa May said the talks would resume on Monday.", False),
    ("The company detailed the changes in a support document on Thursday.", False),
    ("Aid groups said they would reach those who fled the fighting.", False),
])
def test_opening_that_leans_on_an_earlier_sentence(text, leans):
    from pipeline.nlp.references import leans_on_earlier_sentence

    assert leans_on_earlier_sentence(text) is leans


def test_story_digest_prefers_a_sentence_that_stands_alone(monkeypatch):
    texts = ["They have called for the U.S. to reopen the borders given rising vaccination rates there.",
             "Business leaders in border towns have called for the U.S. to reopen the land borders."]
    sentences = tuple(Sentence(i, t) for i, t in enumerate(texts))
    pool = Pool(("a", "b"), sentences, (0, 0), np.eye(2, dtype=np.float32))
    monkeypatch.setattr(S, "sentence_scores", lambda *_: np.array([1.0, 0.8]))
    budget, cfg = Budget(max_sentences=1, max_words=30), SummaryConfig()
    story = extractive(pool, budget, cfg, keep_source_order=False)
    assert [s.text for s in story.sentences] == [texts[1]]
    # An article digest keeps source order, where the sentence before it gives the reference.
    article = extractive(pool, budget, cfg, keep_source_order=True)
    assert [s.text for s in article.sentences] == [texts[0]]
