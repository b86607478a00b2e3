"""What the README promises that no other test checks: `doctor`, `schema`, `--format` and `--device`,
the progress bar only on a terminal, JSON log lines, a model that cannot be loaded, the cache folder
(default, unwritable), `--keep` beside `latest`, `divergence.markdown_items`, and abstractive mode
end to end with a real (tiny, random-weight) seq2seq model built here.

Fast tests use the fake embedder and real spaCy in-process; the `models` ones run real processes
against a cache warmed by one cold run of the real models, so each later run loads no model."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.config import Settings, load_settings
from pipeline.digest.guard import check
from pipeline.report.schema import SCHEMA_PATH
from pipeline.run import summarise_paths
from tests.conftest import SEEDS

runner = CliRunner()


def _seed_copy(tmp_path: Path, n: int = 5) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:n]:
        shutil.copy(seed, src / seed.name)
    return src


# --- schema ----------------------------------------------------------------------------------

def test_schema_command_prints_the_committed_schema_and_it_validates_a_real_report(tmp_path, fake_bundle):
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema == json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    out = tmp_path / "out"
    summarise_paths([SEEDS], Settings(), out, fake_bundle)
    report = json.loads((out / "latest" / "digest.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, schema)
    # The schema has teeth: a report without its articles, or with a made-up method, is refused.
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({k: v for k, v in report.items() if k != "articles"}, schema)
    report["articles"][0]["digest"]["sentences"][0]["method"] = "invented"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, schema)


# --- option parsing --------------------------------------------------------------------------

@pytest.mark.parametrize("args,key,allowed", [
    (["--format", "md,pdf"], "output.formats", "jsonfeed"),
    (["--device", "tpu"], "models.device", "cuda"),
    (["--log-format", "xml"], "--log-format", "json"),
])
def test_bad_option_value_exits_2_naming_the_key_and_what_it_accepts(tmp_path, args, key, allowed):
    result = runner.invoke(app, ["summarise", str(SEEDS), "--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 2, result.output
    assert key in result.output and allowed in result.output, result.output
    assert not (tmp_path / "out" / "latest").exists()


# --- models that cannot be loaded --------------------------------------------------------------

@pytest.mark.parametrize("role,spec,fix", [
    ("embedder", "{tmp}/no-such-model", "check the path"),
    pytest.param("generator", "no-such-org/no-such-model", "allow_download", marks=pytest.mark.models),
])
def test_a_model_that_cannot_be_loaded_exits_1_naming_it_and_the_fix(tmp_path, role, spec, fix):
    spec = spec.format(tmp=tmp_path)
    result = runner.invoke(app, ["summarise", str(SEEDS), "--out", str(tmp_path / "out"), "--no-cache",
                                 "--set", f"models.{role}={spec}", "--set", "summary.mode=hybrid"])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if "error" in line]
    assert len(errors) == 1 and spec in errors[0] and f"models.{role}" in errors[0], result.output
    assert fix in errors[0]
    assert not (tmp_path / "out" / "latest").exists()


# --- cache folder ----------------------------------------------------------------------------

def test_unwritable_cache_folder_is_a_warning_and_the_run_succeeds(tmp_path, fake_bundle):
    # A file where the cache folder should be: unwritable even for root, unlike chmod.
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    out = tmp_path / "out"
    result = summarise_paths([_seed_copy(tmp_path, 2)], Settings(), out, fake_bundle, cache_dir=blocker)
    assert len(result.report.articles) == 2 and (out / "latest" / "digest.json").is_file()
    warnings = [w for w in result.report.warnings if str(blocker) in w]
    assert len(warnings) == 1 and "not writable" in warnings[0], result.report.warnings
    assert blocker.read_text() == "not a folder"


# --- --keep and latest -----------------------------------------------------------------------

def test_keep_never_deletes_the_run_latest_points_to(tmp_path, fake_bundle):
    src, out = _seed_copy(tmp_path, 2), tmp_path / "out"
    first = summarise_paths([src], Settings(), out, fake_bundle).run_dir
    # A run folder named later than any real run (written by a host whose clock ran ahead):
    # sorted by name, it is the newest, so --keep 1 would otherwise drop the run just published.
    ahead = out / "runs" / "29991231T235959Z"
    shutil.copytree(first, ahead)
    second = summarise_paths([src], Settings(), out, fake_bundle, keep=1).run_dir
    assert (out / "latest").resolve() == second.resolve()
    assert json.loads((out / "latest" / "digest.json").read_text())["articles"]
    assert not first.exists()  # older than both and not latest: pruned
    assert sorted(p.name for p in (out / "runs").iterdir()) == sorted([second.name, ahead.name])


# --- digest.md -------------------------------------------------------------------------------

def _listed_divergences(markdown: str) -> list[str]:
    return re.findall(r"^\*\*(\d+)\. ", markdown, flags=re.MULTILINE)


def test_markdown_items_limits_what_digest_md_lists(tmp_path, fake_bundle):
    src = _seed_copy(tmp_path)
    full = summarise_paths([src], Settings(), tmp_path / "full", fake_bundle)
    (story,) = full.report.stories
    total = len(story.divergences)
    assert total > 2, "the seeds story needs more than two divergences for this test"
    assert len(_listed_divergences(full.markdown)) == min(total, Settings().divergence.markdown_items)
    limited = summarise_paths([src], load_settings(overrides=["divergence.markdown_items=2"], environ={}),
                              tmp_path / "two", fake_bundle)
    assert _listed_divergences(limited.markdown) == ["1", "2"]
    assert f"*{total - 2} more in digest.json.*" in limited.markdown
    on_disk = (tmp_path / "two" / "latest" / "digest.md").read_text(encoding="utf-8")
    assert _listed_divergences(on_disk) == ["1", "2"]
    # digest.json keeps them all.
    assert len(json.loads((tmp_path / "two" / "latest" / "digest.json").read_text())["stories"][0]["divergences"]) == total


# --- doctor ----------------------------------------------------------------------------------

@pytest.mark.models
def test_doctor_says_ok_and_exits_0_on_a_good_setup(tmp_path):
    result = runner.invoke(app, ["doctor", "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    checks = lines[:-1]
    assert len(checks) >= 6 and all(line.startswith("ok") for line in checks), result.output
    for name in ("embedder", "spaCy", "cache folder", "output folder", "run lock"):
        assert any(name in line for line in checks), name
    assert lines[-1] == f"{len(checks)} ok, 0 failed"


@pytest.mark.models
def test_doctor_names_each_failure_and_its_fix_and_exits_1(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output folder should be")
    missing = str(tmp_path / "no-such-model")
    result = runner.invoke(app, ["doctor", "--out", str(blocker), "--cache-dir", str(tmp_path / "cache"),
                                 "--set", f"models.embedder={missing}"])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    failed = [i for i, line in enumerate(lines) if line.startswith("FAIL")]
    assert any(f"embedder {missing}" in lines[i] for i in failed)
    assert any("output folder" in lines[i] for i in failed)
    for i in failed:
        assert lines[i + 1].strip().startswith("fix: ") and len(lines[i + 1].split()) > 2
    assert any(line.startswith("ok") and "spaCy" in line for line in lines)  # the rest still checked
    assert re.fullmatch(rf"\d+ ok, {len(failed)} failed", lines[-1])


# --- real processes on a warm cache ----------------------------------------------------------

def _cmd(src: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "summarise", str(src), "--out", str(out), *extra]


def _env(**changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NEWSDIGEST_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update({k: v for k, v in changes.items() if v is not None})
    return env


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory) -> Path:
    """A cache filled by one cold run of the real models on seeds/."""
    cache = tmp_path_factory.mktemp("warm") / "cache"
    proc = subprocess.run(_cmd(SEEDS, tmp_path_factory.mktemp("out"), "--cache-dir", str(cache), "--quiet"),
                          capture_output=True, text=True, timeout=600, env=_env())
    assert proc.returncode == 0, proc.stderr
    return cache


@pytest.mark.models
def test_format_option_writes_exactly_the_formats_asked_for(tmp_path, warm_cache):
    out = tmp_path / "out"
    proc = subprocess.run(_cmd(SEEDS, out, "--cache-dir", str(warm_cache), "--quiet", "--format", " html, atom ,jsonfeed"),
                          capture_output=True, text=True, timeout=300, env=_env())
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (out / "latest").iterdir()) == ["feed.atom", "feed.json", "index.html"]


@pytest.mark.models
def test_device_option_sets_the_device_the_report_records(tmp_path, warm_cache):
    proc = subprocess.run(_cmd(SEEDS, tmp_path / "out", "--cache-dir", str(warm_cache), "--quiet", "--json",
                               "--device", "cpu"), capture_output=True, text=True, timeout=300, env=_env())
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["settings"]["models"]["device"] == "cpu"


@pytest.mark.models
def test_default_cache_folder_is_newsdigest_cache_dir_else_xdg_cache_home(tmp_path, warm_cache):
    xdg = tmp_path / "xdg"
    shutil.copytree(warm_cache, xdg / "newsdigest")

    def timings(env: dict[str, str]) -> dict:
        proc = subprocess.run(_cmd(SEEDS, tmp_path / "out", "--quiet", "--json"),
                              capture_output=True, text=True, timeout=300, env=env)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)["timings"]

    from_xdg = timings(_env(XDG_CACHE_HOME=str(xdg)))
    assert from_xdg["cache_hits"] > 0 and from_xdg["cache_misses"] == 0
    # NEWSDIGEST_CACHE_DIR wins over XDG_CACHE_HOME, which then stays untouched.
    other, empty_xdg = tmp_path / "chosen", tmp_path / "empty-xdg"
    shutil.copytree(warm_cache, other)
    empty_xdg.mkdir()
    chosen = timings(_env(NEWSDIGEST_CACHE_DIR=str(other), XDG_CACHE_HOME=str(empty_xdg)))
    assert chosen["cache_hits"] > 0 and chosen["cache_misses"] == 0
    assert list(empty_xdg.iterdir()) == []


@pytest.mark.models
def test_json_log_lines_for_info_and_warnings(tmp_path, warm_cache):
    src = _seed_copy(tmp_path)
    (src / "empty.txt").write_text("")
    proc = subprocess.run(_cmd(src, tmp_path / "out", "--cache-dir", str(warm_cache), "--log-format", "json"),
                          capture_output=True, text=True, timeout=300, env=_env())
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stderr.splitlines()]  # every line is one JSON object
    assert lines and all({"time", "level", "message"} <= set(line) for line in lines)
    assert {line["level"] for line in lines} == {"info", "warning"}
    (warning,) = [line for line in lines if line["level"] == "warning"]
    assert "empty.txt" in warning["message"] and not warning["message"].startswith("warning")
    assert any(line["message"].startswith("wrote ") for line in lines if line["level"] == "info")


def _stderr_on_a_terminal(cmd: list[str]) -> tuple[int, bytes]:
    """Run with stderr on a pseudo-terminal (stdout a pipe); everything written to the terminal."""
    import pty  # noqa: F401  (POSIX only, like the pseudo-terminal itself)

    leader, follower = os.openpty()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower,
                            env=_env(TERM="xterm-256color"))
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    proc.stdout.read()
    return proc.wait(timeout=300), b"".join(chunks)


@pytest.mark.models
def test_progress_bar_only_when_stderr_is_a_terminal(tmp_path, warm_cache):
    cmd = _cmd(SEEDS, tmp_path / "out", "--cache-dir", str(warm_cache))
    code, terminal = _stderr_on_a_terminal(cmd)
    assert code == 0, terminal
    # A live progress display hides the cursor while it draws and redraws its line.
    assert b"\x1b[?25l" in terminal and b"\x1b[2K" in terminal, terminal
    assert b"wrote " in terminal
    piped = subprocess.run(cmd, capture_output=True, timeout=300, env=_env(TERM="xterm-256color"))
    assert piped.returncode == 0, piped.stderr
    assert b"\x1b" not in piped.stderr and b"\r" not in piped.stderr  # plain lines for cron and pipes
    assert b"wrote " in piped.stderr


@pytest.mark.models
def test_abstractive_mode_end_to_end_with_a_real_seq2seq_model(tmp_path, warm_cache, nlp):
    from tests.test_models_loading import save_tiny_seq2seq

    model = save_tiny_seq2seq(tmp_path / "tiny-bart")
    out = tmp_path / "out"
    proc = subprocess.run(
        _cmd(SEEDS, out, "--cache-dir", str(warm_cache), "--quiet", "--json",
             "--set", f"models.generator={model}", "--set", "summary.mode=abstractive"),
        capture_output=True, text=True, timeout=600, env=_env())
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    jsonschema.validate(report, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    assert report["models"]["generator"] == str(model)
    assert report["settings"]["summary"]["mode"] == "abstractive"
    sources = {a["id"]: a["sentences"] for a in report["articles"]}
    digests = [a["digest"] for a in report["articles"]] + [s["digest"] for s in report["stories"]]
    vetted = 0
    for digest in digests:
        assert digest["sentences"]
        for sentence in digest["sentences"]:
            cited = [sources[c["article"]][c["sentence"]] for c in sentence["citations"]]
            assert cited
            if sentence["method"] == "generated":
                assert check(sentence["text"], cited, nlp).ok, sentence
            else:  # a generated sentence the guard refused: replaced by its closest source sentence
                assert sentence["text"] == cited[0]
            vetted += sentence["method"] == "generated"
        vetted += digest["rejected_generations"]
    assert vetted > 0, "the generator's output never reached the guard"
