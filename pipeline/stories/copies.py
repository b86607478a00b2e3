"""Syndicated copies: articles whose sentences are almost all repeated from another."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..domain import Article
from .neighbours import close_pairs, unit_rows

# Share of a shorter article's sentences found almost verbatim in another for it to count as a copy.
_COPY_SHARE = 0.6
_SAME_SENTENCE = 0.95


def near_duplicates(articles: Sequence[Article], vectors: dict[str, np.ndarray]) -> dict[str, str]:
    """{copy id: original id} for syndicated copies: most sentences repeated almost verbatim.

    Only pairs whose mean vectors are already very close are compared sentence by sentence,
    so this stays cheap for large inputs.
    """
    means = unit_rows(np.vstack([vectors[a.id].mean(axis=0) for a in articles]))
    # Block by block, like grouping: an all-pairs matrix would not fit for a large input.
    rows, cols = close_pairs(means, 0.9)
    copies: dict[str, str] = {}
    for i, j in sorted(zip(rows.tolist(), cols.tolist())):
        first, later = articles[i], articles[j]
        if later.id in copies:
            continue
        sims = vectors[first.id] @ vectors[later.id].T
        # Measured on the shorter side, so an added paragraph does not hide a copy.
        share = max((sims.max(axis=1) >= _SAME_SENTENCE).mean(), (sims.max(axis=0) >= _SAME_SENTENCE).mean())
        if share >= _COPY_SHARE:
            # The later input is taken as the copy: the reader knows the first one first.
            copies[later.id] = copies.get(first.id, first.id)
    return copies
