"""pipeline/text.py: titles, boilerplate, normalisation and spaCy sentence analysis."""

from __future__ import annotations

import pytest

from pipeline.ingest.clean import clean_body, is_boilerplate, split_title
from pipeline.nlp.analyse import analyse
from pipeline.nlp.tokens import normalise
from tests.conftest import SEEDS

SEED_000 = SEEDS / "000_4534dcaf07a772fc.txt"
SEED_001 = SEEDS / "001_855b90c67b6645bb.txt"
SEED_002 = SEEDS / "002_cd7c3d3fb6a8b13d.txt"
SEED_003 = SEEDS / "003_add3ec1abea9c301.txt"

BLINKEN_QUOTE = (
    "Blinken told reporters: “This needs to get done. "
    "And it needs to get done in the days ahead.”"
)
HAMAS_SOURCES = (
    "While Hamas sources suggest that the IDF would maintain a reduced presence in the area, "
    "Israeli sources have hinted that alternative measures along the border could replace an "
    "IDF withdrawal in the initial phase of the deal."
)
FOUR_OFFICIALS = (
    "Under the new U.S. proposal, Israeli troops would be able to continue to patrol part of "
    "that border area, albeit in reduced numbers, according to four officials familiar with "
    "the talks, who spoke on condition of anonymity because they were not authorized to speak publicly."
)
NETANYAHU_LEAD = (
    "Israeli Prime Minister Benjamin Netanyahu characterized his three-hour meeting with U.S. "
    "Secretary of State Antony Blinken as “positive” and “conducted in good spirit,” despite "
    "mounting pressure for a ceasefire in the ongoing conflict between Israel and Hamas."
)


def _read(path) -> str:
    return path.read_text(encoding="utf-8")


# --- split_title ---------------------------------------------------------------

def test_split_title_first_non_empty_line_is_title():
    title, body = split_title("\n\n   US Pushes Back Against Netanyahu  \n\nFirst paragraph.\nSecond paragraph.\n")
    assert title == "US Pushes Back Against Netanyahu"
    assert "US Pushes Back" not in body
    assert body.split() == ["First", "paragraph.", "Second", "paragraph."]


def test_split_title_on_real_seed_with_headline():
    title, body = split_title(_read(SEED_000))
    assert title == "US Pushes Back Against Netanyahu’s Ceasefire Remarks"
    assert body.lstrip().startswith("A senior US administration official")


def test_split_title_long_first_line_is_a_lead_and_stays_in_body():
    raw = _read(SEED_003)  # starts with "DOHA, Qatar — ..." and no headline
    first_line = raw.splitlines()[0]
    assert len(first_line.split()) > 25
    title, body = split_title(raw)
    assert body.splitlines()[0] == first_line  # the lead is not lost
    assert title.endswith("…")
    assert title.startswith("DOHA, Qatar — Secretary of State")
    assert len(title.split()) <= 26  # a short title, not the whole lead


def test_split_title_boundary_25_words_is_a_title_26_is_a_lead():
    line25 = " ".join(f"w{i}" for i in range(25))
    line26 = " ".join(f"w{i}" for i in range(26))
    assert split_title(f"{line25}\nBody.") == (line25, "Body.")
    title, body = split_title(f"{line26}\nBody.")
    assert title != line26
    assert body.splitlines() == [line26, "Body."]


@pytest.mark.parametrize("raw", ["", "\n\n", "   \n\t\n"])
def test_split_title_of_empty_text(raw):
    assert split_title(raw) == ("", "")


# --- boilerplate ---------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "This article originally appeared in The New York Times.",
    "© 2024 The New York Times Company",
    "Related Sources:",
    "Copyright 2024 Reuters. All rights reserved.",
    "(c) 2024 Associated Press",
    "All rights reserved.",
    "By Jane Doe",
    "By Isabel Kershner and Adam Rasgon",
    "  By Jane Doe  ",
    "Advertisement",
])
def test_boilerplate_lines_are_recognised(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", [
    "Hamas accused the United States of bowing to what it called “new conditions” from Israel.",
    "The court ruled that copyright law did not apply to the leaked cables.",
    "Reporters said the article was protected by copyright, according to the publisher.",
    "Mediators have previously called for high-level talks to resume in Cairo this week.",
    "Israel claims that 111 hostages are still being held, with 39 presumed dead.",
    "Netanyahu was stopped by the guards.",
])
def test_normal_sentences_are_not_boilerplate(line):
    assert not is_boilerplate(line)


@pytest.mark.parametrize("line", [
    # Sentences that open with "By" + a time are reporting, not bylines.
    "By Tuesday, negotiators had agreed.",
    "By noon the crowd had grown.",
])
def test_sentences_starting_with_by_are_not_bylines(line):
    assert not is_boilerplate(line)


def test_clean_body_drops_nyt_furniture_from_real_seed():
    _, body = split_title(_read(SEED_003))
    cleaned = clean_body(body)
    assert "originally appeared" not in cleaned
    assert "©" not in cleaned
    assert "New York Times Company" not in cleaned
    # The reporting itself survives, one paragraph per line.
    assert "according to four officials familiar with the talks" in cleaned
    assert cleaned.splitlines()[-1].startswith("Under the new U.S. proposal")


def test_clean_body_drops_related_sources_trailer():
    _, body = split_title(_read(SEED_002))
    cleaned = clean_body(body)
    assert "Related Sources" not in cleaned
    assert cleaned.splitlines()[-1].startswith("With a new round of negotiations")


def test_clean_body_strips_lines_and_drops_blank_runs():
    body = "\n\n  First paragraph.  \n\n\n\tBy Jane Doe\nSecond paragraph.\n   \n"
    assert clean_body(body) == "First paragraph.\nSecond paragraph."


def test_clean_body_keeps_mid_sentence_copyright():
    line = "The court ruled that copyright law did not apply to the leaked cables."
    assert clean_body(f"{line}\nCopyright 2024 Reuters") == line


# --- normalise -------------------------------------------------------------------

def test_normalise_unifies_quotes_dashes_and_spaces():
    text = "  “Positive”\u00a0talks — Blinken’s  ‘bridging’ plan – now\n\tagreed  "
    assert normalise(text) == "\"Positive\" talks - Blinken's 'bridging' plan - now agreed"


def test_normalise_applies_nfkc():
    assert normalise("ﬁnal ｄｅａｌ") == "final deal"


def test_normalise_is_idempotent_on_a_seed():
    text = _read(SEED_001)
    once = normalise(text)
    assert normalise(once) == once
    assert "\n" not in once and "  " not in once


# --- analyse ----------------------------------------------------------------------

def test_caption_line_does_not_fuse_with_next_paragraph(nlp):
    _, body = split_title(_read(SEED_001))
    sentences = analyse([clean_body(body)], nlp)[0]
    assert sentences[0].text == "Benjamin Netanyahu"
    assert not sentences[0].eligible
    assert sentences[1].text == NETANYAHU_LEAD
    assert sentences[1].eligible
    assert all("Benjamin Netanyahu Israeli" not in s.text for s in sentences)


def test_caption_directly_above_paragraph_stays_separate(nlp):
    (sentences,) = analyse([f"Benjamin Netanyahu\n{NETANYAHU_LEAD}"], nlp)
    assert [s.text for s in sentences] == ["Benjamin Netanyahu", NETANYAHU_LEAD]


def test_quotation_split_by_spacy_stays_one_sentence(nlp):
    # Precondition: spaCy on its own does cut this quotation in two.
    assert len(list(nlp(BLINKEN_QUOTE).sents)) > 1
    (sentences,) = analyse([BLINKEN_QUOTE], nlp)
    assert [s.text for s in sentences] == [BLINKEN_QUOTE]
    assert sentences[0].attributions == ("Blinken",)


def test_sentence_indices_run_over_the_whole_body(nlp):
    body = clean_body(split_title(_read(SEED_003))[1])
    (sentences,) = analyse([body], nlp)
    assert [s.index for s in sentences] == list(range(len(sentences)))
    # Every sentence is text of the body, and the sentences cover it in order.
    assert " ".join(s.text for s in sentences).split() == body.split()


def test_analyse_keeps_bodies_apart(nlp):
    a, b = analyse([HAMAS_SOURCES, "Two Israeli officials said it was unclear where and when they would next convene."], nlp)
    assert [s.text for s in a] == [HAMAS_SOURCES]
    assert len(b) == 1 and b[0].text.startswith("Two Israeli officials")
    assert analyse([], nlp) == []


def test_attribution_subject_of_reporting_verb(nlp):
    (sentences,) = analyse([HAMAS_SOURCES], nlp)
    assert "Hamas sources" in sentences[0].attributions


def test_attribution_according_to(nlp):
    (sentences,) = analyse([FOUR_OFFICIALS], nlp)
    assert "four officials" in sentences[0].attributions
    # The relative clause is not part of who the claim is credited to.
    assert not any("spoke" in a for a in sentences[0].attributions)


def test_attribution_keeps_hyphenated_source_as_written(nlp):
    text = "Since then, over 40,000 people have died in Gaza, according to the Hamas-run health ministry."
    (sentences,) = analyse([text], nlp)
    assert "Hamas-run health ministry" in sentences[0].attributions


def test_sentence_without_source_has_no_attribution(nlp):
    (sentences,) = analyse(["Mediators have previously called for high-level talks to resume in Cairo this week."], nlp)
    assert sentences[0].attributions == ()


def test_entities_and_proper_nouns(nlp):
    (sentences,) = analyse([NETANYAHU_LEAD], nlp)
    s = sentences[0]
    labels = {e.text: e.label for e in s.entities}
    assert labels.get("Benjamin Netanyahu") == "PERSON"
    assert "Netanyahu" in s.proper_nouns and "Blinken" in s.proper_nouns
    assert "Israeli" not in s.proper_nouns  # a demonym, not a name


@pytest.mark.parametrize("text,eligible", [
    ("Benjamin Netanyahu", False),                                     # caption
    ("US Diplomacy Efforts Intensify Amid Israeli-Hamas Conflict", False),  # heading, no full stop
    ("Will Hamas accept the latest U.S. proposal before the talks in Cairo?", False),  # question
    ("Talks resumed.", False),                                          # too short to stand alone
    ("Mediators have previously called for high-level talks to resume in Cairo this week.", True),
    (BLINKEN_QUOTE, True),                                              # ends in a closing quote
])
def test_eligibility(nlp, text, eligible):
    (sentences,) = analyse([text], nlp)
    assert len(sentences) == 1
    assert sentences[0].eligible is eligible


def test_sentence_starting_with_by_is_eligible(nlp):
    (sentences,) = analyse(["By Tuesday, negotiators had agreed."], nlp)
    assert [s.text for s in sentences] == ["By Tuesday, negotiators had agreed."]
    assert sentences[0].eligible
