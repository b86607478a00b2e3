"""Candidate sentence features for the learned scorer, computed from a pool alone (what the pipeline has).

`columns(pool, budget_words)` returns every candidate column by name; a variant picks a subset. The signals
(LexRank, soft support, word frequency) are the pipeline's own (pipeline/digest/pool.py); the columns kept are
what pipeline/digest/scorer.py's `features` computes.
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from pipeline.digest import pool as P
from pipeline.digest.pool import soft_support, word_frequency
from pipeline.nlp.references import leans_on_earlier_sentence
from pipeline.nlp.tokens import content_words, words


def _facts(sentence) -> set[str]:
    """The names and figures a sentence states: its entities' texts and its words with digits, lower-cased."""
    return {e.text.lower() for e in sentence.entities} | {w for w in words(sentence.text) if any(c.isdigit() for c in w)}


def first_mention(pool, facts_only: bool = False) -> np.ndarray:
    """Share of each sentence's content words (or, `facts_only`, its names and figures) that no earlier sentence
    of its own article used: where an article first states a fact. Unlike a position, it means the same in a
    three-paragraph article and a fifty-sentence one: a late sentence that brings new facts scores high, a lead
    sentence that restates the headline's does not. A sentence without any scores 0."""
    seen: dict[str, set[str]] = {}
    out = []
    for article, sentence in zip(pool.article_ids, pool.sentences):
        items = _facts(sentence) if facts_only else set(content_words(sentence.text))
        earlier = seen.setdefault(article, set())
        out.append(len(items - earlier) / len(items) if items else 0.0)
        earlier |= items
    return np.array(out)


def cluster_first(pool) -> np.ndarray:
    """Share of each sentence's content words that it states at the earliest rank any article of the pool states
    them: the sentence is where the story's sources first bring that word, not a later repeat."""
    ranks = [set(content_words(s.text)) for s in pool.sentences]
    earliest: dict[str, int] = {}
    for position, sentence_words in zip(pool.positions, ranks):
        for w in sentence_words:
            earliest[w] = min(earliest.get(w, position), position)
    return np.array([sum(earliest[w] == p for w in ws) / len(ws) if ws else 0.0
                     for p, ws in zip(pool.positions, ranks)])


def lede_similarity(pool) -> tuple[np.ndarray, np.ndarray]:
    """Cosine to the mean of the articles' first sentences, and the share of content words found in any article's
    first sentence: news ledes state the main event, so a sentence anywhere in a long article that restates or
    details the ledes' facts is about the story. Both mean the same in a three-paragraph or fifty-sentence article."""
    firsts = [i for i, p in enumerate(pool.positions) if p == 0]
    centre = pool.vectors[firsts].mean(axis=0)
    centre /= np.linalg.norm(centre) or 1.0
    lede_words = set().union(*(content_words(pool.sentences[i].text) for i in firsts))
    shares = [(lambda ws: len(ws & lede_words) / len(ws) if ws else 0.0)(set(content_words(s.text)))
              for s in pool.sentences]
    return pool.vectors @ centre, np.array(shares)


def pct_rank(x: np.ndarray) -> np.ndarray:
    """Rank within the pool scaled to [0, 1] (1 = highest): means the same in any pool size."""
    if len(x) < 2:
        return np.ones(len(x))
    return np.argsort(np.argsort(x, kind="stable"), kind="stable") / (len(x) - 1)


def columns(pool, budget_words: int) -> dict[str, np.ndarray]:
    n = len(pool.sentences)
    ids = list(pool.article_ids)
    order = {a: k for k, a in enumerate(dict.fromkeys(ids))}
    k = len(order)
    per_article = Counter(ids)
    pos = np.asarray(pool.positions, dtype=float)
    words = np.array([s.words for s in pool.sentences], dtype=float)
    total_words = words.sum() or 1.0
    cen = P.centrality(pool)
    lr = P.lexrank(pool)
    ws = P.word_support(pool)
    wf = word_frequency(pool)
    ents = np.array([len(s.entities) for s in pool.sentences], dtype=float)
    return {
        "lead": 1.0 / np.sqrt(1.0 + pos),
        "position": pos,
        "relative_position": pos / np.array([per_article[a] for a in ids], dtype=float),
        "article_order": np.array([order[a] for a in ids], dtype=float),
        "article_order_rel": np.array([order[a] / max(1, k - 1) for a in ids], dtype=float),
        "articles": np.full(n, float(k)),
        "centrality": cen,
        "centrality_rank": pct_rank(cen),
        "lexrank": lr,
        "lexrank_rank": pct_rank(lr),
        "support": P.support(pool),
        "soft_support": soft_support(pool),
        "word_support": ws,
        "word_support_rank": pct_rank(ws),
        "word_frequency": wf,
        "words": words,
        "words_to_budget": words / float(budget_words),
        "budget_ratio": np.full(n, budget_words / total_words),
        "budget_words": np.full(n, float(budget_words)),
        "has_number": np.array([any(ch.isdigit() for ch in s.text) for s in pool.sentences], dtype=float),
        "entities": ents,
        "entity_density": ents / np.maximum(words, 1.0),
        "quote": np.array([('"' in s.text or "“" in s.text) for s in pool.sentences], dtype=float),
        "back_reference": np.array([leans_on_earlier_sentence(s.text) for s in pool.sentences], dtype=float),
        "first_mention": first_mention(pool),
        "fact_first": first_mention(pool, facts_only=True),
        "cluster_first": cluster_first(pool),
        "lede_cosine": lede_similarity(pool)[0],
        "lede_words": lede_similarity(pool)[1],
    }
