"""Divergence detectors on snippets cut from the AllSides dev stories (../shared/data), each with the
case that must be reported and the look-alike that must not: one value written two ways, compatible
bounds, paraphrases that agree, words both outlets use."""

from __future__ import annotations

import math

import pytest

from pipeline.config import DivergenceConfig
from pipeline.diverge import find_divergences
from pipeline.diverge.framing import _contrast
from pipeline.diverge.naming import spelled_differently
from pipeline.nlp.framing_words import markers
from pipeline.nlp.numbers import disagree, figures, values, words_to_digits
from tests.test_diverge_logic import _article, _assert_positions_cite_real_sentences, _vectors

CFG = DivergenceConfig()


def _kinds(nlp, embedder, *articles_paragraphs):
    articles = [_article(nlp, f"a{i}", *paragraphs) for i, paragraphs in enumerate(articles_paragraphs)]
    found = find_divergences(articles, _vectors(embedder, articles), CFG)
    _assert_positions_cite_real_sentences(found, articles)
    return found


def _one(text: str):
    (figure,) = figures(text)
    return figure


# --- numbers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("a,b", [
    ("over 40,000 people have died", "forty thousand people have died"),
    ("40,000 people", "40000 people"),
    ("40k people", "forty thousand people"),
    ("GDP grew 8.5% in the quarter", "GDP grew 8.5 percent in the quarter"),
    ("GDP grew 8.5 per cent", "GDP grew 8.5%"),
    ("a $1.2 billion budget", "a $1.2bn budget"),
    ("a $1,200 million budget", "a $1.2 billion budget"),
    ("Sixty votes were needed to advance the measure.", "Needing 60 votes, the bill failed."),  # 5667
    ("bans that have been in place for more than 18 months", "After a 19-month freeze"),      # 5623
    ("about 40,000 people", "40,312 people"),  # a round figure and a precise one that it rounds
    ("one hundred and twenty people", "120 people"),
])
def test_one_value_written_two_ways_never_disagrees(a, b):
    fa, fb = _one(a), _one(b)
    assert fa.unit == fb.unit
    assert not disagree(fa, fb)
    assert not disagree(fb, fa)


@pytest.mark.parametrize("a,b", [
    ("Approximately 1,200 people were killed", "About 1,139 people were killed"),
    ("a $6 trillion budget", "a $5 trillion budget"),
    ("60 votes", "61 votes"),
    ("more than 18 months", "17 months"),
    ("GDP grew 8.5%", "GDP grew 6.5 percent"),
])
def test_different_values_disagree(a, b):
    assert disagree(_one(a), _one(b))


def test_figure_values_and_units():
    assert _one("a $1.2bn budget").value == 1.2e9
    assert _one("a $1.2bn budget").unit == "$ budget"
    assert _one("8.5 per cent").unit == "percent"
    assert _one("more than 18 months").low == 18 and math.isinf(_one("more than 18 months").high)
    assert _one("up to 30 days").high == 30 and math.isinf(-_one("up to 30 days").low)
    assert words_to_digits("forty-five thousand people") == "45000 people"
    assert words_to_digits("one of the issues") == "one of the issues"  # a lone "one" is a pronoun
    assert values("spend $1.2bn and 8.5% more") == {1.2e9, 8.5}


@pytest.mark.parametrize("text", [
    "in the second quarter of 2021",            # a year is a date, not a count
    "President Joe Biden will propose $5 trillion in new federal spending",  # bare amount: unknown unit
    "the 5 m mark",                            # "m" without a currency is not million
])
def test_no_comparable_figure(text):
    assert figures(text) == []


# --- conflicts in stories ---------------------------------------------------------------------

CNN_18 = ("The United States plans to ease restrictions on travel for fully vaccinated visitors from Canada and "
          "Mexico, relaxing bans that have been in place for more than 18 months.")
FOX_19 = ("After a 19-month freeze, the United States plans to ease restrictions on travel for fully vaccinated "
          "visitors from Canada and Mexico.")
HILL_SIXTY = "Sixty votes were needed to advance the measure to fund the government and suspend the debt ceiling."
POLITICO_60 = "60 votes were needed to advance the measure to fund the government and suspend the debt ceiling."


def test_compatible_bounds_are_not_a_conflict(nlp, fake_embedder):
    found = _kinds(nlp, fake_embedder, [CNN_18], [FOX_19])
    assert [d for d in found if d.kind == "conflict"] == []
    # The control: the same pair with a figure outside the bound is a conflict.
    found = _kinds(nlp, fake_embedder, [CNN_18.replace("18", "20")], [FOX_19])
    assert [d.kind for d in found].count("conflict") == 1


def test_number_word_and_digits_are_not_a_conflict(nlp, fake_embedder):
    assert [d for d in _kinds(nlp, fake_embedder, [HILL_SIXTY], [POLITICO_60]) if d.kind == "conflict"] == []
    conflicts = [d for d in _kinds(nlp, fake_embedder, [HILL_SIXTY], [POLITICO_60.replace("60", "50")])
                 if d.kind == "conflict"]
    assert len(conflicts) == 1
    assert "Sixty" in conflicts[0].summary or "60" in conflicts[0].summary


# --- attribution -----------------------------------------------------------------------------

CNN_OFFICIALS = ("The United States plans to ease restrictions on travel for fully vaccinated visitors from Canada "
                 "and Mexico starting in early November, according to senior administration officials.")
FOX_AP = ("The United States plans to ease restrictions on travel for fully vaccinated visitors from Canada and "
          "Mexico starting in early November, the Associated Press reported.")


def test_same_claim_credited_to_different_sources(nlp, fake_embedder):
    found = [d for d in _kinds(nlp, fake_embedder, [CNN_OFFICIALS], [FOX_AP]) if d.kind == "attribution"]
    assert len(found) == 1
    texts = " ".join(p.text for p in found[0].positions)
    assert "senior administration officials" in texts and "Associated Press" in texts


def test_same_claim_same_source_is_not_an_attribution_divergence(nlp, fake_embedder):
    found = _kinds(nlp, fake_embedder, [CNN_OFFICIALS], [CNN_OFFICIALS.replace("The United States", "The U.S.")])
    assert [d for d in found if d.kind == "attribution"] == []


def test_principal_on_the_record_beside_officials_is_not_an_attribution_divergence(nlp, fake_embedder):
    # Held-out 6093: the President announcing his plan, and his officials briefing on it, are one source.
    biden = CNN_OFFICIALS.replace("according to senior administration officials", "President Biden said")
    found = _kinds(nlp, fake_embedder, [CNN_OFFICIALS], [biden])
    assert [d for d in found if d.kind == "attribution"] == []


# --- framing ---------------------------------------------------------------------------------

CBS_ROBUST = ("The nation's gross domestic product grew at a robust annualized rate of 6.5% in the second quarter "
              "of 2021, the Bureau of Economic Analysis said Thursday.")
FOX_PLAIN = ("Gross domestic product grew at a 6.5% annualized rate in the second quarter of 2021, according to "
             "an advance estimate released Thursday.")


def test_evaluative_word_against_neutral_wording_is_framing(nlp, fake_embedder):
    framing = [d for d in _kinds(nlp, fake_embedder, [CBS_ROBUST], [FOX_PLAIN]) if d.kind == "framing"]
    assert len(framing) == 1
    assert "robust" in framing[0].summary
    robust_side = [p for p in framing[0].positions if "robust" in p.text.split(":")[0]]
    assert robust_side and robust_side[0].article_ids == ("a0",)


def test_framing_shows_every_article_with_the_flat_wording(nlp, fake_embedder):
    # 5739: "A controversial Texas law" (CNN) against flat wording in both other outlets: one item, all three.
    plain_too = FOX_PLAIN.replace("according to an advance estimate released", "the Commerce Department said")
    framing = [d for d in _kinds(nlp, fake_embedder, [CBS_ROBUST], [FOX_PLAIN], [plain_too]) if d.kind == "framing"]
    assert len(framing) == 1
    assert sorted(p.article_ids for p in framing[0].positions) == [("a0",), ("a1",), ("a2",)]  # closest pair first
    assert framing[0].positions[0].article_ids == ("a0",) or framing[0].positions[1].article_ids == ("a0",)
    assert sum(p.text.startswith("stated plainly") for p in framing[0].positions) == 2


def test_paraphrases_that_agree_are_not_reported(nlp, fake_embedder):
    plain_again = FOX_PLAIN.replace("according to an advance estimate released", "the government said")
    found = _kinds(nlp, fake_embedder, [FOX_PLAIN], [plain_again])
    assert [d for d in found if d.kind in ("framing", "conflict")] == []


def test_a_word_both_outlets_use_is_not_framing(nlp, fake_embedder):
    # 6009: both say "heart failure"; only one puts it in the aligned sentence.
    cnn = ["Warner died peacefully on Tuesday evening, surrounded by his wife Jeanne Warner and family members.",
           "The cause of death was heart failure, the former staff member said."]
    fox = ["Warner died peacefully on Tuesday evening of heart failure, surrounded by his wife Jeanne Warner."]
    assert [d for d in _kinds(nlp, fake_embedder, cnn, fox) if d.kind == "framing"] == []


def test_words_inside_quotes_belong_to_the_speaker():
    assert markers('"This is a disaster," he said.').words() == ()
    assert markers("This is a disaster, he said.").negative == ("disaster",)
    assert markers("The drug appears to halve the risk.").hedge == ("appears",)
    assert markers("He slammed the plan.").loaded_verb == ("slammed",)
    assert markers("Netanyahu's claim was not confirmed.").loaded_verb == ()  # a noun, not a verb
    assert markers("Netanyahu claimed he had convinced Blinken.").loaded_verb == ("claimed",)


def test_hedge_counts_on_pairs_a_little_above_the_alignment_threshold():
    # 6081: the two sentences score 0.70 with all-MiniLM-L6-v2 (threshold 0.62).
    epoch = markers("The searches were allegedly linked to Giuliani's dealings in Ukraine.")
    cnn = markers("The searches were linked to a criminal probe of the former mayor's business dealings in Ukraine.")
    contrast = _contrast(epoch, cnn, 0.70, CFG.align_threshold)
    assert contrast is not None and contrast.subtype == "hedge" and "hedges" in contrast.summary
    assert _contrast(epoch, cnn, 0.65, CFG.align_threshold) is None  # looser pairs are often other claims


# --- naming ----------------------------------------------------------------------------------

@pytest.mark.parametrize("a,b", [("president", "presidential"), ("republican", "republicans"), ("europe", "european"),
                                 ("ronna mcdaniel", "ronna romney mcdaniel"), ("economics", "economist")])
def test_related_words_are_not_spelling_variants(a, b):
    assert not spelled_differently(a, b)


def test_name_spelled_two_ways_is_naming(nlp, fake_embedder):
    a = ["Analysts surveyed by Refinitiv were expecting 8.5% growth in the second quarter."]
    b = ["Analysts surveyed by Refintiv were expecting 8.5% growth in the second quarter."]  # 5823's typo
    naming = [d for d in _kinds(nlp, fake_embedder, a, b) if d.kind == "naming"]
    assert len(naming) == 1 and "Refintiv" in naming[0].summary and "Refinitiv" in naming[0].summary


# --- coverage --------------------------------------------------------------------------------

FOX_TAYLOR = ("Former Sen. John W. Warner of Virginia, a former Navy secretary who was once married to "
              "Elizabeth Taylor, has died at 94, his longtime chief of staff said Wednesday.")
CNN_WARNER = ("Former Senator John Warner, who represented Virginia in the US Senate for three decades, has died, "
              "a former staff member told CNN.")
HILL_WARNER = "Former GOP Sen. John Warner from Virginia, who served in Congress for five terms, has died."


def test_fact_only_one_outlet_reports_is_coverage(nlp, fake_embedder):
    found = [d for d in _kinds(nlp, fake_embedder, [CNN_WARNER], [HILL_WARNER], [FOX_TAYLOR])
             if d.kind == "coverage" and "Elizabeth Taylor" in d.topic]
    assert len(found) == 1
    reporting = found[0].positions[0]
    assert reporting.article_ids == ("a2",) and reporting.citations
    omissions = [p for p in found[0].positions if not p.citations]
    assert {a for p in omissions for a in p.article_ids} == {"a0", "a1"}
    assert all(p.text.startswith("not reported") and "Elizabeth Taylor" in p.text for p in omissions)


def test_fact_told_elsewhere_in_the_article_is_not_an_omission(nlp, fake_embedder):
    cnn = [CNN_WARNER, "He was 94 and had once been married to the actress Elizabeth Taylor."]
    found = [d for d in _kinds(nlp, fake_embedder, cnn, [HILL_WARNER], [FOX_TAYLOR])
             if d.kind == "coverage" and "Elizabeth Taylor" in d.topic]
    assert len(found) == 1  # the Hill still leaves it out
    for p in found[0].positions:
        if "a0" in p.article_ids and not p.citations:
            assert "Elizabeth Taylor" not in p.text  # a0 may lack "Navy", but it does tell of Taylor
        if "a1" in p.article_ids:
            assert "Elizabeth Taylor" in p.text


# Mentions, listed facts and alignment: tests/test_diverge_coverage.py (through build_view and coverage).


def test_near_spellings_used_about_different_things_are_not_naming(nlp, fake_embedder):
    # From the recession story: one letter apart, but an oil company and a US state, in unrelated sentences.
    a = ["Cargoes carrying Russian oil were en route to east India on Friday, where an Indian Oil Corp refinery is located."]
    b = ['"I have spent $650 on groceries already," said Brownsburg, Indiana, resident Krista Hoffman.']
    assert spelled_differently("indian", "indiana")
    assert [d for d in _kinds(nlp, fake_embedder, a, b) if d.kind == "naming"] == []
