"""The sentences a digest may draw on (its pool), and the signals that score them: centrality,
agreement across articles, shared words and a lead bias."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..domain import Article, Citation, Sentence
from ..nlp.tokens import content_words

# Sentences at least this similar say the same thing (MiniLM cosine).
SAME_CLAIM = 0.62


@dataclass(frozen=True)
class Pool:
    """The sentences a digest may draw on, with their vectors (rows are L2-normalised)."""

    article_ids: tuple[str, ...]
    sentences: tuple[Sentence, ...]
    positions: tuple[int, ...]  # rank of the sentence among its article's eligible ones
    vectors: np.ndarray

    def citation(self, i: int) -> Citation:
        return Citation(self.article_ids[i], self.sentences[i].index)


def build_pool(articles: Sequence[Article], vectors: dict[str, np.ndarray]) -> Pool:
    """Eligible sentences of the given articles; `vectors[id]` holds one row per sentence."""
    ids, sents, positions, rows = [], [], [], []
    for article in articles:
        rank = 0
        for sentence in article.sentences:
            if sentence.eligible:
                ids.append(article.id)
                sents.append(sentence)
                positions.append(rank)
                rows.append(vectors[article.id][sentence.index])
                rank += 1
    matrix = np.vstack(rows) if rows else np.zeros((0, 1), dtype=np.float32)
    return Pool(tuple(ids), tuple(sents), tuple(positions), matrix)


def salience(pool: Pool, position_weight: float, word_support_weight: float = 0.0) -> np.ndarray:
    """Centrality to the pool, agreement across articles, and a lead bias, blended; plus how
    widely the sentence's words are shared across the articles."""
    if not pool.sentences:
        return np.zeros(0)
    lead = 1.0 / np.sqrt(1.0 + np.asarray(pool.positions, dtype=float))
    blended = (1 - position_weight) * (centrality(pool) + 0.5 * support(pool)) + position_weight * lead
    return blended + word_support_weight * word_support(pool) if word_support_weight else blended


def centrality(pool: Pool) -> np.ndarray:
    """Cosine of each sentence to the pool's mean direction: how much it is about what all say."""
    centroid = pool.vectors.mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    return pool.vectors @ centroid


def word_support(pool: Pool) -> np.ndarray:
    """Per sentence, the mean share of the pool's articles that use each of its content words.

    A SumBasic-like signal: words every outlet uses name the story's core facts. Only
    relative values matter: one article gives every sentence 1.0.
    """
    words = [content_words(s.text) for s in pool.sentences]
    used_by: dict[str, set[str]] = {}
    for article, sentence_words in zip(pool.article_ids, words):
        for w in sentence_words:
            used_by.setdefault(w, set()).add(article)
    articles = len(set(pool.article_ids)) or 1
    return np.array([np.mean([len(used_by[w]) for w in ws]) / articles if ws else 0.0 for ws in words])


def support(pool: Pool) -> np.ndarray:
    """Share of the other articles that carry a sentence saying the same thing."""
    ids = np.asarray(pool.article_ids)
    others = len(set(pool.article_ids)) - 1
    if others <= 0:
        return np.zeros(len(ids))
    sims = pool.vectors @ pool.vectors.T
    support = np.zeros(len(ids))
    for article in set(pool.article_ids):
        cols = ids == article
        support += (sims[:, cols].max(axis=1) >= SAME_CLAIM) & (ids != article)
    return support / others
