"""Naming: one person, place or body spelled differently by different articles."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from ..domain import Article, Citation, Divergence, Position
from .view import KIND_WEIGHT, NAME_LABELS, content_words, name_key


def name_variants(mentions: list[tuple[str, Citation]]) -> list[list[tuple[str, list[Citation]]]]:
    """Pairs of spellings that name one thing, each spelling with where it is used."""
    forms: dict[str, tuple[str, list[Citation]]] = {}  # key -> (surface, citations)
    for name, cit in mentions:
        key = name_key(name)
        if len(key) >= 4:
            forms.setdefault(key, (name, []))[1].append(cit)
    pairs = []
    for k1, k2 in _candidate_pairs(sorted(forms)):
        (s1, c1), (s2, c2) = forms[k1], forms[k2]
        if spelled_differently(k1, k2) and {c.article for c in c1} != {c.article for c in c2}:
            pairs.append([(s1, c1), (s2, c2)])
    return pairs


def _candidate_pairs(keys: list[str]) -> list[tuple[str, str]]:
    """Pairs of keys that could be one spelling change apart: same number of words, the same
    words but one, and that one starting with the same two letters. Comparing only within such
    blocks keeps a 40-article story from comparing every name with every other."""
    blocks: dict[tuple[int, int, str, str], list[str]] = {}
    for key in keys:
        words = key.split()
        for i, word in enumerate(words):
            rest = " ".join(words[:i] + words[i + 1:])
            blocks.setdefault((len(words), i, rest, word[:2]), []).append(key)
    pairs = {(a, b) for block in blocks.values() for j, a in enumerate(block) for b in block[j + 1:]}
    return sorted(pairs)


# English derivational endings: one added, or swapped for another on the same stem, makes a
# different word, not a different spelling.
_DERIVATIONAL = ("", "an", "ans", "al", "ial", "ic", "ics", "ical", "ist", "ists", "ism", "ed", "ing", "er", "ers", "ly")


def _same_stem_other_ending(x: str, y: str) -> bool:
    for ending in _DERIVATIONAL:
        stem = x[: len(x) - len(ending)]
        if x.endswith(ending) and len(stem) >= 4 and y.startswith(stem) and y[len(stem):] in _DERIVATIONAL:
            return True
    return False


def spelled_differently(a: str, b: str) -> bool:
    """Two name keys that differ in one word by a small spelling change."""
    ta, tb = a.split(), b.split()
    if a == b or len(ta) != len(tb):
        return False
    diffs = [(x, y) for x, y in zip(ta, tb) if x != y]
    if len(diffs) != 1:
        return False
    x, y = sorted(diffs[0], key=len)
    if len(x) < 5 or y in (x + "s", x + "es", x + "i", x + "is", x + "n", x + "ns", x + "ian", x + "ians", x + "ese"):
        return False  # plurals and demonyms ("Israel"/"Israeli") are not spellings of one name
    if _same_stem_other_ending(x, y):
        return False  # a derived word ("President"/"Presidential", "Economics"/"Economist") names something else
    return difflib.SequenceMatcher(None, x, y).ratio() >= 0.85


# Words (besides the name's own) that a sentence using one spelling must share with one using the
# other: two spellings of one name are used about one thing ("the Philadelphi Corridor ... Egypt,
# Gaza" / "the Philadelphia corridor ... Egypt to Gaza"); "an Indian Oil refinery" and "Brownsburg,
# Indiana" share nothing.
_SHARED_CONTEXT_WORDS = 2


def _same_context(pair: list[tuple[str, list[Citation]]], text_of: dict[tuple[str, int], str]) -> bool:
    (s1, c1), (s2, c2) = pair
    name_words = content_words(s1) | content_words(s2)
    words1 = [content_words(text_of[(c.article, c.sentence)]) - name_words for c in c1]
    words2 = [content_words(text_of[(c.article, c.sentence)]) - name_words for c in c2]
    return any(len(w1 & w2) >= _SHARED_CONTEXT_WORDS for w1 in words1 for w2 in words2)


def namings(articles: Sequence[Article]) -> list[tuple[float, Divergence]]:
    mentions = [
        (name, Citation(a.id, s.index))
        for a in articles for s in a.sentences
        for name in {e.text for e in s.entities if e.label in NAME_LABELS - {"NORP"}} | set(s.proper_nouns)
    ]
    text_of = {(a.id, s.index): s.text for a in articles for s in a.sentences}
    out = []
    for pair in name_variants(mentions):
        if not _same_context(pair, text_of):
            continue
        positions = tuple(
            Position(
                article_ids=tuple(dict.fromkeys(c.article for c in cits)),
                text=f"“{surface}”: {text_of[(cits[0].article, cits[0].sentence)]}",
                citations=tuple(dict.fromkeys(cits)),
            )
            for surface, cits in pair
        )
        names = " vs ".join(f"“{surface}”" for surface, _ in pair)
        conf = 0.6
        out.append((conf * KIND_WEIGHT["naming"], Divergence(
            kind="naming", topic=pair[0][0],
            summary=f"The articles name this differently: {names}.",
            positions=positions, confidence=conf,
        )))
    return out
