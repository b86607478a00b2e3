"""Digests: extractive selection, hybrid rewriting and abstractive summaries, all cited.

Every mode ends in sentences that carry citations; every generated sentence passes
`guard.check` against the sentences it cites or is replaced by an extractive one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import guard
from .config import Budget, SummaryConfig
from .records import Article, Citation, Digest, DigestSentence, Sentence
from .text import leans_on_earlier_sentence

if TYPE_CHECKING:
    from spacy.language import Language

    from .models import Embedder, Generator

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


def sentence_scores(pool: Pool, cfg: SummaryConfig, budget: Budget) -> np.ndarray:
    """The configured scorer; the learned one only where several articles tell the story, the
    only kind of pool it was trained on."""
    if cfg.scorer == "learned" and len(set(pool.article_ids)) > 1:
        from .selection_model import learned_salience

        return learned_salience(pool, budget.max_words)
    return salience(pool, cfg.position_weight, cfg.word_support_weight)


def centrality(pool: Pool) -> np.ndarray:
    """Cosine of each sentence to the pool's mean direction: how much it is about what all say."""
    centroid = pool.vectors.mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    return pool.vectors @ centroid


_CONTENT_WORD = re.compile(r"[^\W_]+")


def word_support(pool: Pool) -> np.ndarray:
    """Per sentence, the mean share of the pool's articles that use each of its content words.

    A SumBasic-like signal: words every outlet uses name the story's core facts. Only
    relative values matter: one article gives every sentence 1.0.
    """
    from spacy.lang.en.stop_words import STOP_WORDS

    words = [[w for w in _CONTENT_WORD.findall(s.text.lower()) if w not in STOP_WORDS] for s in pool.sentences]
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


def select(pool: Pool, scores: np.ndarray, budget: Budget, redundancy_weight: float) -> list[int]:
    """Maximal marginal relevance under a sentence and word budget (`selection = "mmr"`)."""
    chosen: list[int] = []
    words_left = budget.max_words
    candidates = set(range(len(pool.sentences)))
    while candidates and len(chosen) < budget.max_sentences:
        fitting = [i for i in candidates if pool.sentences[i].words <= words_left and not _repeats(i, chosen, pool)]
        if not fitting:
            break
        best = max(fitting, key=lambda i: _mmr(i, chosen, pool, scores, redundancy_weight))
        chosen.append(best)
        words_left -= pool.sentences[best].words
        candidates.discard(best)
    return chosen


# Syndicated copies of one sentence in two articles: cosine this high is the same sentence.
_DUPLICATE = 0.95


def _repeats(i: int, chosen: list[int], pool: Pool) -> bool:
    return bool(chosen) and float(np.max(pool.vectors[chosen] @ pool.vectors[i])) >= _DUPLICATE


def _mmr(i: int, chosen: list[int], pool: Pool, scores: np.ndarray, weight: float) -> float:
    if not chosen:
        return float(scores[i])
    overlap = float(np.max(pool.vectors[chosen] @ pool.vectors[i]))
    return (1 - weight) * float(scores[i]) - weight * overlap


def select_fill(pool: Pool, scores: np.ndarray, budget: Budget, redundancy_threshold: float) -> list[int]:
    """The non-redundant sentences that carry the most salience per word of the budget (`selection = "fill"`).

    Candidates are taken best first, each dropped if it says what a better one says (cosine at or
    above `redundancy_threshold`); then the subset whose sum of salience x words is largest within the
    word and sentence budget (0/1 knapsack). Unlike greedy MMR, this fills the budget: a good long
    sentence does not crowd out two good shorter ones that together fit better.
    Returns indexes best first.
    """
    candidates: list[int] = []
    for i in np.argsort(-scores, kind="stable"):
        i = int(i)
        if pool.sentences[i].words > budget.max_words:
            continue
        if candidates and float(np.max(pool.vectors[candidates] @ pool.vectors[i])) >= redundancy_threshold:
            continue
        candidates.append(i)
        if len(candidates) >= _FILL_CANDIDATES:
            break
    words = [pool.sentences[i].words for i in candidates]
    values = [max(float(scores[i]), 0.0) * n for i, n in zip(candidates, words)]
    return [candidates[j] for j in _knapsack(values, words, budget.max_words, budget.max_sentences)]


# The knapsack looks at this many of the best non-redundant sentences (time and memory grow with it).
_FILL_CANDIDATES = 60


def _knapsack(values: Sequence[float], weights: Sequence[int], capacity: int, max_items: int) -> list[int]:
    """Indexes (ascending) of the items with the largest total value, within capacity and max_items."""
    best = np.full((max_items + 1, capacity + 1), -np.inf)  # best[k, c]: k items weighing at most c
    best[0, :] = 0.0
    taken = np.zeros((len(values), max_items + 1, capacity + 1), dtype=bool)
    for i, (value, weight) in enumerate(zip(values, weights)):
        if weight > capacity:
            continue
        with_item = best[:-1, :capacity + 1 - weight] + value
        better = with_item > best[1:, weight:]
        taken[i, 1:, weight:] = better
        best[1:, weight:] = np.where(better, with_item, best[1:, weight:])
    k, c = int(np.argmax(best[:, capacity])), capacity
    chosen = []
    for i in range(len(values) - 1, -1, -1):
        if k > 0 and taken[i, k, c]:
            chosen.append(i)
            k, c = k - 1, c - weights[i]
    return chosen[::-1]


# A story digest orders sentences by what they add, not as any source did, so a sentence that
# leans on the one before it ("They have called for ...") reads as a non sequitur: it competes at
# this share of its salience (bench/RESULTS.md, "Story-digest sentences that lean on an earlier one").
BACK_REFERENCE_WEIGHT = 0.5


def discount_back_references(pool: Pool, scores: np.ndarray) -> np.ndarray:
    leaning = np.array([leans_on_earlier_sentence(s.text) for s in pool.sentences], dtype=bool)
    return np.where(leaning, scores * BACK_REFERENCE_WEIGHT, scores)


def extractive(pool: Pool, budget: Budget, cfg: SummaryConfig, keep_source_order: bool) -> Digest:
    scores = sentence_scores(pool, cfg, budget)
    if not keep_source_order:
        scores = discount_back_references(pool, scores)
    if cfg.selection == "fill":
        picked = select_fill(pool, scores, budget, cfg.redundancy_threshold)
    else:
        picked = select(pool, scores, budget, cfg.redundancy_weight)
    if keep_source_order:
        picked.sort()
    return Digest(tuple(
        DigestSentence(pool.sentences[i].text, (pool.citation(i),), "extractive") for i in picked
    ))


def hybrid(
    pool: Pool, budget: Budget, cfg: SummaryConfig, keep_source_order: bool,
    generator: Generator, embedder: Embedder, nlp: Language,
) -> Digest:
    """The extractive digest, each sentence rewritten by the generator where the guard allows."""
    return rewrite_guarded([extractive(pool, budget, cfg, keep_source_order)], cfg, generator, embedder, nlp)[0]


def rewrite_guarded(
    digests: Sequence[Digest], cfg: SummaryConfig, generator: Generator, embedder: Embedder, nlp: Language,
) -> list[Digest]:
    """Each long enough sentence of each digest rewritten, all in shared generator batches;
    a rewrite stands only if it is acceptable and the guard finds all its facts in its source."""
    todo = [(d, i) for d, digest in enumerate(digests) for i, s in enumerate(digest.sentences)
            if len(s.text.split()) >= cfg.rewrite_min_words]
    sources = [digests[d].sentences[i] for d, i in todo]
    replies = generator.rewrite_batch(
        [[s.text] for s in sources], [len(s.text.split()) for s in sources], batch_size=cfg.generator_batch,
    ) if todo else []
    out = [list(digest.sentences) for digest in digests]
    rejected = [0] * len(digests)
    for (d, i), source, reply in zip(todo, sources, replies):
        candidate = first_sentence(reply, nlp)
        if _acceptable(candidate, source.text, embedder) and guard.check(candidate, [source.text], nlp).ok:
            out[d][i] = DigestSentence(candidate, source.citations, "generated")
        else:
            rejected[d] += 1
    return [Digest(tuple(sentences), rejected=r) for sentences, r in zip(out, rejected)]


def abstractive(
    articles: Sequence[Article], pool: Pool, budget: Budget, cfg: SummaryConfig,
    generator: Generator, embedder: Embedder, nlp: Language,
) -> Digest:
    """The generator reads the articles (in chunks that fit its context); the guard vets each sentence."""
    text = summarise_long([a.body for a in articles], generator, budget.max_words)
    generated = [s.text.strip() for s in nlp(text).sents if s.text.strip()]
    if not generated or not pool.sentences:
        return extractive(pool, budget, cfg, keep_source_order=len(articles) == 1)
    sims = embedder.embed(generated) @ pool.vectors.T
    out: list[DigestSentence] = []
    used: set[int] = set()
    rejected = 0
    words = 0
    for row, sentence in zip(sims, generated):
        cited = [int(i) for i in np.argsort(-row)[:2]]
        if row[cited[0]] >= SAME_CLAIM and guard.check(sentence, [pool.sentences[i].text for i in cited], nlp).ok:
            item = DigestSentence(sentence, tuple(pool.citation(i) for i in cited), "generated")
        else:
            rejected += 1
            if cited[0] in used:
                continue
            item = DigestSentence(pool.sentences[cited[0]].text, (pool.citation(cited[0]),), "extractive")
        n = len(item.text.split())
        if len(out) >= budget.max_sentences or words + n > budget.max_words:
            break
        used.update(c for c in cited[:1])
        out.append(item)
        words += n
    return Digest(tuple(out), rejected=rejected)


def summarise_long(texts: Sequence[str], generator: Generator, max_words: int, depth: int = 0) -> str:
    """Map-reduce over chunks that fit the model's context: never silently truncate."""
    chunks = chunk_texts(texts, generator)
    if len(chunks) == 1 or depth >= 3:
        return " ".join(generator.summarise(c, max_words) for c in chunks)
    partials = [generator.summarise(c, max_words) for c in chunks]
    return summarise_long(partials, generator, max_words, depth + 1)


def chunk_texts(texts: Sequence[str], generator: Generator) -> list[str]:
    """Group paragraphs into chunks under the model's input limit; split long paragraphs by sentence."""
    limit = generator.max_input_tokens
    pieces: list[str] = []
    for text in texts:
        for para in (p for p in text.split("\n") if p.strip()):
            if generator.count_tokens(para) <= limit:
                pieces.append(para)
            else:
                pieces.extend(_split_long(para, generator, limit))
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for piece in pieces:
        n = generator.count_tokens(piece)
        if current and size + n > limit:
            chunks.append("\n".join(current))
            current, size = [], 0
        current.append(piece)
        size += n
    if current:
        chunks.append("\n".join(current))
    return chunks or [""]


def _split_long(para: str, generator: Generator, limit: int) -> list[str]:
    words, out, current = para.split(), [], []
    for word in words:
        current.append(word)
        if generator.count_tokens(" ".join(current)) > limit:
            current.pop()
            out.append(" ".join(current))
            current = [word]
    if current:
        out.append(" ".join(current))
    return out


_PREAMBLE = re.compile(r"^(here is|here's|sure|rewritten|summary|answer|sentence)[^:]{0,60}:\s*", re.I)


def first_sentence(text: str, nlp: Language) -> str:
    """The model's answer as one clean, finished sentence, without chatty preambles or quotes."""
    lines = [line.strip() for line in text.strip().split("\n") if line.strip()]
    if lines and _PREAMBLE.match(lines[0]) and not _PREAMBLE.sub("", lines[0]).strip():
        lines = lines[1:]  # "Here is the rewritten sentence:" on a line of its own
    text = _PREAMBLE.sub("", lines[0]).strip().strip('"').strip() if lines else ""
    sentences = [s.text.strip() for s in nlp(text).sents] if text else []
    first = sentences[0] if sentences else ""
    return first if re.search(r"[.!?][\"'”’)]?$", first) else ""


# A rewrite must keep the meaning of its source: below this cosine it says something else.
_SAME_MEANING = 0.8


def _acceptable(candidate: str, source: str, embedder: Embedder) -> bool:
    """A real sentence, no longer than what it replaces, and still saying the same thing."""
    n = len(candidate.split())
    if not (5 <= n <= len(source.split()) and candidate[0].isupper()):
        return False
    vectors = embedder.embed([candidate, source])
    return float(vectors[0] @ vectors[1]) >= _SAME_MEANING
