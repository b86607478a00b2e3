"""The local engine: the model work of a run computed in this process (the default)."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext

import numpy as np

from ..config import Settings
from ..digest.build import digests_of
from ..domain import Article, Digest, Sentence
from ..models.loaders import ModelBundle
from ..nlp.analyse import analyse
from .base import Engine, StoryResult, story_results


class LocalEngine:
    """Computes in this process with the run's models: the default engine."""

    # Enough hybrid rewrites to fill generator batches, few enough that the progress bar moves.
    chunk = 16

    def __init__(self, settings: Settings, models: ModelBundle) -> None:
        self.settings, self.models = settings, models

    def analyse(self, bodies: list[str]) -> Iterable[tuple[int, tuple[Sentence, ...]]]:
        return enumerate(analyse(bodies, self.models.nlp))

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.models.embedder.embed(texts)

    def digests(self, groups: list[list[Article]], vectors: dict[str, np.ndarray]) -> Iterable[tuple[int, Digest]]:
        return enumerate(digests_of(groups, vectors, self.settings, self.models))

    def stories(
        self, groups: list[list[Article]], vectors: dict[str, np.ndarray], copies: dict[str, str],
    ) -> Iterable[tuple[int, StoryResult]]:
        return enumerate(story_results(groups, vectors, copies, self.settings, self.models))


def open_local_engine(settings: Settings, models: ModelBundle) -> AbstractContextManager[Engine]:
    return nullcontext(LocalEngine(settings, models))
