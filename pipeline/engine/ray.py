"""The Ray engine: the model work of a run as Ray Data `map_batches` over actor pools.

The driver (`run.py`) still ingests, reads and writes the cache, groups stories, holds the
run lock and publishes; only cache misses come here. Each stage is one Ray Data job whose
actors load the models that stage needs once, lazily, and run the very functions the local
engine runs, so both engines make the same report.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from ..config import Settings
from ..errors import ConfigError
from ..models.loaders import ModelBundle, apply_offline_policy, default_cache_dir, embedding_batches, load_bundle
from ..domain import Article, Digest, Sentence
from .base import OpenEngine, StoryResult

INSTALL_HINT = "pip install 'newsdigest[ray]'"

# Rows per actor call, per stage: spaCy pipes a few bodies at a time; an embedding row is one
# embedder batch of sentences; digests and stories come in generator-batch-sized groups.
_BATCH = {"analyse": 16, "embed": 16, "digests": 16, "stories": 8}


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError(f"--engine ray needs Ray, which is not installed: {INSTALL_HINT}") from None
    return ray


def open_ray_engine(address: str | None = None, workers: int | None = None) -> OpenEngine:
    """An `OpenEngine` for `run.summarise_paths`: connects to (or starts) Ray for one run.

    `address`: None starts a local cluster; "auto" joins a running one on this node;
    "ray://host:10001" goes through Ray Client. A session that already called `ray.init`
    keeps its cluster. Fails early, before any article is read, when Ray is missing.
    """
    ray = _import_ray()
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers must be 1 or more, not {workers}")

    @contextmanager
    def open_engine(settings: Settings, models: ModelBundle) -> Iterator[RayEngine]:
        started_here = not ray.is_initialized()
        if started_here:
            try:
                ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
            except ConnectionError as exc:
                raise ConfigError(f"cannot reach the Ray cluster at {address}: {exc}") from None
        _quiet_ray_data()
        try:
            yield RayEngine(settings, workers or max(1, int(ray.cluster_resources().get("CPU", 1))), models.cache_dir)
        finally:
            if started_here:
                ray.shutdown()

    return open_engine


def _quiet_ray_data() -> None:
    """Ray Data's per-job progress lines would drown our own stderr (and cron mail)."""
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    context.enable_auto_log_stats = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)


class RayEngine:
    """Implements `engine.Engine`: each call is one Ray Data job over a pool of `workers` actors."""

    # All misses in one call: one job, one model load per actor, not one per 16 digests.
    chunk = 1 << 30

    def __init__(self, settings: Settings, workers: int, cache_dir: Path | None = None) -> None:
        self.settings_json = settings.model_dump_json()
        self.workers = workers
        self.cache_dir = str(cache_dir) if cache_dir else None

    def analyse(self, bodies: list[str]) -> Iterator[tuple[int, tuple[Sentence, ...]]]:
        return self._stream("analyse", bodies)

    def embed(self, texts: list[str]) -> np.ndarray:
        # Whole embedder batches travel, so each vector is computed with the same neighbours
        # as in the local engine (see `embedding_batches`).
        batches = embedding_batches(texts)
        out: np.ndarray | None = None
        for b, matrix in self._stream("embed", [[texts[i] for i in batch] for batch in batches]):
            if out is None:
                out = np.empty((len(texts), matrix.shape[1]), dtype=np.float32)
            out[batches[b]] = matrix
        return out if out is not None else np.zeros((0, 0), dtype=np.float32)

    def digests(self, groups: list[list[Article]], vectors: dict[str, np.ndarray]) -> Iterator[tuple[int, Digest]]:
        return self._stream("digests", [(g, _vectors_of(g, vectors)) for g in groups])

    def stories(
        self, groups: list[list[Article]], vectors: dict[str, np.ndarray], copies: dict[str, str],
    ) -> Iterator[tuple[int, StoryResult]]:
        return self._stream("stories", [(g, _vectors_of(g, vectors), {a.id: copies[a.id] for a in g if a.id in copies})
                                        for g in groups])

    def _stream(self, stage: str, items: list[Any]) -> Iterator[tuple[int, Any]]:
        """(index, result) for every item, as each actor batch finishes: items travel pickled,
        each with its index, because Ray Data does not keep row order across actors."""
        import ray.data

        if not items:
            return
        rows = [{"i": i, "payload": pickle.dumps(item)} for i, item in enumerate(items)]
        # One block per actor batch, so that every actor gets work from the start, and no more
        # actors than blocks: an idle actor would still load its models.
        blocks = -(-len(rows) // _BATCH[stage])
        ds = ray.data.from_items(rows, override_num_blocks=blocks)
        out = ds.map_batches(
            _Worker, fn_constructor_kwargs={"settings_json": self.settings_json, "stage": stage,
                                            "cache_dir": self.cache_dir},
            batch_size=_BATCH[stage], compute=ray.data.ActorPoolStrategy(size=min(self.workers, blocks)),
            num_cpus=1, batch_format="numpy",
        )
        for batch in out.iter_batches(batch_size=None, batch_format="numpy"):
            for i, payload in zip(batch["i"], batch["payload"]):
                yield int(i), pickle.loads(payload)


def _vectors_of(group: list[Article], vectors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Only the group's own sentence vectors travel with it."""
    return {a.id: vectors[a.id] for a in group}


def _worker_cache_dir(driver_cache_dir: str | None) -> Path:
    """The run's own cache folder where this node has it (a local cluster), so converted
    weights are shared with the driver; else this node's default folder."""
    if driver_cache_dir and Path(driver_cache_dir).is_dir():
        return Path(driver_cache_dir)
    return default_cache_dir()


class _Worker:
    """A Ray Data actor running the local engine: models load on first use and stay for
    every batch the actor is given."""

    def __init__(self, settings_json: str, stage: str, cache_dir: str | None = None) -> None:
        from .local import LocalEngine

        settings = Settings.model_validate_json(settings_json)
        apply_offline_policy(settings.models.allow_download)
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        self.local = LocalEngine(settings, load_bundle(settings.models, _worker_cache_dir(cache_dir),
                                                       settings.summary.max_new_tokens))
        self.stage = stage

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        results = self._compute([pickle.loads(p) for p in batch["payload"]])
        return {"i": batch["i"], "payload": np.array([pickle.dumps(r) for r in results], dtype=object)}

    def _compute(self, items: list[Any]) -> list[Any]:
        if self.stage == "analyse":
            return _in_order(self.local.analyse(items), len(items))
        if self.stage == "embed":
            return [self.local.embed(texts) for texts in items]
        groups = [item[0] for item in items]
        vectors = {k: v for item in items for k, v in item[1].items()}
        if self.stage == "digests":
            return _in_order(self.local.digests(groups, vectors), len(items))
        copies = {k: v for item in items for k, v in item[2].items()}
        return _in_order(self.local.stories(groups, vectors, copies), len(items))


def _in_order(results: Iterable[tuple[int, Any]], n: int) -> list[Any]:
    out: list[Any] = [None] * n
    for i, result in results:
        out[i] = result
    return out
