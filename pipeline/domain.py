"""The typed values that flow through the pipeline, one direction: ingest -> nlp -> digest/diverge -> report.

One `Article` type from the file it was read from to the report: ingest fills its text and
hash, nlp its sentences. Frozen dataclasses keep the hot paths fast; the cache turns them into
JSON and back with pydantic (`cache.py`), and the report has its own schema (`report/schema.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Stance = Literal["yes", "no", "not", "pending"]
Method = Literal["extractive", "generated"]
DivergenceKind = Literal["conflict", "attribution", "framing", "coverage", "naming"]
# Framing items only: hedged vs flat, loaded vs plain wording, or opposite judgements ("" for other kinds).
FramingSubtype = Literal["", "hedge", "loaded", "judgement"]


@dataclass(frozen=True)
class Entity:
    text: str
    label: str  # spaCy label: PERSON, ORG, GPE, NORP, DATE, CARDINAL ...


@dataclass(frozen=True)
class Outcome:
    """What a sentence reports an actor decided (pipeline/outcomes.py): "Hamas" "no" on
    "the latest ceasefire proposals", in the words "has rejected"."""

    agent: str   # the subject as named, "" when the sentence does not say (a passive)
    stance: Stance
    theme: str   # what was decided on, as written; "" when not said ("has yet to respond")
    words: str


@dataclass(frozen=True)
class Sentence:
    """One source sentence; its index in the article is what citations point at."""

    index: int
    text: str
    entities: tuple[Entity, ...] = ()
    # Who the sentence credits ("Hamas sources", "four officials"), if anyone.
    attributions: tuple[str, ...] = ()
    proper_nouns: tuple[str, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    # Whether it can stand alone in a digest (not a caption, fragment or dateline).
    eligible: bool = True

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class Article:
    """An article: read by ingest (text, hash, where it came from), analysed by nlp (sentences)."""

    id: str
    title: str
    path: str
    sha256: str
    body: str
    sentences: tuple[Sentence, ...] = ()
    outlet: str = ""
    published: str = ""
    url: str = ""
    # For articles of the store: the feed's name in the sources file and its user labels.
    source: str = ""
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Citation:
    article: str
    sentence: int


@dataclass(frozen=True)
class DigestSentence:
    text: str
    citations: tuple[Citation, ...]
    method: Method


@dataclass(frozen=True)
class Digest:
    sentences: tuple[DigestSentence, ...]
    # Generated sentences the guard refused, kept so reports and evals can count them.
    rejected: int = 0

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


@dataclass(frozen=True)
class Position:
    article_ids: tuple[str, ...]
    text: str
    citations: tuple[Citation, ...]
    # The words that carry a framing difference on this side ("reportedly", "slammed"), as written.
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Divergence:
    kind: DivergenceKind
    topic: str
    summary: str
    positions: tuple[Position, ...]
    confidence: float
    subtype: FramingSubtype = ""


@dataclass(frozen=True)
class Story:
    id: str
    title: str
    article_ids: tuple[str, ...]
    digest: Digest | None = None
    divergences: tuple[Divergence, ...] = field(default_factory=tuple)
