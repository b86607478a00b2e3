"""Editions on the real embedded models: two editions over a real store; whatever stories the model makes,
an article keeps its story's id and only the articles added since the first edition are new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.ingest import StoreQuery
from pipeline.run import summarise_paths
from pipeline.store import NewEntry, SourceSpec, content_hash, open_store

pytestmark = pytest.mark.models
STREAM = json.loads((Path(__file__).parent / "data/editions/stream.json").read_text())
FIRST = {"X-left", "X-center", "Y-left", "P-left"}
SECOND = {"X-right", "Y-center", "Y-right"}


def _save(store_path: Path, keys: set[str], published: str) -> None:
    store = open_store(store_path)
    try:
        store.sync_sources([SourceSpec(f"http://{lean}.test/feed", f"{lean} wire", {"lean": lean})
                            for lean in ("left", "center", "right")])
        sources = {s.tags["lean"]: s for s in store.sources()}
        for article in STREAM:
            if article["key"] in keys:
                text = "\n\n".join(article["paragraphs"])
                store.save_poll(sources[article["lean"]], [NewEntry(
                    article["key"], f"http://{article['lean']}.test/{article['key']}", article["title"], text,
                    published, content_hash(text), False, False, article["outlet"])], {})
    finally:
        store.close()


def test_two_editions_on_the_real_models(tmp_path, real_bundle):
    store = tmp_path / "store.sqlite"
    settings = Settings.model_validate({"output": {"formats": ["md", "json", "html", "atom"]},
                                        "edition": {"timezone": "UTC"}})
    _save(store, FIRST, "2021-10-18T10:00:00Z")
    first = summarise_paths([], settings, tmp_path / "out", real_bundle,
                            store=StoreQuery(store, "2021-10-17T12:00:00Z", "2021-10-18T12:00:00Z")).report
    _save(store, SECOND, "2021-10-18T12:30:00Z")
    second = summarise_paths([], settings, tmp_path / "out", real_bundle,
                             store=StoreQuery(store, "2021-10-17T13:00:00Z", "2021-10-18T13:00:00Z")).report
    key = {a.id: a.url.rsplit("/", 1)[1] for a in first.articles + second.articles}
    story_then = {key[a]: s.id for s in first.stories for a in s.article_ids}
    story_now = {key[a]: s for s in second.stories for a in s.article_ids}
    assert set(story_then) == FIRST and set(story_now) == FIRST | SECOND
    for article, old_id in story_then.items():
        now = story_now[article]
        assert now.id == old_id or old_id in now.merged_ids, f"{article} left its story"
    for story in second.stories:
        members = {key[a] for a in story.article_ids}
        assert {key[a] for a in story.new_article_ids} == members & SECOND
        assert bool(story.new_article_ids) == (story.updated == "2021-10-18T13:00:00+00:00")
    assert second.edition.previous == "2021-10-18T12:00:00+00:00"
    # The model put each AllSides story's first articles together (what it produced, checked, not assumed):
    assert story_then["X-left"] == story_then["X-center"] != story_then["Y-left"]
