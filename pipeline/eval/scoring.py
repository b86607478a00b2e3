"""Scoring a summary against its cluster: ROUGE, bootstrap intervals, and facts its sources lack."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..digest import guard
from ..domain import Article
from ..ingest.clean import clean_body

if TYPE_CHECKING:
    from spacy.language import Language

ROUGE_KEYS = ("rouge1", "rouge2", "rougeL")
BOOTSTRAP_RESAMPLES = 1000


def rouge_scores(prediction: str, reference: str, scorer: Any = None) -> dict[str, float]:
    """ROUGE-1/2/L F1 x100 (rouge_score, Porter stemmer)."""
    if scorer is None:
        scorer = rouge_scorer()
    scores = scorer.score(reference, prediction)
    return {k: 100.0 * scores[k].fmeasure for k in ROUGE_KEYS}


def rouge_scorer() -> Any:
    from rouge_score.rouge_scorer import RougeScorer

    return RougeScorer(list(ROUGE_KEYS), use_stemmer=True)


def bootstrap_ci(values: Sequence[float], resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean (fixed seed: runs are repeatable)."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    # Float noise must not put the mean outside a degenerate interval.
    mean = float(data.mean())
    return (min(float(lo), mean), max(float(hi), mean))


def source_sentences(documents: Sequence[str], articles: Sequence[Article], prefix: str) -> list[str]:
    """All the cluster's source text as sentences (spaCy's split, so "Liberia.They" is two words).

    Documents that `articles_from_texts` dropped (no eligible sentence) still count as source.
    """
    by_id = {a.id: a for a in articles}
    out: list[str] = []
    for i, doc in enumerate(documents):
        article = by_id.get(f"{prefix}{i}")
        out += [s.text for s in article.sentences] if article else [clean_body(doc)]
    return out


def unsupported_facts(sentences: Sequence[str], sources: Sequence[str], nlp: Language) -> list[str]:
    """Numbers, names and quotes in `sentences` that appear nowhere in the cluster's sources."""
    return [fact for s in sentences if s.strip() for fact in guard.unsupported_facts(s, sources, nlp)]


def count_unsupported(sentences: Sequence[str], sources: Sequence[str], nlp: Language) -> int:
    return len(unsupported_facts(sentences, sources, nlp))
