"""Grouping through the run's cache: each article's signals computed once, and the stories of an
unchanged set of articles read back without scoring its pairs again (a cron run over the same input
then never imports LightGBM)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..cache import GROUPS, SIGNALS, Cache, cache_key
from ..config import StoriesConfig
from ..domain import Article
from . import group_articles, scorer
from .embedding import group
from .signals import SIGNALS_VERSION, ArticleVectors, Signals, article_signals


def cached_signals(articles: Sequence[Article], cache: Cache, nlp_id: str) -> list[Signals]:
    """Names, words and numbers of each article for the pair scorer, cached per article."""
    out = []
    for a in articles:
        key = cache_key("signals", nlp_id, a.sha256, a.title, SIGNALS_VERSION)
        found = cache.get("signals", key, SIGNALS)
        if found is None:
            found = article_signals(a)
            cache.put("signals", key, found, SIGNALS)
        out.append(found)
    return out


def cached_grouping(
    articles: Sequence[Article], sentence_vectors: dict[str, np.ndarray], title_vectors: np.ndarray,
    vectors: ArticleVectors, cfg: StoriesConfig, cache: Cache, identity: Mapping[str, str],
) -> list[list[int]]:
    """Indices of articles per story, as `group_articles` or `group` gives them, cached for this
    exact list of articles (ids, texts, headlines, dates in order), settings and models."""
    learned = cfg.grouping == "learned"
    key = cache_key("groups", cfg.model_dump(mode="json"), identity["embedder"], identity["nlp"], SIGNALS_VERSION,
                    scorer.model_digest() if learned else "", [(a.id, a.sha256, a.title, a.published) for a in articles])
    found = cache.get("groups", key, GROUPS)
    if found is not None:
        return found
    if learned:
        groups = group_articles(articles, sentence_vectors, title_vectors,
                                cached_signals(articles, cache, identity["nlp"]), cfg.pair_threshold, vectors=vectors)
    else:
        groups = group(articles, vectors.combined, cfg.group_threshold)
    cache.put("groups", key, groups, GROUPS)
    return groups
