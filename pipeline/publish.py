"""The output folder: one run at a time (lock), atomic run folders, the `latest` switch, pruning.

Layout: OUT/runs/<UTC time>/{digest.md,digest.json,...}, OUT/latest -> runs/<newest>,
OUT/.newsdigest.lock (+ .newsdigest.lock.json saying who holds it).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import LockedError, OutputError

LOCK_NAME = ".newsdigest.lock"
_TMP_PREFIX = ".tmp-"


@contextmanager
def run_lock(out_dir: Path, wait_s: float = 0.0) -> Iterator[None]:
    """One run per output folder. The OS drops the lock when its holder dies, so it never goes stale."""
    lock_path = out_dir / LOCK_NAME
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(lock_path, timeout=wait_s)
        lock.acquire()
    except Timeout:
        raise LockedError(f"another newsdigest run ({_holder(lock_path)}) is writing to {out_dir}; "
                          "use --wait SECONDS to wait for it") from None
    except OSError as exc:
        raise OutputError(f"cannot write outputs to {out_dir}: {exc.strerror or exc}") from None
    try:
        _write_holder(lock_path)
        yield
    finally:
        lock.release()


def _write_holder(lock_path: Path) -> None:
    info = {"pid": os.getpid(), "host": socket.gethostname(),
            "started": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "argv": sys.argv}
    try:
        Path(f"{lock_path}.json").write_text(json.dumps(info), encoding="utf-8")
    except OSError:
        pass  # the lock itself is what matters; the note only makes the message friendlier


def _holder(lock_path: Path) -> str:
    try:
        info = json.loads(Path(f"{lock_path}.json").read_text(encoding="utf-8"))
        return f"pid {info['pid']} on {info['host']}, started {info['started']}"
    except (OSError, ValueError, KeyError):
        return "holder unknown"


def write_run(out_dir: Path, stamp: str, files: Mapping[str, str]) -> Path:
    """Write files into a new run folder under a temporary name, rename it into place, switch latest."""
    runs = out_dir / "runs"
    tmp: Path | None = None
    try:
        runs.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(runs)
        tmp = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{stamp}-", dir=runs))
        # mkdtemp makes it private (0700); a published run folder is as readable as any other.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        for name, text in files.items():
            _write_file(tmp / name, text)
        final = _free_name(runs / stamp)
        os.replace(tmp, final)
        tmp = None
        _point_latest(out_dir, final)
        return final
    except OSError as exc:
        raise OutputError(f"cannot write outputs to {out_dir}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:  # failed or interrupted: leave nothing half-written behind
            shutil.rmtree(tmp, ignore_errors=True)


def remove_stale_temporaries(runs: Path) -> None:
    """Half-written folders of killed runs; safe to delete because we hold the lock."""
    for child in runs.glob(f"{_TMP_PREFIX}*"):
        shutil.rmtree(child, ignore_errors=True)


def prune_runs(out_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` run folders; never the one `latest` points to."""
    runs = out_dir / "runs"
    latest = (out_dir / "latest").resolve() if (out_dir / "latest").is_symlink() else None
    folders = sorted(p for p in runs.iterdir() if p.is_dir() and not p.name.startswith("."))
    doomed = [p for p in folders[: max(0, len(folders) - keep)] if p.resolve() != latest]
    for folder in doomed:
        shutil.rmtree(folder, ignore_errors=True)
    return doomed


def _write_file(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _free_name(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}-{n}")
        n += 1
    return candidate


def _point_latest(out_dir: Path, target: Path) -> None:
    """A new symlink under a temporary name, renamed over `latest`: readers never see it missing."""
    tmp_link = out_dir / f".latest-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(target.relative_to(out_dir))
    os.replace(tmp_link, out_dir / "latest")
