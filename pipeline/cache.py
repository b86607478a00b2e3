"""Content-addressed cache of per-article and per-story results.

Keys are sha256 over the article text (or a story's articles) plus everything the
result depends on: model ids and package versions, prompt version, settings. A
corrupt entry is deleted and recomputed, with a warning; writes are atomic.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .domain import Citation, Digest, DigestSentence, Divergence, Entity, Outcome, Position, Sentence

# Bump when cached results of every kind would change for the same inputs (sentence splitting,
# analysis, the entry format). Digest and story algorithms have their own version
# (`DIGEST_VERSION`), so changing them leaves analyses and vectors cached.
CACHE_VERSION = "3"

# Bump when digests or divergences would change for the same articles and settings (a selection
# or detector change); analyses and vectors stay cached. 2: story digests discount sentences
# that lean on an earlier one; a name in another spelling is no omission; a principal on the
# record beside officials is no attribution divergence.
DIGEST_VERSION = 2


def cache_key(*parts: Any) -> str:
    blob = json.dumps([CACHE_VERSION, *parts], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class Cache:
    """Files under `root/<kind>/<key[:2]>/<key>.(json|npy)`; `root=None` disables caching."""

    def __init__(self, root: Path | None, warn: Callable[[str], None] = lambda _m: None) -> None:
        self.root = root
        self.warn = warn
        self.hits = 0
        self.misses = 0
        self._writable = root is not None

    def get_json(self, kind: str, key: str) -> Any | None:
        return self._get(kind, key, ".json", lambda p: json.loads(p.read_text(encoding="utf-8")))

    def put_json(self, kind: str, key: str, value: Any) -> None:
        data = json.dumps(value, ensure_ascii=False).encode("utf-8")
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
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            with os.fdopen(fd, "wb") as fh:
                write(fh)
            os.replace(tmp, path)
        except OSError as exc:
            # A cache that cannot be written slows later runs; it must not fail this one.
            self.warn(f"cache folder {self.root} is not writable ({exc.strerror or exc}); running without cache")
            self._writable = False
            if tmp:
                Path(tmp).unlink(missing_ok=True)


# --- records <-> JSON ----------------------------------------------------------

def sentences_to_json(sentences: tuple[Sentence, ...]) -> list[dict]:
    return [
        {"i": s.index, "t": s.text, "e": [[e.text, e.label] for e in s.entities],
         "a": list(s.attributions), "p": list(s.proper_nouns), "ok": s.eligible,
         "o": [[o.agent, o.stance, o.theme, o.words] for o in s.outcomes]}
        for s in sentences
    ]


def sentences_from_json(data: list[dict]) -> tuple[Sentence, ...]:
    return tuple(
        Sentence(index=d["i"], text=d["t"], entities=tuple(Entity(t, lab) for t, lab in d["e"]),
                 attributions=tuple(d["a"]), proper_nouns=tuple(d["p"]), eligible=d["ok"],
                 outcomes=tuple(Outcome(*o) for o in d["o"]))
        for d in data
    )


def _citations_json(citations: tuple[Citation, ...]) -> list[list]:
    return [[c.article, c.sentence] for c in citations]


def _citations(data: list[list]) -> tuple[Citation, ...]:
    return tuple(Citation(a, s) for a, s in data)


def digest_to_json(digest: Digest) -> dict:
    return {"s": [[s.text, _citations_json(s.citations), s.method] for s in digest.sentences],
            "rejected": digest.rejected}


def digest_from_json(data: dict) -> Digest:
    return Digest(tuple(DigestSentence(t, _citations(c), m) for t, c, m in data["s"]), data["rejected"])


def divergences_to_json(items: tuple[Divergence, ...]) -> list[dict]:
    return [
        {"kind": d.kind, "topic": d.topic, "summary": d.summary, "confidence": d.confidence,
         "positions": [[list(p.article_ids), p.text, _citations_json(p.citations)] for p in d.positions]}
        for d in items
    ]


def divergences_from_json(data: list[dict]) -> tuple[Divergence, ...]:
    return tuple(
        Divergence(d["kind"], d["topic"], d["summary"],
                   tuple(Position(tuple(ids), text, _citations(c)) for ids, text, c in d["positions"]),
                   d["confidence"])
        for d in data
    )
