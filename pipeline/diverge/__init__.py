"""Stage 6, diverge: where the sources of a story diverge.

Sentences are aligned across a story's articles by sentence embeddings (`view`); each kind of
divergence has its own module (conflicts, attribution, framing, naming, coverage); every
position quotes a source sentence. `find_divergences` runs them all and ranks the items.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from ..config import DivergenceConfig
from ..domain import Article, Divergence
from .attribution import attributions
from .conflicts import number_conflicts, outcome_conflicts
from .coverage import coverage
from .framing import framings
from .naming import namings
from .view import build_view


def find_divergences(
    articles: Sequence[Article], vectors: dict[str, np.ndarray], cfg: DivergenceConfig
) -> list[Divergence]:
    """All divergence items of one story, most important first."""
    if len(articles) < 2:
        return []
    view = build_view(articles, vectors)
    if not view.items:
        return []
    found: list[tuple[float, Divergence]] = []
    found += number_conflicts(view, cfg)
    found += outcome_conflicts(view, cfg)
    found += attributions(view, cfg)
    found += framings(view, cfg)
    found += namings(articles)
    found += coverage(view, cfg)
    return _rank(found)[: cfg.max_items]


def _rank(found: list[tuple[float, Divergence]]) -> list[Divergence]:
    """Best first, but each further item of a kind already listed counts for less, so the
    top of the list shows every kind of divergence the story has."""
    left = sorted(found, key=lambda pair: -pair[0])
    ranked: list[Divergence] = []
    per_kind: Counter[str] = Counter()
    while left:
        best = max(range(len(left)), key=lambda i: left[i][0] * 0.7 ** per_kind[left[i][1].kind])
        item = left.pop(best)[1]
        per_kind[item.kind] += 1
        ranked.append(item)
    return ranked
