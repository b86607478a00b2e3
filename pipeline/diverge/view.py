"""A story's sentences aligned across its articles: each sentence's nearest sentences in other
articles (sentence-embedding cosine), how common each word and name is, and helpers every
divergence kind shares (topics, positions, name keys)."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..domain import Article, Citation, Position, Sentence
from ..nlp.numbers import values
from ..nlp.tokens import normalise

# How much each kind counts in the ranking, before confidence.
KIND_WEIGHT = {"conflict": 1.0, "attribution": 0.9, "framing": 0.7, "coverage": 0.75, "naming": 0.6}
NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW"}
_STOP = {"the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "for", "with", "that", "this",
         "is", "was", "were", "are", "be", "been", "has", "have", "had", "by", "as", "at", "from", "its",
         "their", "his", "her", "it", "they", "he", "she", "would", "will", "which", "who", "said", "not"}


@dataclass(frozen=True)
class Item:
    """A sentence of the story with where it came from."""

    article: str
    sentence: Sentence
    row: int

    @property
    def citation(self) -> Citation:
        return Citation(self.article, self.sentence.index)


@dataclass
class StoryView:
    """A story's sentences, each one's nearest sentences in other articles, and how common each
    word and name is in it."""

    items: list[Item]
    matrix: np.ndarray
    # For each row: (row, cosine) of its nearest sentences in other articles, best first.
    neighbours: list[list[tuple[int, float]]]
    centrality: np.ndarray
    article_ids: list[str]
    word_df: Counter[str]
    name_df: Counter[str]
    # Each article's whole text (as written, and as name keys), and the figures it states:
    # is a name or figure in it anywhere?
    texts: dict[str, str]
    raw_words: dict[str, set[str]]
    values: dict[str, set[float]]
    # Each article's lower-case words by their first two letters: spellings to compare a name with.
    words_by_prefix: dict[str, dict[str, set[str]]]

    def sim(self, a: int, b: int) -> float:
        return float(self.matrix[a] @ self.matrix[b])

    def rare_words(self, item: Item, text: str | None = None) -> set[str]:
        """Content words that few sentences of the story use: what makes a claim specific."""
        limit = max(2, int(0.04 * len(self.items)))
        return {w for w in content_words(text or item.sentence.text) if self.word_df[w] <= limit}


# Nearest sentences kept per sentence. Alignment, framing, conflicts and attributions look only
# at these, so the Python-level work grows with sentences x K, not sentences squared.
_NEIGHBOURS = 12
_CHUNK = 256


def build_view(articles: Sequence[Article], vectors: dict[str, np.ndarray]) -> StoryView:
    pairs = [(a.id, s) for a in articles for s in a.sentences if s.words >= 5]
    items = [Item(article, sentence, row) for row, (article, sentence) in enumerate(pairs)]
    raw = {a.id: normalise(" ".join(s.text for s in a.sentences)) for a in articles}
    # Hyphens both ways: "Al-Kadhimi" is one name key, "pro-Trump" mentions "Trump".
    texts = {a: padded_words(name_key(t)) + padded_words(t) for a, t in raw.items()}
    raw_words = {a: set(re.findall(r"[A-Za-z]+", t)) for a, t in raw.items()}
    numbers = {a: values(t) for a, t in raw.items()}
    by_prefix = {a: _by_prefix(words) for a, words in raw_words.items()}
    if not items:
        return StoryView([], np.zeros((0, 0)), [], np.zeros(0), [a.id for a in articles], Counter(), Counter(),
                          texts, raw_words, numbers, by_prefix)
    matrix = np.vstack([vectors[it.article][it.sentence.index] for it in items]).astype(np.float32)
    order = {a.id: i for i, a in enumerate(articles)}
    centroid = matrix.mean(axis=0)
    return StoryView(
        items=items,
        matrix=matrix,
        neighbours=_nearest(matrix, np.array([order[it.article] for it in items])),
        centrality=matrix @ (centroid / (np.linalg.norm(centroid) or 1.0)),
        article_ids=[a.id for a in articles],
        word_df=Counter(w for it in items for w in content_words(it.sentence.text)),
        name_df=Counter(n for it in items for n in item_names(it)),
        texts=texts,
        raw_words=raw_words,
        values=numbers,
        words_by_prefix=by_prefix,
    )


def _by_prefix(words: set[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for word in words:
        if len(word) >= 5:
            out.setdefault(word[:2].lower(), set()).add(word.lower())
    return out


def _nearest(matrix: np.ndarray, owner: np.ndarray) -> list[list[tuple[int, float]]]:
    """The K most similar sentences of other articles for each sentence, computed in row chunks
    so that memory stays at chunk x n and no n x n matrix is kept."""
    k = min(_NEIGHBOURS, len(matrix) - 1)
    out: list[list[tuple[int, float]]] = []
    for start in range(0, len(matrix), _CHUNK):
        sims = matrix[start:start + _CHUNK] @ matrix.T
        sims[owner[start:start + _CHUNK, None] == owner[None, :]] = -np.inf  # not its own article
        if k <= 0:
            out += [[] for _ in range(len(sims))]
            continue
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k < sims.shape[1] else np.tile(np.arange(sims.shape[1]), (len(sims), 1))
        for r, cols in enumerate(top):
            ranked = sorted(((int(c), float(sims[r, c])) for c in cols if np.isfinite(sims[r, c])), key=lambda p: (-p[1], p[0]))
            out.append(ranked)
    return out


def best_matches(view: StoryView, item: Item, threshold: float) -> list[tuple[Item, float]]:
    """For each other article among the item's nearest sentences, its closest one, if similar enough."""
    best: dict[str, tuple[Item, float]] = {}
    for row, sim in view.neighbours[item.row]:
        other = view.items[row]
        if sim >= threshold and other.article not in best:
            best[other.article] = (other, sim)
    return [best[a] for a in view.article_ids if a in best]


def aligned_pairs(view: StoryView, threshold: float) -> list[tuple[Item, Item, float]]:
    """Pairs from different articles, each sentence paired with its best match per other article."""
    pairs: dict[tuple[int, int], float] = {}
    for item in view.items:
        for match, sim in best_matches(view, item, threshold):
            pairs[(min(item.row, match.row), max(item.row, match.row))] = sim
    return [(view.items[a], view.items[b], s) for (a, b), s in sorted(pairs.items())]


def stopword(word: str) -> bool:
    """A function word that says nothing about what a sentence reports."""
    return word.lower() in _STOP


@functools.lru_cache(maxsize=8192)
def content_words(text: str) -> frozenset[str]:
    # Cached: each sentence's words are asked for once per sentence it is compared with.
    return frozenset(w for w in re.findall(r"[a-z]{4,}", normalise(text).lower()) if w not in _STOP)


def item_names(item: Item) -> list[str]:
    """Names in order of appearance (a list, not a set: output must not depend on hash seeds)."""
    return list(dict.fromkeys(e.text for e in item.sentence.entities if e.label in NAME_LABELS))


def topic(view: StoryView, group: Sequence[Item]) -> str:
    """What aligned sentences are about: the least common names they share, else rare words."""
    counts: Counter[str] = Counter(n for it in group for n in item_names(it))
    # A name in most of the story's sentences ("Israel", "Hamas") says nothing about this item.
    specific = [n for n in counts if view.name_df[n] <= max(2, 0.2 * len(view.items))]
    specific.sort(key=lambda n: (-counts[n], view.name_df[n], n))
    if specific:
        return ", ".join(specific[:3])
    # Else the words the sentences share, the least common in the story first: words that only one side
    # uses ("june", "based") name what differs, not what the item is about.
    shared = Counter(w for it in group for w in content_words(it.sentence.text))
    both = sorted((w for w, c in shared.items() if c >= 2 and view.word_df[w] <= 0.5 * len(view.items)),
                  key=lambda w: (view.word_df[w], w))
    if both:
        return ", ".join(both[:3])
    words = Counter(w for it in group for w in sorted(view.rare_words(it)))
    if words:
        return ", ".join(w for w, _ in words.most_common(3))
    return " ".join(group[0].sentence.text.split()[:8]) + " …"


def position(items: Sequence[Item], text: str | None = None, words: tuple[str, ...] = ()) -> Position:
    return Position(
        article_ids=tuple(dict.fromkeys(it.article for it in items)),
        text=text if text is not None else items[0].sentence.text,
        citations=tuple(it.citation for it in items),
        words=words,
    )


def short(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def name_key(text: str) -> str:
    text = normalise(text).lower()
    text = re.sub(r"^the\s+", "", text)
    text = re.sub(r"'s$", "", text)
    return re.sub(r"\s+", " ", re.sub(r"[.\-]", "", text)).strip()


def padded_words(text: str) -> str:
    """Lower-case words separated by single spaces, padded: for fast whole-word look-ups."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "
