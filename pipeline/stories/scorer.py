"""The story pair scorer: LightGBM trees shipped in the package (`pipeline/data/story_pairs.txt`)
that give the probability that two articles report the same story, from `pairs.FEATURES`.

The file is LightGBM's text format with header lines saying what trained it (data, features,
script; bench/train_pair_scorer.py writes them). A file trained on other features is refused
rather than fed columns it does not know. A cached grouping names the model file's digest, so a new
model file takes effect on the next run.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..cache import file_digest
from .pairs import FEATURES

MODEL_FILE = Path(__file__).resolve().parents[1] / "data" / "story_pairs.txt"
HEADER_PREFIX = "newsdigest_"


class PairModelError(RuntimeError):
    """The pair model file is missing, unreadable or made for other features."""


def model_header(path: Path = MODEL_FILE) -> dict[str, str]:
    """The `newsdigest_*` lines of the model file: what data, features and script trained it."""
    header = {}
    for line in path.read_text(encoding="utf-8").splitlines()[:20]:
        if line.startswith(HEADER_PREFIX) and "=" in line:
            key, value = line.split("=", 1)
            header[key.removeprefix(HEADER_PREFIX)] = value
    return header


def load_pair_model(path: Path = MODEL_FILE) -> Any:
    """The LightGBM booster; refused when it was trained on other features than FEATURES."""
    import lightgbm

    if not path.is_file():
        raise PairModelError(f"story pair model {path} not found: train it with bench/train_pair_scorer.py")
    booster = lightgbm.Booster(model_file=str(path))
    if tuple(booster.feature_name()) != FEATURES:
        raise PairModelError(f"{path} was trained on features {booster.feature_name()}, not {list(FEATURES)}: "
                             "retrain it with bench/train_pair_scorer.py")
    return booster


def model_digest() -> str:
    """Changes whenever the shipped model does, so a grouping cached with another model is not reused."""
    return file_digest(MODEL_FILE)


@lru_cache(maxsize=1)
def _shipped() -> Any:
    return load_pair_model(MODEL_FILE)


def same_story_probability(features: np.ndarray, booster: Any = None) -> np.ndarray:
    """Probability per feature row (FEATURES order) that the pair is one story."""
    if not len(features):
        return np.zeros(0)
    # Rows are scored independently, so threads change the speed, never the scores.
    return (booster or _shipped()).predict(features)
