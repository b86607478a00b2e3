"""The command line: exit codes, stdout/stderr discipline, bad input, with real subprocesses."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from filelock import FileLock
from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import SEEDS

runner = CliRunner()


def test_help_lists_exit_codes():
    result = runner.invoke(app, ["summarise", "--help"])
    assert result.exit_code == 0
    for code in ("66", "73", "75"):
        assert code in result.output


def test_empty_folder_exits_66(tmp_path):
    (tmp_path / "in").mkdir()
    result = runner.invoke(app, ["summarise", str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 66
    assert "no usable articles" in result.output


def test_folder_of_only_bad_files_exits_66_and_names_them(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "empty.txt").write_text("")
    (src / "blob.txt").write_bytes(b"\x00\x01\x02binary")
    result = runner.invoke(app, ["summarise", str(src), "--out", str(tmp_path / "out")])
    assert result.exit_code == 66
    assert "empty.txt" in result.output and "blob.txt" in result.output


def test_bad_setting_exits_2_naming_the_key(tmp_path):
    result = runner.invoke(app, ["summarise", str(SEEDS), "--set", "summary.mode=poetry"])
    assert result.exit_code == 2
    assert "summary.mode" in result.output


def test_broken_config_file_exits_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[summary\nmode = ")
    result = runner.invoke(app, ["summarise", str(SEEDS), "--config", str(bad)])
    assert result.exit_code == 2
    assert "bad.toml" in result.output


def test_unwritable_output_exits_73(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output folder should be")
    result = runner.invoke(app, ["summarise", str(SEEDS), "--out", str(blocker)])
    assert result.exit_code == 73
    assert "cannot write outputs" in result.output


def test_locked_output_exits_75(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with FileLock(out / ".newsdigest.lock"):
        result = runner.invoke(app, ["summarise", str(SEEDS), "--out", str(out)])
    assert result.exit_code == 75
    assert "another newsdigest run" in result.output


@pytest.mark.models
def test_quiet_json_run_with_bad_files_keeps_the_good_ones(tmp_path):
    """A real process: stdout is the report alone, --quiet leaves stderr empty, bad files are warnings."""
    src = tmp_path / "in folder é"
    src.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(seed, src / seed.name)
    shutil.copy(sorted(SEEDS.glob("*.txt"))[0], src / "copy of first.txt")
    (src / "empty.md").write_text("   \n")
    (src / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "summarise", str(src), "--out", str(tmp_path / "out"),
         "--quiet", "--json"],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    report = json.loads(proc.stdout)
    assert len(report["articles"]) == 2
    warnings = " ".join(report["warnings"])
    for name in ("copy of first.txt", "empty.md", "image.txt"):
        assert name in warnings
    assert (tmp_path / "out" / "latest" / "digest.md").is_file()


def test_json_log_format_writes_one_object_per_line(tmp_path):
    (tmp_path / "in").mkdir()
    result = runner.invoke(app, ["summarise", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                                 "--log-format", "json"])
    assert result.exit_code == 66
    lines = [json.loads(line) for line in result.output.strip().splitlines()]
    assert lines[-1]["level"] == "error" and "no usable articles" in lines[-1]["message"]
    assert all({"time", "level", "message"} <= set(line) for line in lines)
