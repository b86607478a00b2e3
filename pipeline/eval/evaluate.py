"""`newsdigest eval`: score story digests against reference summaries, beside simple peers.

Each cluster goes through exactly the `summarise` code path for a merged story digest
(`datasets.articles_from_texts` + `digest.build.story_digest`). Peers get the same clusters and
the same budget on each: `lead` (round-robin first sentences), `lexrank` (sumy) and `generator`
(the raw generator over all the articles, no guard).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import Budget, Settings
from ..digest.build import story_digest
from ..domain import Article, Digest
from ..errors import ConfigError
from ..models.loaders import ModelBundle, apply_offline_policy, default_cache_dir, load_bundle
from .datasets import Cluster, articles_from_texts, load_clusters
from .peers import DEFAULT_PEERS, PEERS, generator_peer, lead_peer, lexrank_peer
from .scoring import ROUGE_KEYS, bootstrap_ci, rouge_scorer, rouge_scores, source_sentences, unsupported_facts

if TYPE_CHECKING:
    from spacy.language import Language

Progress = Callable[[int, int], None]
log = logging.getLogger(__name__)
EXAMPLES = 5  # unsupported facts quoted in the result, so a non-zero count can be checked


@dataclass
class _Scores:
    """Per-cluster numbers of one system or peer."""

    rouge: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in ROUGE_KEYS})
    unsupported: int = 0
    examples: list[str] = field(default_factory=list)
    generated: int = 0
    rejected: int = 0
    words: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


def cluster_budget(settings: Settings, reference: str, words: int | None, match_reference_length: bool) -> Budget:
    """The story budget of one cluster: configured, --words N, or the reference's length."""
    configured = settings.summary.story
    if match_reference_length:
        n = _clamp_words(len(reference.split()))
        return Budget(max_sentences=min(50, max(6, n // 15)), max_words=n)
    if words is not None:
        n = _clamp_words(words)
        return Budget(max_sentences=min(50, max(configured.max_sentences, n // 15)), max_words=n)
    return configured


def _clamp_words(n: int) -> int:
    return max(5, min(2000, n))


def evaluate(
    path: Path | str,
    settings: Settings,
    limit: int | None = None,
    words: int | None = None,
    match_reference_length: bool = False,
    peers: Sequence[str] = DEFAULT_PEERS,
    models: ModelBundle | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Score the system (and peers) on every cluster of `path`; returns the result dict."""
    if words is not None and match_reference_length:
        raise ConfigError("use either --words or --match-reference-length, not both")
    if words is not None and not 5 <= words <= 2000:
        raise ConfigError(f"--words must be between 5 and 2000, got {words}")
    if limit is not None and limit < 1:
        raise ConfigError(f"--limit must be at least 1, got {limit}")
    unknown = [p for p in peers if p not in PEERS]
    if unknown:
        raise ConfigError(f"unknown peer(s) {', '.join(unknown)}; choose from {', '.join(PEERS)}")
    peers = list(dict.fromkeys(peers))

    started = time.perf_counter()
    fmt, clusters = load_clusters(path, limit)
    log.info(f"{len(clusters)} clusters from {path} ({fmt})")
    if models is None:
        apply_offline_policy(settings.models.allow_download)
        models = load_bundle(settings.models, default_cache_dir(), settings.summary.max_new_tokens)
    # Models load lazily on first use: load them all now, so cluster timings exclude loading.
    t0 = time.perf_counter()
    models.nlp, models.embedder  # noqa: B018
    if settings.summary.mode != "extractive" or "generator" in peers:
        models.generator  # noqa: B018
    load_s = time.perf_counter() - t0

    scorer = rouge_scorer()
    system = _Scores()
    peer_scores = {p: _Scores() for p in peers}
    budgets, ref_words = [], []
    if progress:
        progress(0, len(clusters))
    for n, cluster in enumerate(clusters, 1):
        budget = cluster_budget(settings, cluster.reference, words, match_reference_length)
        budgets.append(budget)
        ref_words.append(len(cluster.reference.split()))
        t0 = time.perf_counter()
        articles = articles_from_texts(cluster.documents, models, prefix=f"c{n}d")
        analyse_s = time.perf_counter() - t0
        sources = source_sentences(cluster.documents, articles, prefix=f"c{n}d")
        digest = _system_digest(articles, settings, budget, models)
        system_s = time.perf_counter() - t0
        sentences = [s.text for s in digest.sentences]
        generated = sum(s.method == "generated" for s in digest.sentences)
        _record(system, sentences, cluster, sources, models.nlp, scorer, system_s,
                generated=generated, rejected=digest.rejected)

        for peer in peers:
            t1 = time.perf_counter()
            if peer == "lead":
                out = lead_peer(articles, budget)
            elif peer == "lexrank":
                out = lexrank_peer(articles, budget)
            else:
                text = generator_peer(cluster.documents, models, budget.max_words)
                out = [s.text.strip() for s in models.nlp(text).sents if s.text.strip()]
            # lead and lexrank need the sentence split the system made: count it in their time.
            own_s = time.perf_counter() - t1 + (analyse_s if peer != "generator" else 0.0)
            _record(peer_scores[peer], out, cluster, sources, models.nlp, scorer, own_s)
        if progress:
            progress(n, len(clusters))

    return {
        "dataset": str(path),
        "format": fmt,
        "n": len(clusters),
        "mode": settings.summary.mode,
        "budget": _budget_summary(budgets, settings, words, match_reference_length),
        "reference_words": _mean(ref_words),
        "models": {
            "embedder": models.embedder.name,
            "generator": settings.models.generator
            if settings.summary.mode != "extractive" or "generator" in peers else None,
            "ner": settings.models.ner,
        },
        "system": _summary(system),
        "peers": {p: _summary(peer_scores[p]) for p in peers},
        "load_models_s": round(load_s, 2),
        "total_s": round(time.perf_counter() - started, 2),
    }


def _system_digest(articles: list[Article], settings: Settings, budget: Budget, models: ModelBundle) -> Digest:
    if not articles:
        return Digest(())
    cluster_settings = settings.model_copy(deep=True)
    cluster_settings.summary.story = budget
    return story_digest(articles, cluster_settings, models)


def _record(
    scores: _Scores, sentences: Sequence[str], cluster: Cluster, sources: Sequence[str],
    nlp: Language, scorer: Any, seconds: float, generated: int = 0, rejected: int = 0,
) -> None:
    text = " ".join(sentences)
    for key, value in rouge_scores(text, cluster.reference, scorer).items():
        scores.rouge[key].append(value)
    facts = unsupported_facts(sentences, sources, nlp)
    scores.unsupported += len(facts)
    scores.examples += facts[:EXAMPLES - len(scores.examples)]
    scores.generated += generated
    scores.rejected += rejected
    scores.words.append(len(text.split()))
    scores.seconds.append(seconds)


def _summary(scores: _Scores) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ROUGE_KEYS:
        out[key] = round(_mean(scores.rouge[key]), 2)
    for key in ROUGE_KEYS:
        out[f"{key}_ci"] = [round(v, 2) for v in bootstrap_ci(scores.rouge[key])]
    attempted = scores.generated + scores.rejected
    s_per_cluster = _mean(scores.seconds)
    out.update(
        unsupported=scores.unsupported,
        unsupported_examples=scores.examples,
        # Share of generated sentences the guard replaced by their source (None: nothing generated).
        guard_replaced=round(scores.rejected / attempted, 3) if attempted else None,
        words=round(_mean(scores.words), 1),
        s_per_cluster=round(s_per_cluster, 3),
        clusters_per_min=round(60.0 / s_per_cluster, 1) if s_per_cluster > 0 else None,
    )
    return out


def _budget_summary(budgets: list[Budget], settings: Settings, words: int | None, match: bool) -> dict[str, Any]:
    if match:
        rule = "reference length (max_sentences = max(6, words // 15))"
    elif words is not None:
        rule = f"{words} words"
    else:
        rule = "configured story budget"
    return {
        "rule": rule,
        "max_words_mean": round(_mean([b.max_words for b in budgets]), 1),
        "max_sentences_mean": round(_mean([b.max_sentences for b in budgets]), 1),
    }


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if len(values) else 0.0
