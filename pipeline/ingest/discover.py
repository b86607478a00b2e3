"""Finding input files under the paths a user gives: accepted extensions, sorted, each once."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def discover(paths: Iterable[Path], extensions: Iterable[str]) -> tuple[list[Path], list[str]]:
    """Files under the given paths with an accepted extension, sorted, each once."""
    exts = {e.lower() for e in extensions}
    found: dict[Path, None] = {}
    warnings: list[str] = []
    for root in paths:
        if root.is_file():
            found[root] = None
        elif root.is_dir():
            for path in _walk(root):
                if path.suffix.lower() in exts:
                    found[path] = None
        else:
            warnings.append(f"skipped {root}: no such file or folder")
    return sorted(found, key=lambda p: str(p)), warnings


def _walk(root: Path) -> Iterable[Path]:
    # followlinks=False: a symlink loop cannot trap the walk; linked files still count.
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name
