"""Features of a pair of articles for the story pair scorer: how close their vectors are, and how
much of their names, words and numbers they share, weighted by how rare each is in the input
(IDF over the articles being grouped, scaled to 0..1 so that it reads alike for 100 articles
and for 100,000)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .signals import KINDS, ArticleVectors, Signals

# Column order of the scorer's input; the model file names them too, and loading checks they match.
FEATURES = (
    "cos_combined", "cos_body", "cos_title", "cos_lead", "cos_title_body",
    "people_overlap", "people_shared", "organisations_overlap", "organisations_shared",
    "places_overlap", "places_shared", "other_overlap", "other_shared",
    "words_cosine", "words_shared", "numbers_overlap", "numbers_shared",
    "min_sentences", "max_sentences",
)
# Articles on other stories assumed around the input when weighing a term by its rarity.
BACKGROUND = 1000
# Pairs whose features are built at once: bounds the sparse products' memory.
_PAIR_BLOCK = 20_000


@dataclass(frozen=True)
class TermIndex:
    """Each signal kind as a sparse article x term matrix with sqrt(rarity) entries, so the dot
    product of two rows is the summed rarity of the terms the two articles share."""

    matrices: dict[str, sparse.csr_matrix]
    totals: dict[str, np.ndarray]  # summed rarity of each article's terms


def term_index(signals: Sequence[Signals]) -> TermIndex:
    n = len(signals)
    matrices, totals = {}, {}
    for kind in KINDS:
        vocabulary: dict[str, int] = {}
        rows, cols = [], []
        for i, found in enumerate(signals):
            for term in found[kind]:
                rows.append(i)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
        present = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n, max(1, len(vocabulary))))
        df = np.asarray(present.sum(axis=0)).ravel()
        rarity = _rarity(df, n)
        matrices[kind] = (present @ sparse.diags(np.sqrt(rarity))).tocsr()
        totals[kind] = np.asarray((present @ sparse.diags(rarity)).sum(axis=1)).ravel()
    return TermIndex(matrices, totals)


def _rarity(df: np.ndarray, n: int) -> np.ndarray:
    """IDF scaled to 0..1, as if the input sat among BACKGROUND articles on other stories: a term in
    one article is near 1; a term in every article of a one-story input is still worth something
    (its story's words are common there only because the input is that story)."""
    total = n + BACKGROUND + 1
    return (np.log(total / (df + 1)) / np.log(total)).astype(np.float32)


def _shared(matrix: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    out = np.empty(len(rows), np.float32)
    for start in range(0, len(rows), _PAIR_BLOCK):
        r, c = rows[start:start + _PAIR_BLOCK], cols[start:start + _PAIR_BLOCK]
        out[start:start + _PAIR_BLOCK] = np.asarray(matrix[r].multiply(matrix[c]).sum(axis=1)).ravel()
    return out


def _cosines(a: np.ndarray, b: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    out = np.empty(len(rows), np.float32)
    for start in range(0, len(rows), _PAIR_BLOCK):
        r, c = rows[start:start + _PAIR_BLOCK], cols[start:start + _PAIR_BLOCK]
        out[start:start + _PAIR_BLOCK] = np.einsum("ij,ij->i", a[r], b[c])
    return out


def pair_features(vectors: ArticleVectors, index: TermIndex, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """One row per pair (rows[k], cols[k]), columns in FEATURES order; symmetric in the two articles."""
    columns: dict[str, np.ndarray] = {
        "cos_combined": _cosines(vectors.combined, vectors.combined, rows, cols),
        "cos_body": _cosines(vectors.body, vectors.body, rows, cols),
        "cos_title": _cosines(vectors.title, vectors.title, rows, cols),
        "cos_lead": _cosines(vectors.lead, vectors.lead, rows, cols),
        "cos_title_body": np.maximum(_cosines(vectors.title, vectors.body, rows, cols),
                                     _cosines(vectors.body, vectors.title, rows, cols)),
    }
    for kind in KINDS:
        shared = _shared(index.matrices[kind], rows, cols)
        mine, theirs = index.totals[kind][rows], index.totals[kind][cols]
        if kind == "words":
            columns["words_cosine"] = shared / np.sqrt(mine * theirs).clip(min=1e-6)
        else:
            columns[f"{kind}_overlap"] = shared / np.minimum(mine, theirs).clip(min=1e-6)
        columns[f"{kind}_shared"] = shared
    columns["min_sentences"] = np.minimum(vectors.sentences[rows], vectors.sentences[cols])
    columns["max_sentences"] = np.maximum(vectors.sentences[rows], vectors.sentences[cols])
    features = np.empty((len(rows), len(FEATURES)), np.float32)
    for k, name in enumerate(FEATURES):
        features[:, k] = columns[name]
    return features
