"""--engine ray on a real local Ray cluster: the same report as the local engine, the same cache."""

from __future__ import annotations

import json
import shutil
import sys

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.models.loaders import ModelBundle
from pipeline.run import summarise_paths
from tests.conftest import DATA, SEEDS

pytestmark = pytest.mark.models


def _content(run_dir) -> dict:
    """digest.json as published, less what differs between any two runs."""
    data = json.loads((run_dir / "digest.json").read_text())
    data.pop("generated_at")
    data.pop("timings")
    return data


@pytest.fixture(scope="module")
def both_engines(real_bundle, ray_cluster, tmp_path_factory):
    """seeds/ and the 46-article story in one input (Ray starts its actors per stage, so
    one run covers both), through the local engine and through Ray with two actors."""
    from pipeline.engine.ray import open_ray_engine

    tmp = tmp_path_factory.mktemp("engines")
    src = tmp / "in"
    shutil.copytree(SEEDS, src)
    shutil.copy(DATA / "recession_articles.json", src / "recession.json")
    local = summarise_paths([src], Settings(), out_dir=tmp / "local", models=real_bundle)
    on_ray = summarise_paths([src], Settings(), out_dir=tmp / "ray", cache_dir=tmp / "cache",
                             engine=open_ray_engine(workers=2))
    return src, local, on_ray, tmp / "cache"


def test_ray_report_equals_local_on_seeds_and_the_46_article_story(both_engines):
    _, local, on_ray, _ = both_engines
    report = on_ray.report
    seeds = sorted(p.stem for p in SEEDS.glob("*.txt"))
    stories = sorted(sorted(s.article_ids) for s in report.stories)
    assert seeds in stories
    assert max(len(s.article_ids) for s in report.stories) >= 20  # the recession story
    assert sum(len(s.divergences) for s in report.stories) >= 5
    assert _content(on_ray.run_dir) == _content(local.run_dir)
    # The driver loaded no model: the actors did all the model work.
    assert on_ray.models_loaded == []


def test_ray_results_are_cached_for_any_engine(both_engines, tmp_path):
    """What Ray computed was written back: a local run on that cache needs no model at all."""
    src, local, _, cache = both_engines
    no_models = ModelBundle()  # raises if any model is asked for
    again = summarise_paths([src], Settings(), out_dir=tmp_path, models=no_models, cache_dir=cache)
    assert again.report.timings["cache_misses"] == 0
    assert _content(again.run_dir) == _content(local.run_dir)


def test_missing_ray_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now fails as if not installed
    from pipeline.engine.ray import open_ray_engine

    with pytest.raises(ConfigError, match=r"pip install 'newsdigest\[ray\]'"):
        open_ray_engine()
    result = CliRunner().invoke(app, ["summarise", str(SEEDS), "--engine", "ray", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "pip install 'newsdigest[ray]'" in result.output
    assert not (tmp_path / "latest").exists()


@pytest.mark.parametrize("args", [["--workers", "2"], ["--ray-address", "auto"], ["--engine", "spark"]])
def test_ray_options_need_the_ray_engine(args, tmp_path):
    result = CliRunner().invoke(app, ["summarise", str(SEEDS), "--out", str(tmp_path), *args])
    assert result.exit_code == 2
    assert "--engine" in result.output


def test_ray_actors_keep_converted_weights_in_the_runs_cache_folder(tmp_path, monkeypatch):
    # The actor's model bundle is lazy: building it loads nothing, so no Ray is needed here.
    from pipeline.engine.ray import _Worker

    monkeypatch.setenv("NEWSDIGEST_CACHE_DIR", str(tmp_path / "default"))
    settings = Settings().model_dump_json()
    assert _Worker(settings, "analyse", str(tmp_path)).local.models.cache_dir == tmp_path
    # A folder this node does not have (a remote worker): the node's own default.
    elsewhere = _Worker(settings, "analyse", str(tmp_path / "not-on-this-node"))
    assert elsewhere.local.models.cache_dir == tmp_path / "default"
