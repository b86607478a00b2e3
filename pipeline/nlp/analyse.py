"""The spaCy stage: each article body split into sentences with entities, attributions and outcomes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..domain import Entity, Sentence
from ..ingest.clean import is_boilerplate
from .outcomes import outcomes

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Span

_MIN_SENTENCE_WORDS = 5
_MAX_SENTENCE_WORDS = 80
# Reporting verbs: the subject of these is who a claim is credited to.
_REPORTING_LEMMAS = {
    "say", "tell", "suggest", "insist", "claim", "report", "state", "add", "note", "announce",
    "confirm", "deny", "hint", "argue", "warn", "acknowledge", "allege", "assert", "indicate",
    "disclose", "reveal", "estimate", "accuse", "emphasize", "emphasise", "stress", "describe",
}


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
