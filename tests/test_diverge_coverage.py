"""Coverage and alignment through the public functions of pipeline/diverge (build_view, coverage):
which facts are listed as left out, when an article counts as mentioning one (hyphenated, acronym,
another spelling), and each sentence's nearest sentences in other articles. Snippets cut from the
AllSides dev stories (../shared/data), real spaCy, the fake embedder."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.config import DivergenceConfig
from pipeline.diverge.coverage import coverage
from pipeline.diverge.view import build_view
from tests.test_diverge_logic import _article, _vectors

CFG = DivergenceConfig()
CAPITOL_REPORT = "A bipartisan group of senators released its report on the deadly Capitol riot."
_NOT_REPORTED = "not reported: no mention of "


def _left_out(nlp, embedder, *texts: str) -> dict[str, set[str]]:
    """For a story of one-paragraph articles a0, a1, ...: each fact the coverage detector lists,
    and the articles it says leave that fact out."""
    articles = [_article(nlp, f"a{i}", text) for i, text in enumerate(texts)]
    out: dict[str, set[str]] = {}
    for _score, d in coverage(build_view(articles, _vectors(embedder, articles)), CFG):
        assert d.kind == "coverage" and d.positions[0].citations  # who reports it comes first
        for p in d.positions:
            if not p.citations:
                assert p.text.startswith(_NOT_REPORTED)
                for fact in p.text.removeprefix(_NOT_REPORTED).split(", "):
                    out.setdefault(fact, set()).update(p.article_ids)
    return out


def test_hyphenated_word_mentions_the_name(nlp, fake_embedder):
    # 5973: the NYT's "pro-Trump extremists" does mention Trump; Fox's lead does not.
    left_out = _left_out(nlp, fake_embedder,
                         "Former President Donald Trump told supporters at a rally that the election was stolen.",
                         "Intelligence agencies failed to warn that pro-Trump extremists were threatening violence.",
                         CAPITOL_REPORT)
    assert left_out["Donald Trump"] == {"a2"}


@pytest.mark.parametrize("full_name", [
    # 6043: the Guardian's "the director of the CDC" names the Centers for Disease Control and Prevention.
    "New guidance from the Centers for Disease Control and Prevention came out on Thursday.",
    # spaCy keeps "The" in the name at the start of a sentence: its initials are still CDC, not TCDC.
    "The Centers for Disease Control and Prevention issued new guidance on Thursday.",
])
def test_acronym_of_a_name_without_its_and_tail_mentions_it(nlp, fake_embedder, full_name):
    left_out = _left_out(nlp, fake_embedder,
                         "The director of the CDC said that fully vaccinated Americans could drop masks.",
                         "Fully vaccinated Americans can largely drop their masks indoors, officials said.",
                         full_name,
                         "Boosters were approved by the Food and Drug Administration on Friday.")
    cdc = next(ids for fact, ids in left_out.items() if "Centers for Disease Control" in fact)
    assert cdc == {"a1", "a3"}
    fda = next(ids for fact, ids in left_out.items() if "Food and Drug Administration" in fact)
    assert "a0" in fda  # "FDA" / "F" are not in "the CDC"


def test_one_word_name_in_another_spelling_is_mentioned(nlp, fake_embedder):
    # Seeds: "Philadelphia corridor" (003) is the "Philadelphi Corridor" of 001; a name written
    # another way is the naming detector's item, not an omission.
    left_out = _left_out(nlp, fake_embedder,
                         "Netanyahu insisted on keeping control of the corridor along the border.",
                         "Troops under the plan Netanyahou announced would stay for months.",
                         CAPITOL_REPORT)
    assert left_out["Netanyahu"] == {"a2"}


def test_one_word_bodies_and_events_are_scene_not_facts(nlp, fake_embedder):
    # 5633 / 5667: "GOP", "House" are not facts a lead leaves out; a person named in full is.
    left_out = _left_out(nlp, fake_embedder,
                         "The GOP rejected a proposal to fund the government, and House Majority Leader Steny Hoyer "
                         "said the House will vote on Tuesday.",
                         CAPITOL_REPORT)
    assert left_out["Steny Hoyer"] == {"a1"}
    assert "GOP" not in left_out and "House" not in left_out


def test_nearest_neighbours_match_brute_force_and_skip_own_article(nlp):
    articles = [_article(nlp, f"a{a}", " ".join(f"Sentence number {s} of article {a} is here." for s in range(10)))
                for a in range(6)]
    assert all(len(a.sentences) == 10 for a in articles)
    rng = np.random.default_rng(0)
    vectors = {}
    for a in articles:
        rows = rng.normal(size=(10, 16)).astype(np.float32)
        vectors[a.id] = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    view = build_view(articles, vectors)
    matrix = np.vstack([vectors[a.id] for a in articles])
    owner = [it.article for it in view.items]
    assert [(it.article, it.sentence.index) for it in view.items] == [(a.id, s) for a in articles for s in range(10)]
    sims = matrix @ matrix.T
    for row, neighbours in enumerate(view.neighbours):
        assert len(neighbours) == 12
        assert all(owner[r] != owner[row] for r, _ in neighbours)
        assert [s for _, s in neighbours] == sorted((s for _, s in neighbours), reverse=True)
        others = [c for c in range(60) if owner[c] != owner[row]]
        best = sorted(others, key=lambda c: -sims[row, c])[:12]
        assert {r for r, _ in neighbours} == set(best)
        assert all(abs(s - sims[row, r]) < 1e-5 for r, s in neighbours)


def test_past_one_omission_per_article_only_figures_and_people_named_in_full_are_listed(nlp, fake_embedder):
    # 5715 / 5667: a lead names many bodies; past max(3, articles) items only a figure or a person
    # named in full is worth listing, even when the bodies' sentences are the more central ones.
    paragraph = " ".join([
        "Analysts at Goldman Sachs said the budget would slow growth.",
        "A spokesman for the World Health Organization said the budget cut aid.",
        "The European Central Bank said the budget was too loose.",
        "Lawyers told the Supreme Court that the budget broke the law.",
        "Forecasters at the National Weather Service said the budget cut their staff.",
        "Richard Ebright, a microbiologist, disputed it.",
    ])
    left_out = _left_out(nlp, fake_embedder, paragraph, CAPITOL_REPORT)
    bodies = [fact for fact in left_out if fact != "Richard Ebright"]
    assert len(bodies) == 3, left_out
    assert left_out["Richard Ebright"] == {"a1"}
