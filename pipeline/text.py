"""Cleaning article text and splitting it into analysed sentences (spaCy)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .outcomes import outcomes
from .records import Entity, Sentence

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Span

# Whole lines that are publishing furniture, not reporting.
_BOILERPLATE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^this (article|story) (originally )?(appeared|was (first )?published)\b",
        r"^(©|\(c\)|copyright\b)",
        r"^all rights reserved\.?$",
        r"^related (sources|articles|stories|coverage)\s*:?\s*$",
        r"^(read more|click here|sign up|subscribe)\b.{0,80}$",
        r"^(advertisement|skip advertisement)$",
    )
] + [
    # Bylines: case matters here ("By Tuesday, talks had stalled." is reporting, "By Jane Doe" is not).
    re.compile(r"^(By|Written by|Reporting by|BY)\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,4}"
               r"(\s*(and|,)\s*[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3})*\s*$")
]
_TITLE_MAX_WORDS = 25
_MIN_SENTENCE_WORDS = 5
_MAX_SENTENCE_WORDS = 80
# Reporting verbs: the subject of these is who a claim is credited to.
_REPORTING_LEMMAS = {
    "say", "tell", "suggest", "insist", "claim", "report", "state", "add", "note", "announce",
    "confirm", "deny", "hint", "argue", "warn", "acknowledge", "allege", "assert", "indicate",
    "disclose", "reveal", "estimate", "accuse", "emphasize", "emphasise", "stress", "describe",
}


def normalise(text: str) -> str:
    """NFKC, unified quotes and dashes, collapsed spaces: one spelling for comparing text."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'",
                                         "–": "-", "—": "-", "\u00a0": " "}))
    return re.sub(r"\s+", " ", text).strip()


# Openers that point back at an earlier sentence: a pronoun or demonstrative subject ("They have
# called for ...", "That amounts to ..."), or a connective ("But even as ..."). "It" is left out:
# "It is unclear whether ..." stands alone.
_BACK_REFERENCE = re.compile(
    r"^(?:He|She|They|His|Her|Their|This|These|Those|That|Such|But|However|Meanwhile|Still|Yet|Also|And|"
    r"Instead|Moreover|Furthermore|Nevertheless|Nonetheless)\b")


# "these areas", "those measures": a plural demonstrative points at things named before. Not
# "those who ...", "these days" or "those years", which name what they mean.
_BACK_REFERENCE_PHRASE = re.compile(r"\b(?:these|those)\s+(?!who\b|whose\b|days\b|years\b|include\b|are\b|were\b)[a-z]")


def leans_on_earlier_sentence(text: str) -> bool:
    """Does the sentence lean on one before it? Read alone, in a digest of several articles, it dangles."""
    return bool(_BACK_REFERENCE.match(text.lstrip("“\"'‘ ")) or _BACK_REFERENCE_PHRASE.search(text))


def is_boilerplate(line: str) -> bool:
    stripped = line.strip()
    return any(p.search(stripped) for p in _BOILERPLATE)


def split_title(raw: str) -> tuple[str, str]:
    """First non-empty line is the title; a lead paragraph used as a first line stays in the body."""
    lines = raw.splitlines()
    for i, line in enumerate(lines):
        if line.strip():
            first = line.strip()
            rest = "\n".join(lines[i + 1:])
            if len(first.split()) > _TITLE_MAX_WORDS:
                # No headline: the file starts with its lead. Title it from the lead, keep the lead.
                words = first.split()
                return " ".join(words[:12]) + " …", "\n".join(lines[i:])
            return first, rest
    return "", ""


def clean_body(body: str) -> str:
    """Drop boilerplate lines and blank runs; paragraphs stay one per line."""
    kept = [line.strip() for line in body.splitlines()]
    kept = [line for line in kept if line and not is_boilerplate(line)]
    return "\n".join(kept)


def analyse(bodies: Sequence[str], nlp: Language) -> list[tuple[Sentence, ...]]:
    """Sentences of each body with their entities and attributions, in one spaCy pass.

    Each line is parsed on its own: a caption or heading line must never fuse with the
    paragraph after it.
    """
    lines_of = [[line for line in body.split("\n") if line.strip()] for body in bodies]
    docs = iter(nlp.pipe((line for lines in lines_of for line in lines), batch_size=64))
    results = []
    for lines in lines_of:
        spans = [span for _ in lines for span in _quote_balanced(list(next(docs).sents))]
        results.append(tuple(_sentence(i, span) for i, span in enumerate(spans)))
    return results


def _quote_balanced(spans: list[Span]) -> list[Span]:
    """Join spans that split a quotation ('He said: "This needs to get done. And ...'), keep the rest."""
    merged: list[Span] = []
    for span in spans:
        if merged and _open_quote(merged[-1].text):
            doc = span.doc
            merged[-1] = doc[merged[-1].start:span.end]
        else:
            merged.append(span)
    return merged


def _open_quote(text: str) -> bool:
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def _sentence(index: int, span: Span) -> Sentence:
    text = span.text.strip()
    in_demonym = {t.i for e in span.ents if e.label_ == "NORP" for t in e}
    return Sentence(
        index=index,
        text=text,
        entities=tuple(Entity(e.text, e.label_) for e in span.ents),
        attributions=tuple(_attributions(span)),
        proper_nouns=tuple(dict.fromkeys(
            t.text for t in span if t.pos_ == "PROPN" and t.i not in in_demonym and t.text[:1].isupper()
        )),
        eligible=_is_eligible(text),
        outcomes=outcomes(span),
    )


def _is_eligible(text: str) -> bool:
    n = len(text.split())
    if n < _MIN_SENTENCE_WORDS or n > _MAX_SENTENCE_WORDS:
        return False
    if text.endswith("?") or not re.search(r"[.!\"'”’)]$", text):
        return False  # questions and unfinished fragments (captions, headings) read badly alone
    return not is_boilerplate(text)


def _attributions(span: Span) -> list[str]:
    """Who a sentence credits: subjects of reporting verbs and 'according to X'."""
    found: list[str] = []
    for token in span:
        if token.lemma_.lower() in _REPORTING_LEMMAS and token.pos_ == "VERB":
            for child in token.children:
                if child.dep_ in ("nsubj", "nsubjpass") and child.pos_ in ("NOUN", "PROPN"):
                    found.append(_subtree_phrase(child))
        if token.lower_ == "according" and token.i + 1 < len(token.doc) and token.nbor(1).lower_ == "to":
            for obj in token.nbor(1).children:
                if obj.dep_ == "pobj":
                    found.append(_subtree_phrase(obj))
    return [f for f in dict.fromkeys(found) if f]


def _subtree_phrase(token) -> str:
    """The noun phrase around token, without trailing relative clauses ('who spoke ...')."""
    start = min(t.i for t in token.subtree)
    while start < token.i and token.doc[start].lower_ in ("the", "a", "an"):
        start += 1
    # The text as written (keeps "Hamas-run"), up to the head noun.
    return token.doc[start:token.i + 1].text.strip(" ,")
