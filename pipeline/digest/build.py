"""Digests of groups of articles in the configured mode: one article gets its digest, several their story's."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..config import Budget, Settings, SummaryConfig
from ..domain import Article, Digest
from .generate import abstractive, rewrite_guarded
from .pool import build_pool
from .select import extractive

if TYPE_CHECKING:
    from ..models.loaders import ModelBundle


def digests_of(
    groups: list[list[Article]], vectors: dict[str, np.ndarray], settings: Settings, models: ModelBundle,
) -> list[Digest]:
    """One digest per group of articles (one article: its digest; more: the story's)."""
    cfg = settings.summary
    if cfg.mode == "abstractive":
        return [abstractive(group, build_pool(group, vectors), budget_of(group, cfg), cfg,
                            models.generator, models.embedder, models.nlp) for group in groups]
    bases = [extractive(build_pool(group, vectors), budget_of(group, cfg), cfg,
                        keep_source_order=len(group) == 1) for group in groups]
    if cfg.mode == "hybrid":
        # All groups' rewrites share generator batches.
        return rewrite_guarded(bases, cfg, models.generator, models.embedder, models.nlp)
    return bases


def budget_of(group: list[Article], cfg: SummaryConfig) -> Budget:
    return cfg.article if len(group) == 1 else cfg.story


def story_digest(articles: list[Article], settings: Settings, models: ModelBundle) -> Digest:
    """The merged digest of one story, exactly as `summarise` builds it (eval uses this)."""
    texts = [s.text for a in articles for s in a.sentences]
    matrix = models.embedder.embed(texts)
    vectors, start = {}, 0
    for a in articles:
        vectors[a.id] = matrix[start:start + len(a.sentences)]
        start += len(a.sentences)
    if len(articles) == 1:
        # One document is still a "story" for eval: use the story budget, not the article one.
        settings = settings.model_copy(deep=True)
        settings.summary.article = settings.summary.story
    return digests_of([articles], vectors, settings, models)[0]
