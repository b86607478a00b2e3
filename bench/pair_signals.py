"""Per-article grouping signals and per-pair features (the draft of what pipeline/stories/ will hold).

Signals of one article (computed once, cacheable as JSON): names by type (people by surname,
organisations, places, other names), content words of headline and body, and numbers. Vectors:
body mean, headline, lead sentence, and the combined vector `summarise` groups by today.
Pair features compare two articles on each of these, names and words weighted by how rare they
are in the input (IDF over the articles being grouped, scaled to 0..1 so it reads the same for
180 articles as for 100,000).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from pipeline.domain import Article

NAME_KINDS = {
    "PERSON": "people", "ORG": "organisations", "GPE": "places", "LOC": "places", "FAC": "places",
    "NORP": "other", "EVENT": "other", "LAW": "other", "PRODUCT": "other", "WORK_OF_ART": "other",
}
KINDS = ("people", "organisations", "places", "other", "words", "numbers")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_FIRST = re.compile(r"^(the|a|an)\s+")

FEATURES = (
    "cos_combined", "cos_body", "cos_title", "cos_lead", "cos_title_body",
    "people_overlap", "people_shared", "organisations_overlap", "organisations_shared",
    "places_overlap", "places_shared", "other_overlap", "other_shared",
    "words_cosine", "words_shared", "numbers_overlap", "numbers_shared",
    "min_sentences", "max_sentences",
)


def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


_STOP = _stop_words()


def _name(text: str, label: str) -> str:
    text = _FIRST.sub("", text.lower().replace("’", "'")).removesuffix("'s").strip(" .,'\"")
    if label == "PERSON":
        return text.split()[-1] if text.split() else ""  # "Joe Biden", "Biden" and "President Biden" are one person
    return text


def article_signals(article: Article) -> dict[str, list[str]]:
    """Names by kind, content words and numbers of one article, each listed once, sorted."""
    found: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for sentence in article.sentences:
        for entity in sentence.entities:
            kind = NAME_KINDS.get(entity.label)
            if kind:
                name = _name(entity.text, entity.label)
                if name:
                    found[kind].add(name)
    text = " ".join([article.title] + [s.text for s in article.sentences])
    found["words"] = {w for w in (m.lower().strip("'-") for m in _WORD.findall(text)) if len(w) > 2 and w not in _STOP}
    found["numbers"] = {n.replace(",", "") for n in _NUMBER.findall(text)}
    return {kind: sorted(values) for kind, values in found.items()}


def _unit(m: np.ndarray) -> np.ndarray:
    return m / np.linalg.norm(m, axis=1, keepdims=True).clip(min=1e-12)


@dataclass
class ArticleVectors:
    combined: np.ndarray  # sentences and headline averaged (what grouping used alone before)
    body: np.ndarray
    title: np.ndarray
    lead: np.ndarray
    sentences: np.ndarray  # sentence count per article


def article_vectors(sentence_vectors: Sequence[np.ndarray], title_vectors: np.ndarray) -> ArticleVectors:
    body = _unit(np.vstack([v.mean(axis=0) for v in sentence_vectors]))
    combined = _unit(np.vstack([np.vstack([v, t[None, :]]).mean(axis=0) for v, t in zip(sentence_vectors, title_vectors)]))
    lead = _unit(np.vstack([v[:2].mean(axis=0) for v in sentence_vectors]))
    return ArticleVectors(combined, body, _unit(title_vectors), lead, np.array([len(v) for v in sentence_vectors], float))


@dataclass
class NameIndex:
    """Each signal kind as a sparse article x term matrix with sqrt(rarity) entries, so a row dot
    product is the summed rarity of the terms two articles share."""

    matrices: dict[str, sparse.csr_matrix]
    totals: dict[str, np.ndarray]  # summed rarity of each article's terms


def name_index(signals: Sequence[dict[str, list[str]]]) -> NameIndex:
    n = len(signals)
    matrices, totals = {}, {}
    for kind in KINDS:
        vocab: dict[str, int] = {}
        rows, cols = [], []
        for i, s in enumerate(signals):
            for term in s[kind]:
                rows.append(i)
                cols.append(vocab.setdefault(term, len(vocab)))
        binary = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n, max(1, len(vocab))))
        df = np.asarray(binary.sum(axis=0)).ravel()
        # Rarity in 0..1: a term in one article only is 1, one in every article is 0.
        rarity = (np.log((n + 1) / (df + 1)) / np.log(n + 1)).astype(np.float32) if n > 1 else np.ones_like(df)
        matrices[kind] = (binary @ sparse.diags(np.sqrt(rarity))).tocsr()
        totals[kind] = np.asarray((binary @ sparse.diags(rarity)).sum(axis=1)).ravel()
    return NameIndex(matrices, totals)


def _shared(matrix: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray, block: int = 200_000) -> np.ndarray:
    out = np.empty(len(rows), np.float32)
    for start in range(0, len(rows), block):
        r, c = rows[start:start + block], cols[start:start + block]
        out[start:start + block] = np.asarray(matrix[r].multiply(matrix[c]).sum(axis=1)).ravel()
    return out


def _rowdot(a: np.ndarray, b: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", a[rows], b[cols])


def pair_features(vectors: ArticleVectors, index: NameIndex, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    columns: dict[str, np.ndarray] = {
        "cos_combined": _rowdot(vectors.combined, vectors.combined, rows, cols),
        "cos_body": _rowdot(vectors.body, vectors.body, rows, cols),
        "cos_title": _rowdot(vectors.title, vectors.title, rows, cols),
        "cos_lead": _rowdot(vectors.lead, vectors.lead, rows, cols),
        "cos_title_body": np.maximum(_rowdot(vectors.title, vectors.body, rows, cols),
                                     _rowdot(vectors.body, vectors.title, rows, cols)),
    }
    for kind in KINDS:
        shared = _shared(index.matrices[kind], rows, cols)
        ti, tj = index.totals[kind][rows], index.totals[kind][cols]
        if kind == "words":
            columns["words_cosine"] = shared / np.sqrt(ti * tj).clip(min=1e-6)
        else:
            columns[f"{kind}_overlap"] = shared / np.minimum(ti, tj).clip(min=1e-6)
        columns[f"{kind}_shared"] = shared
    columns["min_sentences"] = np.minimum(vectors.sentences[rows], vectors.sentences[cols])
    columns["max_sentences"] = np.maximum(vectors.sentences[rows], vectors.sentences[cols])
    return np.column_stack([columns[name] for name in FEATURES]).astype(np.float32)


def neighbour_pairs(unit: np.ndarray, k: int, floor: float, block: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """(i, j), i < j: each article's k nearest neighbours at least `floor` similar, every pair compared."""
    rows, cols = [], []
    n = len(unit)
    for start in range(0, n, block):
        sims = unit[start:start + block] @ unit.T
        for local in range(len(sims)):
            sims[local, start + local] = -np.inf
        i, j = np.nonzero(sims >= floor)
        s = sims[i, j]
        order = np.lexsort((j, -s, i))  # per row, most similar first (ties by index: deterministic)
        i, j = i[order], j[order]
        first = np.searchsorted(i, i, side="left")
        keep = (np.arange(len(i)) - first) < k
        rows.append(start + i[keep])
        cols.append(j[keep])
    r, c = np.concatenate(rows), np.concatenate(cols)
    pairs = np.unique(np.sort(np.column_stack([r, c]), axis=1), axis=0) if len(r) else np.zeros((0, 2), int)
    return pairs[:, 0], pairs[:, 1]


def approximate_neighbour_pairs(unit: np.ndarray, k: int, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """As `neighbour_pairs`, from a faiss HNSW index built on one thread (deterministic)."""
    import faiss

    vectors = np.ascontiguousarray(unit, dtype=np.float32)
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        index = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.add(vectors)
        index.hnsw.efSearch = max(64, 2 * k)
        sims, ids = index.search(vectors, min(k + 1, len(vectors)))
    finally:
        faiss.omp_set_num_threads(threads)
    rows = np.repeat(np.arange(len(vectors)), ids.shape[1])
    cols, sims = ids.ravel(), sims.ravel()
    keep = (cols >= 0) & (cols != rows) & (sims >= floor)
    r, c, s = rows[keep], cols[keep], sims[keep]
    order = np.lexsort((c, -s, r))
    r, c = r[order], c[order]
    first = np.searchsorted(r, r, side="left")
    top = (np.arange(len(r)) - first) < k
    pairs = np.unique(np.sort(np.column_stack([r[top], c[top]]), axis=1), axis=0) if top.any() else np.zeros((0, 2), int)
    return pairs[:, 0], pairs[:, 1]
