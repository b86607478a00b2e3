"""Faithfulness guard: a generated sentence survives only if its sources back every fact in it.

Facts checked: numbers (digits or number words), names (every capitalised word and
every spaCy entity), quotations, and negation. Each must appear in the cited
sentences, compared after `normalise` and on whole words. Anything missing and the
caller puts the extractive sentence back in its place.

A sentence always backs itself (`check(s, [s]).ok`): a name is matched against whole
source words or runs of whole parts of a compound ("AR-15" in "AR-15-style", "Instead"
in "future...Instead"), and a spaCy entity that cuts a word ("d." of "wed.") is read
as the whole word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..nlp.numbers import CARDINAL_WORDS
from ..nlp.tokens import normalise

if TYPE_CHECKING:
    from spacy.language import Language

# Cardinal words come from numbers.py (one list for the guard and the conflict detector); the
# guard also checks words that imply a count or an order.
_NUMBER_WORDS = {
    *CARDINAL_WORDS, "dozen", "half", "twice", "double",
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
}
_NEGATIONS = {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "n't"}
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_CAPITALISED = re.compile(r"\b[A-Z][\w'.-]*")
_QUOTED = re.compile(r'"([^"]{3,})"')
_WORD = re.compile(r"[\w'.-]+")
# Inside a word: what joins the parts of "AR-15-style", "O'Neill", "U.S." or "future...Instead".
_JOINERS = re.compile(r"[-'.]+")
# A compound of more parts than this backs its single parts only (runs grow quadratically).
_MAX_COMPOUND_PARTS = 12


@dataclass(frozen=True)
class Verdict:
    ok: bool
    missing: tuple[str, ...] = ()


def check(generated: str, sources: Sequence[str], nlp: Language | None = None) -> Verdict:
    """Is every number, name, quote and negation in `generated` backed by `sources`?"""
    gen = normalise(generated)
    src = normalise(" ".join(sources))
    if not gen:
        return Verdict(False, ("<empty>",))
    src_words = _word_set(src)
    missing = [n for n in _numbers(gen) if n not in _numbers(src)]
    missing += [w for w in _number_words(gen) if w not in src_words]
    missing += [w for w in _names(gen, nlp) if not _has_words(w, src_words)]
    missing += [f'"{q}"' for q in _QUOTED.findall(gen) if normalise(q).casefold() not in src.casefold()]
    if _negated(gen) != _negated(normalise(_closest(gen, sources))):
        missing.append("<negation differs>")
    return Verdict(not missing, tuple(dict.fromkeys(missing)))


def unsupported_facts(text: str, sources: Sequence[str], nlp: Language | None = None) -> list[str]:
    """The facts in `text` its sources lack (empty when faithful): for tests and evals."""
    verdict = check(text, sources, nlp)
    return [m for m in verdict.missing if m != "<negation differs>"]


def _numbers(text: str) -> set[str]:
    # "40,000" and "40000" are one number; a trailing full stop is punctuation.
    return {m.replace(",", "").rstrip(".") for m in _DIGITS.findall(text)}


def _number_words(text: str) -> list[str]:
    return [w for w in _tokens(text) if w in _NUMBER_WORDS]


def _names(text: str, nlp: Language | None) -> list[str]:
    names = [m.group(0).rstrip(".") for m in _CAPITALISED.finditer(text)]
    if nlp is not None:
        names += [_whole_words(text, e.start_char, e.end_char).rstrip(".")
                  for e in nlp(text).ents if e.label_ not in ("CARDINAL", "ORDINAL")]
    # Stray punctuation is no name: an "entity" without a letter or digit has nothing to check.
    return [n for n in dict.fromkeys(names) if any(w for w in _tokens(n))]


def _whole_words(text: str, start: int, end: int) -> str:
    """text[start:end] widened to the words it touches: spaCy reads "wed." as "we" + "d."."""
    for m in _WORD.finditer(text):
        if m.start() < end and m.end() > start:
            start, end = min(start, m.start()), max(end, m.end())
    return text[start:end]


def _closest(generated: str, sources: Sequence[str]) -> str:
    """The cited sentence sharing most words with the generated one: the one it restates."""
    words = set(_tokens(generated))
    return max(sources, key=lambda s: len(words & set(_tokens(s))), default="")


def _negated(text: str) -> bool:
    return any(w in _NEGATIONS or w.endswith("n't") for w in _tokens(text))


def _tokens(text: str) -> list[str]:
    # casefold, not lower: the same letter folds the same way wherever it stands (final sigma).
    return [w.strip(".'-").casefold() for w in _WORD.findall(text)]


def _word_set(text: str) -> set[str]:
    words = set()
    for word in _tokens(text):
        words.add(word)
        words.update(_compound_runs(word))
    return words


def _compound_runs(word: str) -> set[str]:
    """Runs of whole parts of a compound, as written: "ar-15-style" backs "ar", "ar-15", "15-style" ...

    Only whole parts: "ar-15-style" never backs "ar-1" or "r-15".
    """
    joins = list(_JOINERS.finditer(word))
    if not joins:
        return set()
    starts = [0] + [m.end() for m in joins]
    ends = [m.start() for m in joins] + [len(word)]
    if len(starts) > _MAX_COMPOUND_PARTS:
        return {word[s:e] for s, e in zip(starts, ends) if e > s}
    return {word[s:e] for i, s in enumerate(starts) for e in ends[i:] if e > s}


def _has_words(phrase: str, src_words: set[str]) -> bool:
    words = [w for w in _tokens(phrase) if w]
    return bool(words) and all(w in src_words for w in words)
