"""The output folder: one run at a time (lock), atomic run folders, the `latest` switch, pruning.

Layout: OUT/runs/<UTC time>/{digest.md,digest.json,...}, OUT/latest -> runs/<newest>, OUT/archive.html and
OUT/index.html (editions with a page),
OUT/.newsdigest.lock (+ .newsdigest.lock.json saying who holds it).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from .atomic import atomic_file, staged_folder, write_synced
from .clock import utc_stamp
from .errors import LockedError, OutputError

LOCK_NAME = ".newsdigest.lock"
TMP_PREFIX = ".tmp-"  # a run folder being written; removed by the next run if its run died
# Test-only: seconds to hold a run between writing its files and renaming the folder into place,
# so tests/test_faults.py can kill a run inside that window. Unset (the default) means no pause.
TEST_PAUSE_ENV = "NEWSDIGEST_TEST_PAUSE_BEFORE_RENAME"


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
            "started": utc_stamp(), "argv": sys.argv}
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
    try:
        runs.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(runs)
        # Failed or interrupted: the staged folder is removed, nothing half-written stays.
        with staged_folder(runs, f"{TMP_PREFIX}{stamp}-") as tmp:
            # mkdtemp makes it private (0700); a published run folder is as readable as any other.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o777 & ~umask)
            for name, text in files.items():
                _write_file(tmp / name, text)
            if os.environ.get(TEST_PAUSE_ENV):
                time.sleep(float(os.environ[TEST_PAUSE_ENV]))
            final = _free_name(runs / stamp)
            os.replace(tmp, final)
        _point_latest(out_dir, final)
        return final
    except OSError as exc:
        raise OutputError(f"cannot write outputs to {out_dir}: {exc.strerror or exc}") from None


def remove_stale_temporaries(runs: Path) -> None:
    """Half-written folders of killed runs; safe to delete because we hold the lock."""
    for child in runs.glob(f"{TMP_PREFIX}*"):
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


def run_folders(out_dir: Path) -> list[Path]:
    """The published run folders, oldest first (their names are UTC times)."""
    runs = out_dir / "runs"
    if not runs.is_dir():
        return []
    return sorted(p for p in runs.iterdir() if p.is_dir() and not p.name.startswith("."))


def write_page(out_dir: Path, name: str, text: str) -> Path:
    """A file directly in the output folder (archive.html, index.html), replaced atomically."""
    path = out_dir / name
    try:
        with atomic_file(path) as fh:
            fh.write(text.encode("utf-8"))
        os.chmod(path, 0o666 & ~_umask())
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_file(path: Path, text: str) -> None:
    write_synced(path, text)


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
