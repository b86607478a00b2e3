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


def _both_engines(paths, real_bundle, ray_cluster, tmp_path, cache=None):
    from pipeline.engine_ray import open_ray_engine

    local = summarise_paths(paths, Settings(), out_dir=tmp_path / "local", models=real_bundle)
    on_ray = summarise_paths(paths, Settings(), out_dir=tmp_path / "ray", cache_dir=cache,
                             engine=open_ray_engine(workers=2))
    return local, on_ray


@pytest.fixture(scope="module")
def seeds_runs(real_bundle, ray_cluster, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("seeds")
    return (*_both_engines([SEEDS], real_bundle, ray_cluster, tmp, cache=tmp / "cache"), tmp / "cache")


def test_ray_report_equals_local_on_seeds(seeds_runs):
    local, on_ray, _ = seeds_runs
    assert len(on_ray.report.articles) == 5 and len(on_ray.report.stories) == 1
    assert on_ray.report.stories[0].divergences
    assert _content(on_ray.run_dir) == _content(local.run_dir)
    # The driver loaded no model: the actors did the model work.
    assert on_ray.models_loaded == []


def test_ray_results_are_cached_for_any_engine(seeds_runs, tmp_path):
    """What Ray computed was written back: a local run on that cache needs no model at all."""
    local, _, cache = seeds_runs
    no_models = ModelBundle()  # raises if any model is asked for
    again = summarise_paths([SEEDS], Settings(), out_dir=tmp_path, models=no_models, cache_dir=cache)
    assert again.report.timings["cache_misses"] == 0
    assert _content(again.run_dir) == _content(local.run_dir)


def test_ray_report_equals_local_on_the_46_article_story(real_bundle, ray_cluster, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(DATA / "recession_articles.json", src / "articles.json")
    local, on_ray = _both_engines([src], real_bundle, ray_cluster, tmp_path)
    assert len(on_ray.report.articles) >= 30
    assert max(len(s.article_ids) for s in on_ray.report.stories) >= 20
    assert _content(on_ray.run_dir) == _content(local.run_dir)


def test_missing_ray_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now fails as if not installed
    from pipeline.engine_ray import open_ray_engine

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
