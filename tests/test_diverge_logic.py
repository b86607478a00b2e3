"""pipeline/diverge.py: number facts, spelling variants, hedges, and divergences of small stories."""

from __future__ import annotations

import pytest

from pipeline.config import DivergenceConfig
from pipeline.diverge import find_divergences
from pipeline.diverge.conflicts import number_facts
from pipeline.diverge.framing import hedges
from pipeline.diverge.naming import spelled_differently
from pipeline.domain import Article
from pipeline.ingest.clean import clean_body, split_title
from pipeline.nlp.analyse import analyse
from tests.conftest import SEEDS

KILLED_1200 = "Approximately 1,200 people were killed in the attack on southern Israel."
KILLED_1139 = "About 1,139 people were killed in the attack on southern Israel."
DIED_40000_COMMA = "Since then, over 40,000 people have died in Gaza, according to the health ministry."
DIED_40000_PLAIN = "Since then, over 40000 people have died in Gaza, according to the health ministry."
CAIRO = "Mediators have previously called for high-level talks to resume in Cairo this week."
SISI = "The senior official's remarks followed Blinken's meeting with Egyptian President Abdel Fattah al-Sisi in El-Alamein."
CFG = DivergenceConfig()


def _article(nlp, aid: str, *paragraphs: str) -> Article:
    body = "\n".join(paragraphs)
    (sentences,) = analyse([body], nlp)
    return Article(id=aid, title=aid, path=f"{aid}.txt", sha256=aid, body=body, sentences=sentences)


def _vectors(embedder, articles):
    return {a.id: embedder.embed([s.text for s in a.sentences]) for a in articles}


def _assert_positions_cite_real_sentences(divergences, articles):
    by_id = {a.id: a for a in articles}
    for d in divergences:
        assert d.positions, d
        assert 0.0 <= d.confidence <= 1.0
        for p in d.positions:
            assert p.article_ids and set(p.article_ids) <= set(by_id)
            for c in p.citations:
                assert c.article in p.article_ids
                sentences = by_id[c.article].sentences
                assert 0 <= c.sentence < len(sentences)
                assert sentences[c.sentence].index == c.sentence
            if p.citations:
                # What a position says is (or quotes) the sentence it cites.
                first = by_id[p.citations[0].article].sentences[p.citations[0].sentence]
                assert first.text in p.text


# --- number_facts ---------------------------------------------------------------------------

@pytest.mark.parametrize("text,facts", [
    ("1,200 people", {"people": 1200.0}),
    ("40000 people", {"people": 40000.0}),
    ("The release of 105 hostages", {"hostage": 105.0}),  # plural and singular are one unit
    ("Turnout rose to 62.5 percent", {"percent": 62.5}),
    ("Turnout rose to 62.5% on Sunday", {"percent": 62.5}),
    ("Approximately 1,200 people were killed, and 251 were taken hostage.", {"people": 1200.0}),
    ("No figures were given.", {}),
])
def test_number_facts(text, facts):
    assert number_facts(text) == facts


def test_number_facts_first_mention_of_a_unit_wins():
    assert number_facts("105 hostages were freed and 111 hostages remain.") == {"hostage": 105.0}


def test_number_facts_same_number_two_ways_is_equal():
    assert number_facts(DIED_40000_COMMA) == number_facts(DIED_40000_PLAIN) == {"people": 40000.0}


# --- spelled_differently ------------------------------------------------------------------------

@pytest.mark.parametrize("a,b,expected", [
    ("philadelphi corridor", "philadelphia corridor", True),
    ("netzarim corridor", "netzarim coridor", True),
    ("israel", "israeli", False),
    ("palestinian", "palestinians", False),
    ("egypt", "egyptian", False),
    ("trading economics", "trading economist", False),  # two words of one stem, not two spellings
    ("zelensky", "zelenskyy", True),
    ("philadelphi corridor", "philadelphi corridor", False),
    ("philadelphi corridor", "philadelphia", False),  # different number of words
    ("antony blinken", "antony netanyahu", False),    # a different name, not a spelling
    ("gaza", "gazo", False),                         # too short to judge
])
def test_spelled_differently(a, b, expected):
    assert spelled_differently(a, b) is expected
    assert spelled_differently(b, a) is expected


# --- hedges -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("The Israeli leader reportedly agreed to a US bridging proposal.", {"reportedly"}),
    ("While Hamas sources suggest that the IDF would stay, Israeli sources have hinted otherwise.",
     {"suggest", "hinted"}),
    ("The plan Allegedly leaked.", {"allegedly"}),
    ("The Israeli leader agreed to a US bridging proposal.", set()),
    ("The deal could collapse and talks may resume.", set()),  # modals are not hedges
])
def test_hedges(text, expected):
    assert hedges(text) == expected


# --- find_divergences ---------------------------------------------------------------------------

def test_number_conflict_is_reported_with_both_articles(nlp, fake_embedder):
    a = _article(nlp, "a", KILLED_1200, CAIRO)
    b = _article(nlp, "b", KILLED_1139, CAIRO)
    found = find_divergences([a, b], _vectors(fake_embedder, [a, b]), CFG)
    conflicts = [d for d in found if d.kind == "conflict"]
    assert len(conflicts) == 1
    (c,) = conflicts
    assert {art for p in c.positions for art in p.article_ids} == {"a", "b"}
    assert {(cit.article, cit.sentence) for p in c.positions for cit in p.citations} == {("a", 0), ("b", 0)}
    assert {p.text for p in c.positions} == {KILLED_1200, KILLED_1139}
    assert "1,200" in c.summary and "1,139" in c.summary
    assert 0.0 < c.confidence <= 1.0
    _assert_positions_cite_real_sentences(found, [a, b])


def test_conflict_found_in_a_three_article_story(nlp, fake_embedder):
    a = _article(nlp, "a", KILLED_1200)
    b = _article(nlp, "b", CAIRO, KILLED_1139)
    c = _article(nlp, "c", CAIRO)
    found = find_divergences([a, b, c], _vectors(fake_embedder, [a, b, c]), CFG)
    conflicts = [d for d in found if d.kind == "conflict"]
    assert len(conflicts) == 1
    assert {(cit.article, cit.sentence) for p in conflicts[0].positions for cit in p.citations} == {("a", 0), ("b", 1)}
    _assert_positions_cite_real_sentences(found, [a, b, c])


def test_one_figure_against_another_is_one_item_citing_every_article_that_gives_it(nlp, fake_embedder):
    # Two outlets repeat 1,200 against one 1,139: one disagreement, not an item per pair of sentences.
    a = _article(nlp, "a", KILLED_1200, CAIRO)
    b = _article(nlp, "b", KILLED_1139, CAIRO)
    c = _article(nlp, "c", CAIRO, KILLED_1200)
    found = find_divergences([a, b, c], _vectors(fake_embedder, [a, b, c]), CFG)
    conflicts = [d for d in found if d.kind == "conflict"]
    assert len(conflicts) == 1
    sides = {frozenset(p.article_ids): {(cit.article, cit.sentence) for cit in p.citations} for p in conflicts[0].positions}
    assert sides == {frozenset({"a", "c"}): {("a", 0), ("c", 1)}, frozenset({"b"}): {("b", 0)}}
    _assert_positions_cite_real_sentences(found, [a, b, c])


@pytest.mark.parametrize("month_a,month_b,conflict", [("March", "June", False), ("June", "June", True)])
def test_figures_of_different_months_are_not_a_conflict(nlp, fake_embedder, month_a, month_b, conflict):
    # "8.5% through March" and "9.1% in June" can both be true; two figures for one June cannot.
    a = _article(nlp, "a", f"Consumer prices climbed 8.5% in {month_a} from a year earlier, the government said.", CAIRO)
    b = _article(nlp, "b", f"Consumer prices climbed 9.1% in {month_b} from a year earlier, the government said.", CAIRO)
    found = find_divergences([a, b], _vectors(fake_embedder, [a, b]), CFG)
    assert len([d for d in found if d.kind == "conflict"]) == (1 if conflict else 0)


def test_same_number_written_two_ways_is_not_a_conflict(nlp, fake_embedder):
    a = _article(nlp, "a", DIED_40000_COMMA, CAIRO)
    b = _article(nlp, "b", DIED_40000_PLAIN, CAIRO)
    found = find_divergences([a, b], _vectors(fake_embedder, [a, b]), CFG)
    assert [d for d in found if d.kind == "conflict"] == []
    _assert_positions_cite_real_sentences(found, [a, b])


def test_identical_articles_have_no_conflict(nlp, fake_embedder):
    a = _article(nlp, "a", KILLED_1200, CAIRO)
    b = _article(nlp, "b", KILLED_1200, CAIRO)
    found = find_divergences([a, b], _vectors(fake_embedder, [a, b]), CFG)
    assert found == []


def test_story_of_one_article_has_no_divergences(nlp, fake_embedder):
    a = _article(nlp, "a", KILLED_1200, KILLED_1139)  # even if it contradicts itself
    assert find_divergences([a], _vectors(fake_embedder, [a]), CFG) == []
    assert find_divergences([], {}, CFG) == []


def test_hedged_vs_flat_is_framing(nlp, fake_embedder):
    hedged = "The Israeli leader reportedly agreed to a US bridging proposal in Jerusalem on Monday."
    flat = "The Israeli leader agreed to a US bridging proposal in Jerusalem on Monday."
    a = _article(nlp, "a", hedged)
    b = _article(nlp, "b", flat)
    found = find_divergences([a, b], _vectors(fake_embedder, [a, b]), CFG)
    framing = [d for d in found if d.kind == "framing"]
    assert len(framing) == 1
    hedged_pos, flat_pos = framing[0].positions
    assert hedged_pos.article_ids == ("a",) and "reportedly" in hedged_pos.text
    assert flat_pos.article_ids == ("b",)
    _assert_positions_cite_real_sentences(found, [a, b])


def test_max_items_caps_the_list(nlp, fake_embedder):
    a = _article(nlp, "a", KILLED_1200, SISI)
    b = _article(nlp, "b", KILLED_1139)
    vectors = _vectors(fake_embedder, [a, b])
    assert len(find_divergences([a, b], vectors, CFG)) >= 2
    assert len(find_divergences([a, b], vectors, DivergenceConfig(max_items=1))) == 1
    assert find_divergences([a, b], vectors, DivergenceConfig(max_items=0)) == []


def test_seed_story_positions_cite_real_sentences(nlp, fake_embedder):
    articles = []
    for path in sorted(SEEDS.glob("*.txt"))[:4]:
        title, body = split_title(path.read_text(encoding="utf-8"))
        body = clean_body(body)
        (sentences,) = analyse([body], nlp)
        articles.append(Article(path.stem[:3], title, str(path), "", body, sentences))
    found = find_divergences(articles, _vectors(fake_embedder, articles), CFG)
    assert found
    assert len(found) <= CFG.max_items
    _assert_positions_cite_real_sentences(found, articles)
    # "Philadelphi Corridor" (001) vs "Philadelphia corridor" (002) is one place spelled two ways.
    naming = [d for d in found if d.kind == "naming" and "Philadelphi" in d.summary]
    assert naming
    assert {a for p in naming[0].positions for a in p.article_ids} == {"001", "002"}


def test_item_without_names_is_labelled_by_the_words_its_sentences_share(nlp, fake_embedder):
    from pipeline.diverge.view import build_view, topic

    june = "Inflation has now reached a 40-year high of 9.1% in June."
    based = "Based on the latest price numbers inflation is running at a 41-year high of 9.1%."
    # "inflation" and "high" are in more sentences of the story than a rare word is, as in a real one.
    a = _article(nlp, "a", june, "Stocks fell sharply as traders sold.", "Inflation worries weigh on shoppers.")
    b = _article(nlp, "b", based, "Mortgage rates climbed for a third week.", "Gas prices stay high everywhere.")
    c = _article(nlp, "c", "Inflation has eaten into wages this spring.", "Rents remain high in most cities.",
                 "The central bank meets again next month.", "Lenders expect tighter credit soon.")
    view = build_view([a, b, c], _vectors(fake_embedder, [a, b, c]))
    assert view.word_df["inflation"] > max(2, int(0.04 * len(view.items))) < view.word_df["high"]
    group = [it for it in view.items if it.sentence.text in (june, based)]
    assert len(group) == 2 and not any(e.label in ("PERSON", "ORG", "GPE") for it in group for e in it.sentence.entities)
    words = topic(view, group).split(", ")
    # Shared words name the item; words of one side ("reached", "based", "latest") do not.
    assert "inflation" in words and "high" in words
    assert not {"reached", "based", "latest", "june", "running"} & set(words)
