"""Coverage: specific facts (rare names, figures) that some articles report and others leave out."""

from __future__ import annotations

import functools
import re

import numpy as np

from ..config import DivergenceConfig
from ..domain import Divergence, Position
from ..nlp.numbers import values
from ..nlp.tokens import normalise
from .naming import spelled_differently
from .view import KIND_WEIGHT, Item, StoryView, best_matches, name_key, padded_words, position

# Omissions listed per story: about one per article, at least 3 and at most 6, plus one more if it
# is a figure or a person named in full. Lead paragraphs of three outlets differ in nearly every
# sentence; more items than that mostly list trivia.
_MAX_COVERAGE_ITEMS = 6
_FACT_LABELS = {"PERSON", "ORG", "FAC", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW"}


def coverage(view: StoryView, cfg: DivergenceConfig) -> list[tuple[float, Divergence]]:
    """Specific facts (rare names, figures) that some articles report and others leave out.

    An article leaves a fact out only if no sentence of it restates the sentence and its whole
    text lacks one of the sentence's specific names or figures: a fact told in other words
    elsewhere in the article is not an omission.
    """
    n = len(view.article_ids)
    candidates = []
    for it in view.items:
        facts = _rare_facts(view, it)
        if not it.sentence.eligible or not facts:
            continue
        echoes = [m for m, sim in best_matches(view, it, cfg.coverage_threshold)
                  if _restates(view, it, m, sim, facts, cfg)]
        told = {it.article} | {m.article for m in echoes}
        absent = {a: [f for f in facts if not _mentions(view, a, f)] for a in view.article_ids if a not in told}
        missing = tuple(a for a in view.article_ids if absent.get(a))
        if missing:
            shown = list(dict.fromkeys(f for a in missing for f in absent[a]))
            # Central facts first; fewer articles reporting it and more specific facts make it stand out.
            score = float(view.centrality[it.row]) * (1 + 0.1 * min(len(shown), 4)) * (len(missing) / (n - 1))
            candidates.append((score, it, echoes, shown, {a: absent[a] for a in missing}))
    candidates.sort(key=lambda c: -c[0])
    out, taken, listed = [], [], []
    for score, it, echoes, shown, missing in candidates:
        if (any(view.sim(it.row, t) >= cfg.align_threshold for t in taken)
                or any(set(shown) <= facts for facts in listed)):
            continue  # the same fact already listed from another article
        if len(out) >= max(3, n) and not _checkable(it, shown):
            continue  # past one omission per article, only a figure or a named person is worth listing
        taken.append(it.row)
        listed.append(set(shown))
        reporting = [it] + echoes
        conf = round(float(np.clip(view.centrality[it.row] + 0.3, 0.0, 1.0)), 3)
        # Articles that state these facts elsewhere, in other sentences, report them too.
        telling = n - len(missing)
        who = "Only one article reports" if telling == 1 else f"{telling} of {n} articles report"
        out.append((score * KIND_WEIGHT["coverage"], Divergence(
            kind="coverage",
            topic=", ".join(shown[:3]),
            summary=f"{who} this ({', '.join(shown[:3])}); {len(missing)} leave{'s' if len(missing) == 1 else ''} it out.",
            positions=(*(position([r]) for r in reporting), *_omissions(missing)),
            confidence=conf,
        )))
        if len(out) >= min(_MAX_COVERAGE_ITEMS, max(3, n) + 1):
            break
    return out


def _checkable(item: Item, facts: list[str]) -> bool:
    """A figure with digits, or a person named in full: facts a reader can check, unlike a
    bare organisation or surname ("GOP", "Biden") that a lead may simply not need."""
    people = {e.text for e in item.sentence.entities if e.label == "PERSON" and len(e.text.split()) >= 2}
    return any(re.search(r"\d", f) or f in people for f in facts)


def _omissions(missing: dict[str, list[str]]) -> list[Position]:
    """One position per set of left-out facts: which articles lack which names or figures."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for article, facts in missing.items():
        groups.setdefault(tuple(facts), []).append(article)
    return [Position(tuple(ids), f"not reported: no mention of {', '.join(facts)}", ()) for facts, ids in groups.items()]


def _mentions(view: StoryView, article: str, fact: str) -> bool:
    """Does the article state this name or figure anywhere, in any usual spelling?"""
    probe = _probe(fact)
    if isinstance(probe, frozenset):
        return bool(probe) and probe <= view.values[article]
    phrase, initials, last = probe
    text = view.texts[article]
    return (
        not phrase or phrase in text
        # "United States" and "US"; "Centers for Disease Control and Prevention" and "CDC".
        or any(len(i) >= 2 and i in view.raw_words[article] for i in initials)
        # A person or body named in full once is named by its last word after that ("Hanen").
        or (last is not None and last in text)
        # "Philadelphia" in one outlet is "Philadelphi" in another: a spelling, not an omission
        # (the naming detector reports it).
        or _spelled_in(view, article, phrase.strip())
    )


def _spelled_in(view: StoryView, article: str, key: str) -> bool:
    """Is a one-word name written in the article with a small spelling change?"""
    if " " in key or len(key) < 5:
        return False
    return any(spelled_differently(key, word) for word in view.words_by_prefix[article].get(key[:2], ()))


@functools.lru_cache(maxsize=4096)
def _probe(fact: str) -> frozenset[float] | tuple[str, tuple[str, ...], str | None]:
    """What to look for in an article, worked out once per fact: its values if it is a figure,
    else its words as a padded phrase, its initials, and its last word if that can stand alone."""
    if re.search(r"\d", fact):
        return frozenset(values(fact))
    words = padded_words(name_key(fact)).split()
    if not words:
        return "", (), None
    # An acronym often stops before an "and ..." tail of the full name, and never has the "The"
    # that spaCy keeps in a name at the start of a sentence ("The Centers for ..." is CDC).
    named = re.sub(r"^(?:The|A|An)\s+", "", fact)
    full = "".join(w[0] for w in named.split() if w[:1].isupper())
    head = "".join(w[0] for w in named.split(" and ")[0].split() if w[:1].isupper())
    initials = (full, head) if len(head) >= 3 and head != full else (full,)
    last = f" {words[-1]} " if len(words) > 1 and len(words[-1]) >= 4 else None
    return f" {' '.join(words)} ", initials, last


def _restates(view: StoryView, item: Item, other: Item, sim: float, facts: list[str], cfg: DivergenceConfig) -> bool:
    """Does `other` report the fact in `item`? Near-paraphrase, or similar and sharing its specifics."""
    if sim >= cfg.align_threshold + 0.13:
        return True
    other_text = normalise(other.sentence.text).lower()
    shared_facts = [f for f in facts if normalise(f).lower() in other_text]
    return bool(shared_facts) or len(view.rare_words(item) & view.rare_words(other)) >= 2


def _rare_facts(view: StoryView, item: Item) -> list[str]:
    """Names few sentences of the story mention, and figures: what makes a fact checkable."""
    limit = max(2, int(0.03 * len(view.items)))
    # Places and groups ("U.S.", "Republican") set the scene; who did what, and figures, are the facts.
    # A one-word body or event ("Congress", "GOP", "COVID-19", "ISIS") is scene too: a lead that
    # does not name it has usually said "lawmakers" or "the pandemic". People are kept ("Hanen").
    names = [e.text for e in item.sentence.entities if e.label in _FACT_LABELS and view.name_df[e.text] <= limit
             and (e.label == "PERSON" or len(e.text.split()) > 1)]
    # Figures written with digits: "one of the issues" is not a figure, "251 hostages" is.
    figures = [e.text for e in item.sentence.entities
               if e.label in ("CARDINAL", "MONEY", "PERCENT", "QUANTITY", "DATE") and re.search(r"\d", e.text)]
    return list(dict.fromkeys(names + figures))
