"""Cron-grade behaviour under faults, with real processes: overlapping runs, SIGKILL, SIGTERM and
Ctrl-C while a run writes its run folder, corrupt cache, pruning. A cold run loads the real models,
which keeps it busy long enough to overlap; kills land in the write window through the test-only
pause in `publish.write_run` (NEWSDIGEST_TEST_PAUSE_BEFORE_RENAME)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

from pipeline import publish
from tests.conftest import SEEDS

pytestmark = pytest.mark.models


def _cmd(out: Path, cache: Path | None, *extra: str) -> list[str]:
    cache_opt = ["--cache-dir", str(cache)] if cache else ["--no-cache"]
    return [sys.executable, "-m", "pipeline.cli", "summarise", str(SEEDS), "--out", str(out), *cache_opt, *extra]


def _run(out: Path, cache: Path | None, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(_cmd(out, cache, *extra), capture_output=True, text=True, timeout=600)


def _start(out: Path, cache: Path | None, *extra: str) -> subprocess.Popen:
    proc = subprocess.Popen(_cmd(out, cache, *extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    holder = out / ".newsdigest.lock.json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if json.loads(holder.read_text())["pid"] == proc.pid:
                return proc
        except (OSError, ValueError, KeyError):
            pass
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the run never took the lock")


def _report_content(out: Path) -> dict:
    data = json.loads((out / "latest" / "digest.json").read_text())
    return {k: v for k, v in data.items() if k not in ("generated_at", "timings", "warnings")}


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory):
    """A cache filled by one complete run, and that run's output folder."""
    cache = tmp_path_factory.mktemp("cache")
    out = tmp_path_factory.mktemp("first")
    proc = _run(out, cache, "--quiet")
    assert proc.returncode == 0, proc.stderr
    return cache, out


def test_overlapping_run_exits_75_naming_the_holder_or_waits(tmp_path):
    out = tmp_path / "out"
    first = _start(out, None, "--quiet")
    second = _run(out, None, "--quiet")
    assert second.returncode == 75
    assert f"pid {first.pid}" in second.stderr
    third = _run(out, None, "--quiet", "--wait", "300")
    assert first.wait(timeout=300) == 0
    assert third.returncode == 0, third.stderr
    assert len(list((out / "runs").iterdir())) == 2


def _start_writing(out: Path, cache: Path, *extra: str) -> tuple[subprocess.Popen, Path]:
    """Start a run held inside its write window (the test-only pause in publish.write_run) and
    return it with its temporary run folder once every file of the report is in there."""
    runs = out / "runs"
    earlier = set(runs.glob(f"{publish.TMP_PREFIX}*")) if runs.exists() else set()
    env = {**os.environ, publish.TEST_PAUSE_ENV: "60"}
    proc = subprocess.Popen(_cmd(out, cache, *extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for tmp in set(runs.glob(f"{publish.TMP_PREFIX}*")) - earlier if runs.exists() else ():
            if (tmp / "digest.md").is_file() and (tmp / "digest.json").is_file():
                return proc, tmp
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the run never started writing its run folder")


def _published_runs(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "runs").iterdir() if not p.name.startswith("."))


def test_sigkill_while_writing_keeps_latest_and_the_next_run_removes_the_leftover(tmp_path, warm_cache):
    cache, _ = warm_cache
    out = tmp_path / "out"
    assert _run(out, cache, "--quiet").returncode == 0
    before = _report_content(out)
    target = os.readlink(out / "latest")
    victim, tmp = _start_writing(out, cache, "--quiet")
    victim.kill()
    victim.wait()
    # kill -9 runs no clean-up: the half-written folder is still there, unpublished.
    assert tmp.is_dir() and (tmp / "digest.json").is_file()
    assert os.readlink(out / "latest") == target
    assert _report_content(out) == before  # complete and readable
    assert _published_runs(out) == [Path(target).name]
    again = _run(out, cache, "--quiet")
    assert again.returncode == 0, again.stderr
    assert not tmp.exists(), "the killed run's temporary folder survived the next run"
    assert not list((out / "runs").glob(f"{publish.TMP_PREFIX}*"))
    assert os.readlink(out / "latest") != target and len(_published_runs(out)) == 2
    assert _report_content(out) == before


@pytest.mark.parametrize("signum,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "Ctrl-C"])
def test_stop_signal_while_writing_exits_cleanly(tmp_path, warm_cache, signum, code):
    cache, _ = warm_cache
    out = tmp_path / "out"
    assert _run(out, cache, "--quiet").returncode == 0
    before = _report_content(out)
    target = os.readlink(out / "latest")
    proc, tmp = _start_writing(out, cache)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == code, stderr
    assert f"signal {signum}" in stderr and "previous output is intact" in stderr
    with FileLock(out / ".newsdigest.lock", timeout=0):
        pass  # released
    assert not tmp.exists(), "a cleanly stopped run left its temporary folder"
    assert not list((out / "runs").glob(f"{publish.TMP_PREFIX}*"))
    assert os.readlink(out / "latest") == target
    assert _report_content(out) == before
    assert _published_runs(out) == [Path(target).name]


def test_corrupt_cache_entries_are_recomputed_with_a_warning(tmp_path, warm_cache):
    cache, first_out = warm_cache
    broken = tmp_path / "cache"
    subprocess.run(["cp", "-r", str(cache), str(broken)], check=True)
    for entry in list(broken.rglob("*.json")) + list(broken.rglob("*.npy")):
        entry.write_bytes(b"\x00garbage{")
    out = tmp_path / "out"
    proc = _run(out, broken)
    assert proc.returncode == 0, proc.stderr
    assert "unreadable" in proc.stderr
    assert _report_content(out) == _report_content(first_out)
    # The recomputed entries replaced the garbage: a further run reads them without complaint.
    again = _run(out, broken)
    assert again.returncode == 0 and "unreadable" not in again.stderr


def test_warm_run_loads_no_model_and_keep_prunes(tmp_path, warm_cache):
    cache, first_out = warm_cache
    out = tmp_path / "out"
    for _ in range(3):
        proc = _run(out, cache, "--json", "--keep", "2")
        assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["timings"]["cache_misses"] == 0
    assert report["timings"]["cache_hits"] > 0
    runs = sorted((out / "runs").iterdir())
    assert len(runs) == 2
    assert (out / "latest").resolve() == runs[-1].resolve()
    assert _report_content(out) == _report_content(first_out)


def test_output_is_the_same_whatever_the_hash_seed(tmp_path):
    """Idempotent across processes: nothing may depend on set or dict ordering of strings."""
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        proc = subprocess.run(_cmd(out, None, "--quiet"), capture_output=True, text=True, timeout=600,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
        outs.append(_report_content(out))
    assert outs[0] == outs[1]
