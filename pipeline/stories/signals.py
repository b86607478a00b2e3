"""What one article brings to story grouping, computed once per article and cached: the names it
mentions by kind (people by surname, organisations, places, other names), its content words
(headline and body) and its numbers; and its vectors (body mean, headline, lead, and the
combined vector of sentences and headline)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

import numpy as np

from ..domain import Article
from ..nlp.tokens import stop_words
from .neighbours import unit_rows

# Bump when `article_signals` would give other values for the same analysis (cached per article).
SIGNALS_VERSION = 2

NAME_KINDS = {
    "PERSON": "people", "ORG": "organisations", "GPE": "places", "LOC": "places", "FAC": "places",
    "NORP": "other", "EVENT": "other", "LAW": "other", "PRODUCT": "other", "WORK_OF_ART": "other",
}
KINDS = ("people", "organisations", "places", "other", "words", "numbers")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_ARTICLE_WORD = re.compile(r"^(the|a|an)\s+")

Signals = dict[str, list[str]]
# Names, words and numbers are taken from the headline and this many first sentences: a story is
# told in its lead, and a long article's later paragraphs (background, quotes, other events)
# would make it share words with everything. The pair scorer learned on lead paragraphs too.
LEAD_SENTENCES: int | None = 5


def _name(text: str, label: str) -> str:
    text = _ARTICLE_WORD.sub("", text.lower().replace("’", "'")).removesuffix("'s").strip(" .,'\"")
    if label == "PERSON":
        # "Joe Biden", "Biden" and "President Biden" are one person to a reader of one story.
        return text.split()[-1] if text.split() else ""
    return text


def article_signals(article: Article, lead_sentences: int | None = LEAD_SENTENCES) -> Signals:
    """Names by kind, content words and numbers of the headline and lead of one article, each
    listed once, sorted."""
    found: dict[str, set[str]] = {kind: set() for kind in KINDS}
    lead = article.sentences[:lead_sentences]
    for sentence in lead:
        for entity in sentence.entities:
            kind = NAME_KINDS.get(entity.label)
            name = _name(entity.text, entity.label) if kind else ""
            if kind and name:
                found[kind].add(name)
    text = " ".join([article.title] + [s.text for s in lead])
    words = (m.lower().strip("'-") for m in _WORD.findall(text))
    stop = stop_words()
    found["words"] = {w for w in words if len(w) > 2 and w not in stop}
    found["numbers"] = {n.replace(",", "") for n in _NUMBER.findall(text)}
    return {kind: sorted(values) for kind, values in found.items()}


@dataclass(frozen=True)
class ArticleVectors:
    """Unit vectors per article, one row each."""

    combined: np.ndarray  # sentences and headline averaged: neighbours are found with it
    body: np.ndarray      # sentences averaged
    title: np.ndarray     # headline
    lead: np.ndarray      # first two sentences averaged
    sentences: np.ndarray  # sentence count


def article_vectors(sentence_vectors: Sequence[np.ndarray], title_vectors: np.ndarray) -> ArticleVectors:
    n, dimensions = len(sentence_vectors), np.shape(title_vectors)[1]
    dtype = np.result_type(title_vectors, *sentence_vectors[:1])
    # Filled row by row into arrays made once: at 100,000 articles a list of row arrays and its
    # stacked copy would hold each vector three times.
    combined, body, lead = (np.empty((n, dimensions), dtype) for _ in range(3))
    for i, (v, t) in enumerate(zip(sentence_vectors, title_vectors)):
        combined[i] = np.vstack([v, t[None, :]]).mean(axis=0)
        body[i] = v.mean(axis=0)
        lead[i] = v[:2].mean(axis=0)
    return ArticleVectors(
        combined=_unit_in_place(combined), body=_unit_in_place(body), title=unit_rows(np.asarray(title_vectors)),
        lead=_unit_in_place(lead), sentences=np.array([len(v) for v in sentence_vectors], dtype=float),
    )


def _unit_in_place(vectors: np.ndarray) -> np.ndarray:
    """unit_rows without a second copy (the same values)."""
    return np.divide(vectors, np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12), out=vectors)


def published_day(published: str) -> float:
    """Days since year 1 of an article's publication date (ISO 8601 or RFC 822), NaN when unknown."""
    text = published.strip()
    if not text:
        return float("nan")
    try:
        return float(datetime.fromisoformat(text).toordinal())
    except ValueError:
        pass
    try:
        return float(parsedate_to_datetime(text).toordinal())
    except (TypeError, ValueError, IndexError):
        return float("nan")
