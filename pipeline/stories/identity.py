"""A story's id (stable across runs) and title."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from ..domain import Article


def story_id(article_ids: Sequence[str]) -> str:
    return "story_" + hashlib.sha256("\n".join(sorted(article_ids)).encode()).hexdigest()[:12]


def story_title(articles: Sequence[Article], article_vectors: np.ndarray) -> str:
    """The title of the article closest to the story's centre."""
    centre = article_vectors.mean(axis=0)
    best = int(np.argmax(article_vectors @ centre))
    return articles[best].title
