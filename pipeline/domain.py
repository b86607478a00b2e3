"""Plain typed records that flow through the pipeline (one direction: ingest -> report)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entity:
    text: str
    label: str  # spaCy label: PERSON, ORG, GPE, NORP, DATE, CARDINAL ...


@dataclass(frozen=True)
class Outcome:
    """What a sentence reports an actor decided (pipeline/outcomes.py): "Hamas" "no" on
    "the latest ceasefire proposals", in the words "has rejected"."""

    agent: str   # the subject as named, "" when the sentence does not say (a passive)
    stance: str  # yes | no | not | pending
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
    id: str
    title: str
    path: str
    sha256: str
    body: str
    sentences: tuple[Sentence, ...] = ()
    outlet: str = ""
    published: str = ""
    url: str = ""


@dataclass(frozen=True)
class Citation:
    article: str
    sentence: int


@dataclass(frozen=True)
class DigestSentence:
    text: str
    citations: tuple[Citation, ...]
    method: str  # "extractive" | "generated"


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


@dataclass(frozen=True)
class Divergence:
    kind: str  # conflict | attribution | framing | coverage | naming
    topic: str
    summary: str
    positions: tuple[Position, ...]
    confidence: float


@dataclass(frozen=True)
class Story:
    id: str
    title: str
    article_ids: tuple[str, ...]
    digest: Digest | None = None
    divergences: tuple[Divergence, ...] = field(default_factory=tuple)
