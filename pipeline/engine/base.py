"""What an engine is: the Protocol every engine implements, and the per-story work each one runs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Protocol

import numpy as np

from ..config import Settings
from ..diverge import find_divergences
from ..digest.build import digests_of
from ..domain import Article, Digest, Divergence, Sentence
from ..models.loaders import ModelBundle

StoryResult = tuple[Digest, tuple[Divergence, ...]]


class Engine(Protocol):
    """Where the model work of a run is computed: only cache misses reach it, and the
    driver keeps ingest, cache, grouping, lock and publish, so every engine makes the same report.

    `analyse`, `digests` and `stories` yield each result as soon as it is done, with its index
    in the call's list (every index once, in any order): the driver caches each one as it
    arrives, so a run stopped half-way keeps what it finished."""

    # Items handed over per call: hybrid rewrites of one call share generator batches.
    chunk: int

    def analyse(self, bodies: list[str]) -> Iterable[tuple[int, tuple[Sentence, ...]]]: ...

    def embed(self, texts: list[str]) -> np.ndarray: ...

    def digests(self, groups: list[list[Article]], vectors: dict[str, np.ndarray]) -> Iterable[tuple[int, Digest]]: ...

    def stories(
        self, groups: list[list[Article]], vectors: dict[str, np.ndarray], copies: dict[str, str],
    ) -> Iterable[tuple[int, StoryResult]]: ...


# Opens an engine for one run's settings and (lazily loaded) models; closing it frees its workers.
OpenEngine = Callable[[Settings, ModelBundle], AbstractContextManager[Engine]]


def story_results(
    groups: list[list[Article]], vectors: dict[str, np.ndarray], copies: dict[str, str],
    settings: Settings, models: ModelBundle,
) -> list[StoryResult]:
    """Merged digest and divergences of each story (what every engine runs per story)."""
    digests = digests_of(groups, vectors, settings, models)
    # Syndicated copies repeat their original: they are not independent sources to compare.
    return [(digest, tuple(find_divergences([a for a in group if a.id not in copies],
                                                    vectors, settings.divergence)))
            for group, digest in zip(groups, digests)]
