"""Content-addressed cache of per-article and per-story results.

Keys are sha256 over the article text (or a story's articles) plus everything the
result depends on: model ids and package versions, prompt version, settings. A
corrupt entry is deleted and recomputed, with a warning; writes are atomic.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from pydantic import TypeAdapter

from .atomic import atomic_file
from .domain import Digest, Divergence, Sentence

# Bump when cached results of every kind would change for the same inputs (sentence splitting,
# analysis, the entry format). Digest and story algorithms have their own version
# (`DIGEST_VERSION`), so changing them leaves analyses and vectors cached.
CACHE_VERSION = "4"  # 4: entries are the pipeline's own types as pydantic writes them

# Bump when digests or divergences would change for the same articles and settings (a selection
# or detector change); analyses and vectors stay cached. 2: story digests discount sentences
# that lean on an earlier one; a name in another spelling is no omission; a principal on the
# record beside officials is no attribution divergence. 3: framing items pair only tellings of one
# claim, name their subtype and each side's framing words (issue 18). 4: story digests read grouped
# by article in source order, and are scored by a scorer retrained on the train split only (issue 17).
# 5: coverage reads "The Centers for ..." as CDC (no leading article in an acronym). 6: an item
# without shared names is labelled by the words its sentences share, not by words of one side; two
# words of one stem ("Economics"/"Economist") are no naming item; figure conflicts merge repeats and
# skip figures of different months or years.
DIGEST_VERSION = 6


T = TypeVar("T")

# How each kind of result is written: the pipeline's own types, validated when read back.
ANALYSIS: TypeAdapter[tuple[Sentence, ...]] = TypeAdapter(tuple[Sentence, ...])
DIGEST: TypeAdapter[Digest] = TypeAdapter(Digest)
STORY: TypeAdapter[tuple[Digest, tuple[Divergence, ...]]] = TypeAdapter(tuple[Digest, tuple[Divergence, ...]])
# An article's story-grouping signals: names by kind, words, numbers (pipeline.stories.signals).
SIGNALS: TypeAdapter[dict[str, list[str]]] = TypeAdapter(dict[str, list[str]])
# The stories of one set of articles: indices of the articles of each story (pipeline.stories.cached).
GROUPS: TypeAdapter[list[list[int]]] = TypeAdapter(list[list[int]])


def cache_key(*parts: Any) -> str:
    blob = json.dumps([CACHE_VERSION, *parts], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def file_digest(path: Path) -> str:
    """A short content hash of a file (a shipped model) for cache keys: a new file, new keys."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


class Cache:
    """Files under `root/<kind>/<key[:2]>/<key>.(json|npy)`; `root=None` disables caching."""

    def __init__(self, root: Path | None, warn: Callable[[str], None] = lambda _m: None) -> None:
        self.root = root
        self.warn = warn
        self.hits = 0
        self.misses = 0
        self._writable = root is not None

    def get(self, kind: str, key: str, codec: TypeAdapter[T]) -> T | None:
        """The cached value, or None; an entry that does not parse as `codec`'s type is corrupt."""
        return self._get(kind, key, ".json", lambda p: codec.validate_json(p.read_bytes()))

    def put(self, kind: str, key: str, value: T, codec: TypeAdapter[T]) -> None:
        data = codec.dump_json(value)
        self._put(kind, key, ".json", lambda fh: fh.write(data))

    def get_array(self, kind: str, key: str) -> np.ndarray | None:
        return self._get(kind, key, ".npy", lambda p: np.load(p, allow_pickle=False))

    def put_array(self, kind: str, key: str, value: np.ndarray) -> None:
        self._put(kind, key, ".npy", lambda fh: np.save(fh, value, allow_pickle=False))

    def _path(self, kind: str, key: str, suffix: str) -> Path:
        assert self.root is not None
        return self.root / kind / key[:2] / f"{key}{suffix}"

    def _get(self, kind: str, key: str, suffix: str, load: Callable[[Path], Any]) -> Any | None:
        if self.root is None:
            return None
        path = self._path(kind, key, suffix)
        if not path.exists():
            self.misses += 1
            return None
        try:
            value = load(path)
        except (OSError, ValueError, EOFError) as exc:
            self.warn(f"cache entry {path} is unreadable ({type(exc).__name__}); recomputing it")
            path.unlink(missing_ok=True)
            self.misses += 1
            return None
        self.hits += 1
        return value

    def _put(self, kind: str, key: str, suffix: str, write: Callable[[Any], Any]) -> None:
        if not self._writable:
            return
        path = self._path(kind, key, suffix)
        try:
            with atomic_file(path) as fh:
                write(fh)
        except OSError as exc:
            # A cache that cannot be written slows later runs; it must not fail this one.
            self.warn(f"cache folder {self.root} is not writable ({exc.strerror or exc}); running without cache")
            self._writable = False
