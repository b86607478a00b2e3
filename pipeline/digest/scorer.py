"""The learned sentence scorer for merged story digests (`summary.scorer = "learned"`): features, model file, training.

Gradient-boosted trees (LightGBM) predict how much of a reference summary a sentence carries, from signals the
pipeline computes itself, each chosen to mean the same at any word budget and in any mix of sources: lead and
relative position, centrality and LexRank over sentence embeddings, agreement across articles, how widely its
content words are shared, length (also as a share of the budget), figures, names, and the budget as a share of
the pool's words. The shipped model (pipeline/data/sentence_scorer.txt) was trained on the AllSides train split
only and chosen on the two val sets; its file starts with a header saying which data and settings trained it, and
`bench/scorer/train.py` rebuilds it (bench/RESULTS.md, "Learned scorer, trained on train only").
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..cache import file_digest
from ..errors import ModelUnavailableError
from .pool import (
    Pool,
    centrality,
    lexrank,
    soft_support,
    support,
    word_frequency,
    word_support,
)

MODEL_FILE = Path(__file__).parent.parent / "data" / "sentence_scorer.txt"

# Column order of the model's input; the model file names them too, and loading checks they match.
FEATURES = (
    "lead", "relative_position", "centrality", "lexrank", "support", "soft_support", "word_support",
    "word_frequency", "words", "words_to_budget", "budget_ratio", "has_number", "entity_density", "quote",
)

# How the shipped model was trained (bench/scorer/train.py passes these to `train`).
TRAIN_PARAMS: dict[str, Any] = {
    "objective": "regression", "learning_rate": 0.05, "num_leaves": 8, "min_data_in_leaf": 200,
    "rounds": 150, "seed": 0, "deterministic": True, "force_row_wise": True, "num_threads": 1, "verbose": -1,
}

_HEADER = "# "
_REBUILD = "bench/scorer/train.py"


def features(pool: Pool, budget_words: int) -> np.ndarray:
    """One row per pool sentence, columns in FEATURES order."""
    n = len(pool.sentences)
    if not n:
        return np.zeros((0, len(FEATURES)))
    ids = list(pool.article_ids)
    per_article = Counter(ids)
    positions = np.asarray(pool.positions, dtype=float)
    words = np.array([s.words for s in pool.sentences], dtype=float)
    entities = np.array([len(s.entities) for s in pool.sentences], dtype=float)
    columns = {
        "lead": 1.0 / np.sqrt(1.0 + positions),
        "relative_position": positions / np.array([per_article[a] for a in ids], dtype=float),
        "centrality": centrality(pool),
        "lexrank": lexrank(pool),
        "support": support(pool),
        "soft_support": soft_support(pool),
        "word_support": word_support(pool),
        "word_frequency": word_frequency(pool),
        "words": words,
        # What fits a 60-word digest of three lead paragraphs differs from a 250-word one of ten articles;
        # as shares (not word counts) these mean the same on any source mix.
        "words_to_budget": words / float(budget_words),
        "budget_ratio": np.full(n, budget_words / (words.sum() or 1.0)),
        "has_number": np.array([any(ch.isdigit() for ch in s.text) for s in pool.sentences], dtype=float),
        "entity_density": entities / np.maximum(words, 1.0),
        "quote": np.array([('"' in s.text or "“" in s.text) for s in pool.sentences], dtype=float),
    }
    return np.column_stack([columns[name] for name in FEATURES])


def learned_salience(pool: Pool, budget_words: int) -> np.ndarray:
    """Predicted reference overlap per sentence, floored above zero so the knapsack still weighs length."""
    if not pool.sentences:
        return np.zeros(0)
    return np.maximum(_booster().predict(features(pool, budget_words)), 1e-3)


def model_digest() -> str:
    """Changes whenever the shipped model does, so cached digests made with another model are not reused."""
    return file_digest(MODEL_FILE)


def model_header(path: Path = MODEL_FILE) -> dict[str, str]:
    """The `# key: value` lines at the top of a model file: which data and settings trained it."""
    header, _ = _split(path.read_text(encoding="utf-8"))
    return header


@lru_cache(maxsize=1)
def _booster() -> Any:
    return read_model(MODEL_FILE.read_text(encoding="utf-8"), str(MODEL_FILE))


def read_model(text: str, where: str = "model") -> Any:
    """A LightGBM booster from a model file's text; refused unless it was trained on FEATURES, in that order."""
    import lightgbm

    header, body = _split(text)
    named = header.get("features", "").split()
    try:
        booster = lightgbm.Booster(model_str=body)
    except lightgbm.basic.LightGBMError as exc:
        raise ModelUnavailableError(f"{where} is not a LightGBM model ({exc}): rebuild it with {_REBUILD}") from None
    for source, names in (("header", named), ("trees", booster.feature_name())):
        if tuple(names) != FEATURES:
            raise ModelUnavailableError(
                f"{where} was trained on features {names} (its {source}), not {list(FEATURES)}: "
                f"rebuild it with {_REBUILD}")
    return booster


def _split(text: str) -> tuple[dict[str, str], str]:
    header: dict[str, str] = {}
    lines = text.splitlines(keepends=True)
    k = 0
    while k < len(lines) and lines[k].startswith(_HEADER):
        key, _, value = lines[k][len(_HEADER):].partition(":")
        header[key.strip()] = value.strip()
        k += 1
    return header, "".join(lines[k:])


# --- training ----------------------------------------------------------------

@dataclass(frozen=True)
class Example:
    """One training cluster: its pool, the digest budget it was summarised to, and the reference summary."""

    pool: Pool
    budget_words: int
    reference: str


def reference_overlap(pool: Pool, reference: str) -> np.ndarray:
    """The training target: the share of a sentence's word pairs that the reference has, plus half the share of
    its words (ROUGE's own tokens and Porter stemmer). Weighted to pairs because a sentence whose pairs recur
    in the reference states its facts, not only its topic words; on the val sets this beat the equal-weighted
    target by +0.2 to +0.5 ROUGE-1 on Multi-News at equal AllSides scores (bench/RESULTS.md)."""
    ref = _rouge_tokens(reference)
    unigrams, bigrams = set(ref), set(zip(ref, ref[1:]))
    out = []
    for sentence in pool.sentences:
        t = _rouge_tokens(sentence.text)
        pairs = list(zip(t, t[1:]))
        out.append(sum(b in bigrams for b in pairs) / max(1, len(pairs))
                   + 0.5 * sum(w in unigrams for w in t) / max(1, len(t)))
    return np.array(out)


def _rouge_tokens(text: str) -> list[str]:
    return _rouge_tokenizer().tokenize(text)


@lru_cache(maxsize=1)
def _rouge_tokenizer() -> Any:
    from rouge_score import tokenizers  # the eval extra: training is a development task

    return tokenizers.DefaultTokenizer(use_stemmer=True)


def train(examples: Iterable[Example], about: dict[str, str], params: dict[str, Any] = TRAIN_PARAMS) -> str:
    """A model file's text (header + LightGBM trees) trained on the multi-article examples; deterministic.

    `about` goes into the header (e.g. {"data": "allsides_roundup_train, 2,294 clusters"}), beside the
    features, the target and the parameters, so the file says what made it.
    """
    import lightgbm

    xs, ys = [], []
    for ex in examples:
        if len(set(ex.pool.article_ids)) < 2:
            continue  # single articles are scored by the blend
        xs.append(features(ex.pool, ex.budget_words))
        ys.append(reference_overlap(ex.pool, ex.reference))
    if not xs:
        raise ValueError("no multi-article cluster to train on")
    x, y = np.vstack(xs), np.concatenate(ys)
    fit = {k: v for k, v in params.items() if k != "rounds"}
    booster = lightgbm.train(fit, lightgbm.Dataset(x, y, feature_name=list(FEATURES)), num_boost_round=params["rounds"])
    header = {
        "newsdigest sentence scorer": "LightGBM text model below; read by pipeline/digest/scorer.py",
        **about,
        "rows": f"{len(y)} sentences of {len(xs)} multi-article clusters",
        "target": "reference_overlap: share of the sentence's word pairs + 0.5 x share of its words in the reference",
        "features": " ".join(FEATURES),
        "params": json.dumps(params, sort_keys=True),
        "rebuild": _REBUILD,
    }
    head = "".join(f"{_HEADER}{k}: {v}\n" for k, v in header.items())
    return head + booster.model_to_string()
