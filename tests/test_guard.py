"""pipeline/guard.py: a generated sentence passes only if its sources back every fact in it."""

from __future__ import annotations

import pytest

from pipeline.guard import check, unsupported_facts

MEETING = (
    "On Monday, Blinken held a three-hour meeting with Netanyahu in Jerusalem, during which the "
    "Israeli leader reportedly agreed to a US “bridging proposal” intended to resolve key issues "
    "and move closer to a ceasefire agreement."
)
KILLED = "Approximately 1,200 people were killed, and 251 were taken hostage during the initial attack."
DIED = "Since then, over 40,000 people have died in Gaza, according to the Hamas-run health ministry."
QUOTE = (
    "Blinken told reporters: “This needs to get done. And it needs to get done in the days ahead "
    "and we will do everything possible to get it across the finish line.”"
)
NOT_CONFIRM = "Blinken did not confirm the statement."


@pytest.fixture(params=["spacy", "regex-only"])
def maybe_nlp(request, nlp):
    """Each case runs with the real spaCy entities and with the regex checks alone."""
    return nlp if request.param == "spacy" else None


@pytest.mark.parametrize("generated,sources", [
    ("Blinken held a three-hour meeting with Netanyahu in Jerusalem on Monday.", [MEETING]),
    ("The Israeli leader reportedly agreed to a US bridging proposal.", [MEETING]),
    ("Approximately 1,200 people were killed during the initial attack.", [KILLED]),
    ('Blinken told reporters: "This needs to get done."', [QUOTE]),  # straight vs curly quotes
    ("Blinken did not confirm the statement.", [NOT_CONFIRM]),
    # A fact may come from any of the cited sentences.
    ("Blinken met Netanyahu, and 251 were taken hostage.", [MEETING, KILLED]),
])
def test_faithful_paraphrase_passes(maybe_nlp, generated, sources):
    verdict = check(generated, sources, maybe_nlp)
    assert verdict.ok, verdict.missing
    assert verdict.missing == ()
    assert unsupported_facts(generated, sources, maybe_nlp) == []


def test_invented_number_fails(maybe_nlp):
    verdict = check("Approximately 1,300 people were killed.", ["Approximately 1,200 people were killed."], maybe_nlp)
    assert not verdict.ok
    assert any(m.replace(",", "") == "1300" for m in verdict.missing), verdict.missing


def test_invented_number_fails_against_real_seed_sentence(maybe_nlp):
    verdict = check("Approximately 1,300 people were killed during the initial attack.", [KILLED], maybe_nlp)
    assert not verdict.ok


@pytest.mark.parametrize("generated,sources", [
    ("Over 40000 people have died in Gaza, according to the Hamas-run health ministry.", [DIED]),
    ("Over 40,000 people have died in Gaza.", ["Over 40000 people have died in Gaza."]),
])
def test_same_number_with_and_without_thousands_separator_passes(maybe_nlp, generated, sources):
    verdict = check(generated, sources, maybe_nlp)
    assert verdict.ok, verdict.missing


def test_number_word_not_in_source_fails(maybe_nlp):
    verdict = check(
        "The proposed ceasefire framework is divided into three phases.",
        ["The proposed ceasefire framework is divided into two phases."],
        maybe_nlp,
    )
    assert not verdict.ok
    assert "three" in verdict.missing


def test_invented_title_fails_and_is_reported(maybe_nlp):
    # The failure seen with a small model: Blinken promoted to "US President".
    verdict = check(
        "US President Antony Blinken met Netanyahu.",
        ["US Secretary of State Antony Blinken met Netanyahu."],
        maybe_nlp,
    )
    assert not verdict.ok
    assert "President" in verdict.missing


def test_invented_person_fails(maybe_nlp):
    verdict = check("Blinken and Burns met Netanyahu in Jerusalem on Monday.", [MEETING], maybe_nlp)
    assert not verdict.ok
    assert "Burns" in verdict.missing


def test_quote_not_in_source_fails(maybe_nlp):
    verdict = check('Blinken told reporters: "This deal is dead."', [QUOTE], maybe_nlp)
    assert not verdict.ok
    assert '"This deal is dead."' in verdict.missing


def test_dropped_negation_fails(maybe_nlp):
    verdict = check("Blinken confirmed the statement.", [NOT_CONFIRM], maybe_nlp)
    assert not verdict.ok
    assert "<negation differs>" in verdict.missing
    # Negation is not a "fact" in the unsupported_facts sense, but the verdict still fails.
    assert unsupported_facts("Blinken confirmed the statement.", [NOT_CONFIRM], maybe_nlp) == []


def test_added_negation_fails(maybe_nlp):
    verdict = check("Blinken did not meet Netanyahu in Jerusalem on Monday.", [MEETING], maybe_nlp)
    assert not verdict.ok


def test_added_negation_fails_even_if_another_source_is_negated(maybe_nlp):
    # The negation in the second source is about something else; it cannot back
    # "Hamas did not accept the proposal", which contradicts the first source.
    verdict = check(
        "Hamas did not accept the proposal.",
        ["Hamas accepted the proposal.", "Israel did not comment on the talks."],
        maybe_nlp,
    )
    assert not verdict.ok


@pytest.mark.parametrize("generated", ["", "   ", "\n\t"])
def test_empty_text_fails(maybe_nlp, generated):
    verdict = check(generated, [MEETING], maybe_nlp)
    assert not verdict.ok
    assert verdict.missing


def test_capitalised_word_matches_whole_words_only(maybe_nlp):
    verdict = check("Israel leader met Blinken.", ["Israeli leader met Blinken."], maybe_nlp)
    assert not verdict.ok
    assert "Israel" in verdict.missing
    assert check("Israeli leader met Blinken.", ["Israeli leader met Blinken."], maybe_nlp).ok


def test_hyphenated_source_backs_its_parts(maybe_nlp):
    # "Egypt-Gaza border" in the source backs "Egypt" and "Gaza" on their own.
    verdict = check(
        "Israel wants control of the border between Egypt and Gaza.",
        ["Israel wants control of the Egypt-Gaza border."],
        maybe_nlp,
    )
    assert verdict.ok, verdict.missing


def test_facts_spread_over_sources_are_each_required(maybe_nlp):
    # "Jerusalem" is in MEETING, "251" in KILLED: with only one source, one fact is unbacked.
    generated = "Blinken met Netanyahu in Jerusalem, and 251 were taken hostage."
    assert check(generated, [MEETING, KILLED], maybe_nlp).ok
    assert "251" in check(generated, [MEETING], maybe_nlp).missing
    assert "Jerusalem" in check(generated, [KILLED], maybe_nlp).missing
