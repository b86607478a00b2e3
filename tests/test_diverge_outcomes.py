"""Outcome conflicts ("rejected the proposal" vs "has yet to respond"): the parse of outcome verbs
(pipeline/outcomes.py) and the detector in pipeline/diverge.py, on sentences from seeds/ and the
AllSides dev stories (copied here: tests read nothing outside the clone). Each case that must be
reported has look-alikes that must not: paraphrases that agree, other actors, other things
decided on, hypothetical outcomes, a claim and who confirmed it."""

from __future__ import annotations

import pytest

from pipeline.config import DivergenceConfig
from pipeline.diverge import find_divergences
from pipeline.diverge.conflicts import same_decision
from pipeline.models.loaders import PACKAGED_EMBEDDER, load_embedder
from pipeline.nlp.outcomes import conflicting, outcomes
from pipeline.domain import Outcome
from tests.test_diverge_logic import _article, _assert_positions_cite_real_sentences, _vectors

CFG = DivergenceConfig()

# seeds/000 and seeds/004: the issue's own example.
SEED_REJECTED = ("Hamas, meanwhile, has rejected the latest ceasefire proposals, calling them a “coup” against "
                 "previous agreements and insisting that any ceasefire plan should be based on the progress made in "
                 "earlier negotiations, rather than on new terms.")
SEED_YET_TO = ("Although Israel has agreed to the proposed withdrawal schedule, Hamas has yet to formally respond to "
               "the US-brokered agreement.")
# seeds/003 and seeds/004: one outcome told twice, each time with who confirmed it.
SEED_SAID_ACCEPTED = ("After meeting with Prime Minister Benjamin Netanyahu of Israel on Monday, Blinken said that "
                      "Israel had accepted the U.S. proposal.")
SEED_CONFIRMED_AGREED = ("US Secretary of State Antony Blinken confirmed that Israel has agreed to a schedule for the "
                         "withdrawal of its forces from Gaza as outlined in a “bridging proposal” aimed at moving closer "
                         "to a ceasefire with Hamas.")
# seeds/001: wished-for and current outcomes of a pronoun, neither one reported as done.
SEED_URGING = ("In a move signaling the urgency of these negotiations, Blinken noted that mediators in the region are "
               "actively working to ensure that Hamas comprehends the contents of the proposed agreement, urging them "
               "to accept terms they currently reject.")
# AllSides 5951 (Juneteenth): "passed" and "approved" by the Senate, and a vote still expected in the House.
HILL_PASSED = "The Senate on Tuesday passed legislation to recognize Juneteenth as a legal public holiday."
CBS_APPROVED = ("The Senate unanimously approved a bill Tuesday that would make Juneteenth, the date commemorating "
                "the end of chattel slavery in the United States, a legal public holiday.")
CBS_EXPECTED = "The measure is expected to be approved by the Democratic-led House of Representatives."
# AllSides 5905 / 5923 (Jan. 6 committee): the House approved one body, Senate Republicans blocked another.
HOUSE_APPROVED = ("House of Representatives on Wednesday approved the creation of a new Democratic-majority select "
                  "committee to probe the Jan. 6 attack on the Capitol by a pro-Trump mob.")
SENATE_BLOCKED = "The move comes after Senate Republicans blocked a bill to establish a bipartisan commission into the attack."


@pytest.fixture(scope="module")
def embedder():
    """The packaged MiniLM: alignment thresholds are calibrated on its cosines, not on a fake's."""
    return load_embedder(PACKAGED_EMBEDDER)


def _parse(nlp, text: str) -> tuple[Outcome, ...]:
    (sentence,) = list(nlp(text).sents)
    return outcomes(sentence)


def _conflicts(nlp, embedder, *texts: str):
    articles = [_article(nlp, f"a{i}", text) for i, text in enumerate(texts)]
    found = find_divergences(articles, _vectors(embedder, articles), CFG)
    _assert_positions_cite_real_sentences(found, articles)
    return [d for d in found if d.kind == "conflict"]


# --- the parse ----------------------------------------------------------------------------------

def test_rejection_and_pending_response_are_read_with_actor_and_theme(nlp):
    (rejected,) = _parse(nlp, SEED_REJECTED)
    assert (rejected.agent, rejected.stance, rejected.words) == ("Hamas", "no", "has rejected")
    assert "ceasefire proposals" in rejected.theme
    israel, hamas = _parse(nlp, SEED_YET_TO)
    assert (israel.agent, israel.stance) == ("Israel", "yes")
    assert (hamas.agent, hamas.stance, hamas.words) == ("Hamas", "pending", "has yet to formally respond")
    assert "agreement" in hamas.theme


@pytest.mark.parametrize("text,stance", [
    ("Hamas has not responded to the proposal.", "pending"),
    ("Israel is considering the offer.", "pending"),
    ("Hamas has not yet accepted the offer.", "pending"),
    ("Blinken did not confirm the statement.", "not"),
    ("The Senate refused to pass the bill.", "no"),
    (HILL_PASSED, "yes"),
])
def test_stance_of_outcome_verbs(nlp, text, stance):
    assert [o.stance for o in _parse(nlp, text)] == [stance]


@pytest.mark.parametrize("text", [
    SEED_URGING,                                  # wished for; "they" is not resolved
    CBS_EXPECTED,                                 # expected, not done
    "Hamas may reject the proposal.",             # modal
    "If Hamas accepts the deal, the fighting will stop.",  # condition
    "Israel did not reject the plan.",            # a negated refusal says too little
    "Responding to the proposal was the first step.",       # no response verb that is negated or pending
])
def test_outcomes_not_reported_as_having_happened_are_left_out(nlp, text):
    assert _parse(nlp, text) == ()


def test_participle_phrase_takes_the_subject_of_its_clause(nlp):
    # AllSides 5615 (Texas abortion law): the court is who refused.
    (refused,) = _parse(nlp, "The court issued a 2–1 order siding with the state of Texas, refusing the Justice "
                             "Department’s request to reinstate an earlier court ruling.")
    assert (refused.agent, refused.stance) == ("court", "no")
    assert "request" in refused.theme


def test_passive_outcome_names_its_agent(nlp):
    (passed,) = _parse(nlp, "The bill was passed by the House on Friday.")
    assert (passed.agent, passed.stance, passed.theme) == ("House", "yes", "The bill")


@pytest.mark.parametrize("a,b,expected", [
    ("yes", "no", True), ("yes", "pending", True), ("yes", "not", True), ("no", "pending", True),
    ("no", "not", False), ("pending", "not", False), ("yes", "yes", False), ("no", "no", False),
])
def test_which_stances_cannot_both_be_true(a, b, expected):
    assert conflicting(a, b) is expected
    assert conflicting(b, a) is expected


def test_same_actor_on_a_different_thing_is_not_the_same_decision():
    # AllSides 5639: Democrats accepted McConnell's deal, and rejected his demand on reconciliation.
    accepted = Outcome("Democrats", "yes", "the deal", "accepted")
    rejected = Outcome("Democrats", "no", "his demands that they use the laborious process of budget reconciliation",
                       "rejecting")
    assert not same_decision(accepted, rejected, sim=0.55, align_threshold=0.62)
    # Sentences aligned as closely as paraphrases tell one decision in other words.
    assert same_decision(accepted, rejected, sim=0.70, align_threshold=0.62)
    # A surname names the person named in full; another actor never matches.
    assert same_decision(Outcome("Benjamin Netanyahu", "yes", "the bridging proposal", "agreed"),
                         Outcome("Netanyahu", "no", "the proposal", "rejected"), 0.5, 0.62)
    assert not same_decision(Outcome("Israel", "yes", "the proposal", "agreed"),
                             Outcome("Hamas", "no", "the proposal", "rejected"), 0.9, 0.62)


# --- the detector -------------------------------------------------------------------------------

def test_rejected_vs_yet_to_respond_is_a_conflict(nlp, embedder):
    (item,) = _conflicts(nlp, embedder, SEED_REJECTED, SEED_YET_TO)
    assert item.topic.startswith("Hamas")
    assert "has rejected" in item.summary and "has yet to formally respond" in item.summary
    assert [p.article_ids for p in item.positions] == [("a0",), ("a1",)]


def test_paraphrases_that_agree_are_not_a_conflict(nlp, embedder):
    assert _conflicts(nlp, embedder, HILL_PASSED, CBS_APPROVED, CBS_EXPECTED) == []


def test_a_claim_and_who_confirmed_it_is_not_a_conflict(nlp, embedder):
    assert _conflicts(nlp, embedder, SEED_SAID_ACCEPTED, SEED_CONFIRMED_AGREED) == []


def test_different_actors_are_not_a_conflict(nlp, embedder):
    assert _conflicts(nlp, embedder, HOUSE_APPROVED, SENATE_BLOCKED) == []
    # Israel agreed (seeds/004) while Hamas rejected (seeds/000): only Hamas's two outcomes conflict.
    (item,) = _conflicts(nlp, embedder, SEED_REJECTED, SEED_YET_TO)
    assert "Israel" not in item.topic


# --- framing of an event whose tellings are too far apart to align ------------------------------

# AllSides 5633 (debt limit): National Review's loaded verb against CNN's plain report of Schumer.
NR_RAILED = ("Senate majority leader Chuck Schumer (D., N.Y.) railed against Republicans in a speech Thursday night "
             "after eleven GOP senators joined Democrats in breaking a filibuster on the debt-ceiling hike.")
CNN_ANNOUNCED = ("Senate Majority Leader Chuck Schumer announced Thursday morning that a deal had been reached, paving "
                 "the way...")


def test_loaded_telling_of_an_event_against_a_plain_one_is_framing(nlp, embedder):
    articles = [_article(nlp, "a0", NR_RAILED), _article(nlp, "a1", CNN_ANNOUNCED)]
    found = find_divergences(articles, _vectors(embedder, articles), CFG)
    (item,) = [d for d in found if d.kind == "framing"]
    assert "railed" in item.summary
    assert [p.article_ids for p in item.positions] == [("a0",), ("a1",)]


def test_event_framing_needs_the_same_named_actor_and_a_plain_counterpart(nlp, embedder):
    # Without Schumer's name the plain sentence may be about anything.
    unnamed = CNN_ANNOUNCED.replace("Senate Majority Leader Chuck Schumer", "The leader")
    # A counterpart with a judging word of its own is a different judgement, not a plain telling.
    judged = CNN_ANNOUNCED.replace("announced", "boasted")
    for other in (unnamed, judged):
        articles = [_article(nlp, "a0", NR_RAILED), _article(nlp, "a1", other)]
        found = find_divergences(articles, _vectors(embedder, articles), CFG)
        assert [d for d in found if d.kind == "framing" and "judging words" in d.summary] == []
