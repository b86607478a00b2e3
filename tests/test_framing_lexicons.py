"""The lexicons of biased language (pipeline/nlp/lexicons.py) and the framing detector built on them,
on sentences cut from the AllSides dev stories and the seeds: a word each lexicon class must find and
one it must not, the same wording is never a framing item, and an unrelated pair is never an item."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.config import DivergenceConfig
from pipeline.diverge import find_divergences, framing
from pipeline.diverge.framing import overlap
from pipeline.nlp.framing_words import markers
from pipeline.nlp.lexicons import LEXICON_DIR, framing_classes, lexicon, read_list
from pipeline.report.html import highlight
from tests.test_diverge_logic import _article, _assert_positions_cite_real_sentences

CFG = DivergenceConfig()


def _classes(text: str) -> dict[str, set[str]]:
    """Each lexicon word of a sentence with the lexicons that list it."""
    return {c.word: {e.lexicon for e in c.entries} for c in lexicon().cues(text.lower())}


def _same_vectors(articles):
    """Every sentence the same vector: every pair aligns, so only the detector's own tests decide."""
    unit = np.ones(8, dtype=np.float32) / np.sqrt(8)
    return {a.id: np.tile(unit, (len(a.sentences), 1)) for a in articles}


def _framing(nlp, *texts):
    articles = [_article(nlp, f"a{i}", text) for i, text in enumerate(texts)]
    found = find_divergences(articles, _same_vectors(articles), CFG)
    _assert_positions_cite_real_sentences(found, articles)
    return [d for d in found if d.kind == "framing"]


# --- the shipped lexicons ----------------------------------------------------------------------

def test_shipped_lexicons_load_and_the_gpl_clues_are_not_shipped():
    assert len(read_list(LEXICON_DIR / "bias-lexicon.txt")) == 654  # Recasens et al.'s lemmas only
    for name in ("hedges_hyland2005.txt", "assertives_hooper1975.txt", "factives_hooper1975.txt",
                 "implicatives_karttunen1971.txt", "report_verbs.txt"):
        assert len(read_list(LEXICON_DIR / name)) >= 25, name
    assert not list(Path(LEXICON_DIR).glob("*subjclues*"))
    assert not list(Path(LEXICON_DIR).glob("*.tff"))


@pytest.mark.parametrize("lexicon_name,word,positive,negative", [
    # 5823 (AP) against 5667 (Fox).
    ("hedge", "likely", "The quarterly figure was less than analysts had expected, but the economy was likely "
     "held back mainly by supply shortages in goods, components and labor.",
     "Senate Republicans on Monday evening blocked a measure to fund the government and suspend the debt ceiling."),
    # 5777 (National Review) against 5667 (Fox).
    ("assertive", "insist", "The Taliban now insist they have changed, but will still rule Afghanistan within the "
     "norms of Islamic law.", "Senate Republicans on Monday evening blocked a measure to fund the government and "
     "suspend the debt ceiling."),
    # 5911 (one outlet "revealed" a bill, another "introduced" it).
    ("factive", "revealed", "House Speaker Nancy Pelosi revealed a bill on Monday to create a Democratic-controlled "
     "commission.", "Speaker Nancy Pelosi (D., Calif.) on Monday introduced the legislative text needed to create "
     "the commission."),
    # 5667: "the bill failed" against "Sixty votes were needed".
    ("implicative", "failed", "Needing 60 votes, the bill failed.", "Sixty votes were needed to advance the measure."),
    # 5647 (Examiner) against 5823 (Fox).
    ("report", "dismissed", "President Joe Biden condemned activists cornering Arizona Sen. Kyrsten Sinema in a "
     "bathroom over the weekend but dismissed the idea that it was out of bounds.",
     "Sixty votes were needed to advance the measure."),
    # 5891 (Washington Examiner) against CNN's telling of the same news.
    ("bias", "controversial", "Nikole Hannah-Jones, founder of the controversial 1619 Project, declined the "
     "University of North Carolina at Chapel Hill's offer for tenure.",
     "Pulitzer Prize-winning investigative journalist Nikole Hannah-Jones announced Tuesday that she has declined "
     "a tenured professorship."),
])
def test_each_lexicon_finds_its_word_in_a_real_sentence_and_not_in_another(lexicon_name, word, positive, negative):
    assert lexicon_name in _classes(positive).get(word, set())
    assert not any(lexicon_name in found for found in _classes(negative).values())


def test_shields_are_hedges_and_approximators_are_not():
    assert "likely" in markers("The economy was likely held back mainly by supply shortages.").hedge
    assert markers("The economy was likely held back mainly by supply shortages.").hedge == ("likely",)
    assert markers("Senators plan a bill that would keep the government running, according to Schumer.").hedge == ()
    # Hyland's "claims" is the writer's own verb; in news it is mostly a noun.
    assert markers("He spread baseless claims of election fraud.").hedge == ()


def test_verbs_of_saying_that_colour_the_speaker():
    # 5777: "insisting" (Examiner) where Axios has "said"; "rejected" and "said" only report.
    cue = {c.word: c for c in lexicon().cues("the group is insisting. she rejected the offer. they said no.")}
    assert "loaded verb" in framing_classes(cue["insisting"])
    assert "loaded verb" not in framing_classes(cue["rejected"])  # names what was done
    assert "loaded verb" not in framing_classes(cue["said"])


def test_subjectivity_clues_from_a_user_path(tmp_path):
    # Three lines in the MPQA format (not MPQA's own entries): a judging modifier, one that may also
    # name a thing, and a neutral one.
    clues = tmp_path / "clues.tff"
    clues.write_text(
        "type=strongsubj len=1 word1=glaring pos1=adj stemmed1=n priorpolarity=negative\n"
        "type=strongsubj len=1 word1=harassment pos1=adj stemmed1=n priorpolarity=negative\n"
        "type=strongsubj len=1 word1=harassment pos1=noun stemmed1=n priorpolarity=negative\n"
        "type=strongsubj len=1 word1=regardless pos1=anypos stemmed1=n priorpolarity=neutral\n", encoding="utf-8")
    found = {c.word: framing_classes(c) for c in lexicon(clues).cues(
        "despite several glaring diplomatic blunders, harassment regardless")}
    assert found["glaring"] == {"negative"}
    assert found["harassment"] == set()
    assert found["regardless"] == set()
    assert "glaring" not in {c.word for c in lexicon().cues("glaring")}  # not there without the clues


# --- the detector ------------------------------------------------------------------------------

HEDGED = "The Israeli leader reportedly agreed to a US bridging proposal in Jerusalem on Monday."
FLAT = "The Israeli leader agreed to a US bridging proposal in Jerusalem on Monday."


def test_hedged_against_flat_names_its_subtype_and_words(nlp):
    (item,) = _framing(nlp, HEDGED, FLAT)
    assert item.subtype == "hedge"
    hedged, flat = item.positions
    assert hedged.article_ids == ("a0",) and hedged.words == ("reportedly",)
    assert flat.article_ids == ("a1",) and flat.words == ()


def test_the_same_wording_is_never_a_framing_item(nlp):
    assert _framing(nlp, HEDGED, HEDGED) == []
    loaded = ("Nikole Hannah-Jones, founder of the controversial 1619 Project, declined the University of North "
              "Carolina at Chapel Hill's offer for tenure.")
    assert _framing(nlp, loaded, loaded) == []


def test_an_unrelated_pair_is_never_an_item(nlp):
    # The seeds: a hedged clause about Netanyahu's demands against a plain sentence about the talks.
    hedged = ("While many details of the plan remain unclear, at least parts of the U.S. bridging proposal appeared "
              "to conform to new demands added by Netanyahu in late July, according to Israeli officials.")
    plain = ("The current negotiations are centered around a modified U.S. proposal aimed at bridging long-standing "
             "gaps between Israel and Hamas.")
    assert _framing(nlp, hedged, plain) == []
    # 5643: judging words about one thing against a plain sentence about another.
    fear = 'Some experts fear that if the brewing "cold war" between Washington and Beijing turns hot, Taiwan will be the spark.'
    views = "China, however, views Taiwan as a breakaway province and has vowed to take it back."
    assert overlap(fear, views) < 0.08
    assert _framing(nlp, fear, views) == []


def test_the_same_claim_told_hedged_is_still_found_when_the_flat_side_words_it_differently(nlp):
    # The seeds: "reportedly agreed to a US bridging proposal" against "Israel had accepted the U.S. proposal".
    hedged = ("On Monday, Blinken held a three-hour meeting with Netanyahu in Jerusalem, during which the Israeli "
              "leader reportedly agreed to a US bridging proposal intended to resolve key issues.")
    flat = ("After meeting with Prime Minister Benjamin Netanyahu of Israel on Monday, Blinken said that Israel had "
            "accepted the U.S. proposal.")
    (item,) = _framing(nlp, hedged, flat)
    assert item.subtype == "hedge" and item.positions[0].words == ("reportedly",)


def test_loaded_against_plain_and_opposite_judgements(nlp):
    robust = ("The nation's gross domestic product grew at a robust annualized rate of 6.5% in the second quarter "
              "of 2021, the Bureau of Economic Analysis said Thursday.")
    plain = ("Gross domestic product grew at a 6.5% annualized rate in the second quarter of 2021, according to "
             "an advance estimate released Thursday.")
    (item,) = _framing(nlp, robust, plain)
    assert item.subtype == "loaded"
    assert [p.words for p in item.positions if p.article_ids == ("a0",)] == [("robust",)]
    # The same report judged the other way (5823's outlets: "robust" against "disappointing" growth).
    gloomy = plain.replace("grew at a", "grew at a disappointing")
    (item,) = _framing(nlp, robust, gloomy)
    assert item.subtype == "judgement"
    assert {p.words for p in item.positions} == {("robust",), ("disappointing",)}


def test_framing_words_are_highlighted_and_the_rest_escaped():
    html = str(highlight('hedged (reportedly): Netanyahu <b>Reportedly</b> agreed & "left"', ["reportedly"]))
    assert html.count("<mark>") == 2
    assert "<mark>Reportedly</mark>" in html and "&lt;b&gt;" in html and "&amp;" in html
    assert str(highlight("a <plain> side", [])) == "a &lt;plain&gt; side"


# --- the learned scorer of loaded words (off by default; bench/framing_learned.py measures it) ----

# 5635: Axios's "climate deniers" against the Examiner's "contradicts mainstream views".
DENIERS = ("Google and YouTube on Thursday announced a new policy that prohibits climate deniers from being able "
           "to monetize their content on its platforms via ads.")
MAINSTREAM = ("Google and YouTube announced Thursday that they will no longer allow content creators and advertisers "
              "to profit off content that contradicts views on climate change.")


@pytest.fixture
def scorer(monkeypatch):
    """A word scorer that marks "deniers" loaded and every other word plain."""
    monkeypatch.setattr(framing, "LOADED_WORD_SCORE", lambda word: 3.0 if word == "deniers" else -1.0)


def test_unlisted_loaded_words_are_not_framing_without_the_learned_scorer(nlp):
    assert markers(DENIERS).words() == ()
    assert _framing(nlp, DENIERS, MAINSTREAM) == []


def test_a_word_the_learned_scorer_marks_loaded_makes_a_loaded_item(nlp, scorer):
    (item,) = _framing(nlp, DENIERS, MAINSTREAM)
    assert item.subtype == "loaded" and "deniers" in item.summary
    assert {p.article_ids: p.words for p in item.positions} == {("a0",): ("deniers",), ("a1",): ()}


def test_the_learned_scorer_never_pairs_the_same_wording_or_an_unrelated_sentence(nlp, scorer):
    assert _framing(nlp, DENIERS, DENIERS) == []
    unrelated = "China, however, views Taiwan as a breakaway province and has vowed to take it back."
    assert _framing(nlp, DENIERS, unrelated) == []
    # A loaded word inside a quotation is the speaker's, not the outlet's.
    quoted = DENIERS.replace("climate deniers", '"climate deniers"')
    assert _framing(nlp, quoted, MAINSTREAM) == []
