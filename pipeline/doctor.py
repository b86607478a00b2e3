"""`newsdigest doctor`: check models, cache, output folder and offline settings; say what to fix."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from .config import Settings
from .errors import NewsdigestError
from .publish import LOCK_NAME


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def run_checks(settings: Settings, out_dir: Path, cache_dir: Path) -> list[Check]:
    from .models.loaders import apply_offline_policy

    apply_offline_policy(settings.models.allow_download)
    checks = [_python(), _offline(settings)]
    checks += [_embedder(settings), _nlp(settings), _generator(settings, cache_dir)]
    checks += [_writable("cache folder", cache_dir, "set --cache-dir or NEWSDIGEST_CACHE_DIR to a writable folder")]
    checks += [_writable("output folder", out_dir, "pass --out with a folder you can write"), _lock(out_dir)]
    if settings.sources.file:
        checks += _live_sources(settings)
    return checks


def _live_sources(settings: Settings) -> list[Check]:
    """Only when a sources file is configured: it parses, and the article store's folder can be written."""
    from .sources import load_sources
    from .store import default_store_path

    try:
        specs = load_sources(Path(settings.sources.file).expanduser(), settings.fetch.min_interval)
        sources = Check("sources file", True, f"{settings.sources.file}: {len(specs)} feeds")
    except NewsdigestError as exc:
        sources = Check("sources file", False, str(exc), "fix the key and line named (see configs/sources.example.toml)")
    store = default_store_path(settings.store.path)
    return [sources, _writable("article store folder", store.parent,
                               "pass --store, or set NEWSDIGEST_STORE or store.path, to a writable place")]


def _python() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check("python", ok, sys.version.split()[0], "" if ok else "use Python 3.11 or newer")


def _offline(settings: Settings) -> Check:
    offline = os.environ.get("HF_HUB_OFFLINE") == "1"
    detail = "offline (HF_HUB_OFFLINE=1)" if offline else "hub downloads allowed (models.allow_download = true)"
    return Check("network policy", True, detail)


def _timed_load(name: str, load, fix: str) -> Check:
    start = time.perf_counter()
    try:
        load()
    except NewsdigestError as exc:
        return Check(name, False, str(exc), fix)
    return Check(name, True, f"loaded in {time.perf_counter() - start:.1f} s")


def _embedder(settings: Settings) -> Check:
    from .models.loaders import load_embedder, resolve_device

    def load() -> None:
        load_embedder(settings.models.embedder, resolve_device(settings.models.device)).embed(["A test sentence."])

    return _timed_load(f"embedder {settings.models.embedder}", load,
                       "run `make install`, or set models.embedder to an available model")


def _nlp(settings: Settings) -> Check:
    from .models.loaders import load_nlp

    return _timed_load(f"spaCy {settings.models.ner}", lambda: load_nlp(settings.models.ner),
                       "run `make install`, or set models.ner to an installed spaCy pipeline")


def _generator(settings: Settings, cache_dir: Path) -> Check:
    from .models.loaders import (
        PACKAGED_GENERATOR, packaged_gguf_path, converted_weights_dir, load_generator,
    )

    name = f"generator {settings.models.generator}"
    if settings.summary.mode == "extractive" and settings.models.generator == PACKAGED_GENERATOR:
        # Not needed by the configured mode: check it is installed without paying for a load.
        try:
            gguf = packaged_gguf_path()
        except NewsdigestError as exc:
            return Check(name, False, str(exc), "run `make install` (needed for --set summary.mode=hybrid)")
        converted = (converted_weights_dir(gguf, cache_dir) / "config.json").is_file()
        note = "converted weights cached" if converted else "first hybrid run converts the GGUF (about 30 s)"
        return Check(name, True, f"installed, not used in extractive mode; {note}")
    return _timed_load(name, lambda: load_generator(settings.models, cache_dir, 8),
                       "set models.generator to a local folder or .gguf file, or allow downloads")


def _writable(name: str, folder: Path, fix: str) -> Check:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check(name, False, f"{folder}: {exc.strerror or exc}", fix)
    free_mb = shutil.disk_usage(folder).free / 1e6
    if free_mb < 100:
        return Check(name, False, f"{folder}: only {free_mb:.0f} MB free", "free some disk space")
    return Check(name, True, f"{folder} ({free_mb / 1000:.1f} GB free)")


def _lock(out_dir: Path) -> Check:
    try:
        with FileLock(out_dir / LOCK_NAME, timeout=0):
            return Check("run lock", True, "free")
    except Timeout:
        return Check("run lock", False, "another run is writing to this folder now",
                     "wait for it, or pass --wait SECONDS to summarise")
    except OSError as exc:
        return Check("run lock", False, str(exc), "pass --out with a folder you can write")
