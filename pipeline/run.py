"""One batch run, orchestration only: read inputs, reuse cached results, load models only for
what is new, hand the rest to an engine, group stories, and publish the report atomically."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import numpy as np
from pydantic import TypeAdapter

from . import editions, stories
from .cache import ANALYSIS, DIGEST, DIGEST_VERSION, STORY, Cache, cache_key
from .clock import parse_utc, utc_stamp
from .config import Settings
from .digest.scorer import model_digest
from .domain import Article, Digest, Story
from .engine import Engine, OpenEngine, StoryResult, open_local_engine
from .errors import NoUsableInputError
from .ingest import StoreQuery, collect, discover, read_fetched, read_files, read_store
from .ingest.markup import named
from .models.base import PROMPT_VERSION
from .models.loaders import (
    ModelBundle,
    apply_offline_policy,
    default_cache_dir,
    load_bundle,
    model_identity,
)
from .publish import prune_runs, run_folders, run_lock, write_page, write_run
from .report.archive import folder_pages, previous_page
from .report.build import build_report
from .report.markdown import render_markdown
from .report.render import render_files
from .report.schema import DigestReport
from .stories.cached import cached_grouping

log = logging.getLogger(__name__)

# progress(stage, done, total): called as work advances, for a progress bar.
Progress = Callable[[str, int, int], None]


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


@dataclass
class RunResult:
    report: DigestReport
    markdown: str
    run_dir: Path | None
    models_loaded: list[str] = field(default_factory=list)


@dataclass
class _Context:
    """What every step of one run shares."""

    settings: Settings
    models: ModelBundle
    cache: Cache
    identity: dict[str, str]
    progress: Progress
    warnings: list[str]
    engine: Engine
    # Runs over the store are editions: stories keep their ids (see pipeline/editions.py).
    edition: editions.Edition | None = None
    assignments: list[editions.StoryAssignment] = field(default_factory=list)


def summarise_paths(
    paths: Sequence[Path],
    settings: Settings,
    out_dir: Path | None = None,
    models: ModelBundle | None = None,
    cache_dir: Path | None = None,
    progress: Progress = _no_progress,
    wait_s: float = 0.0,
    keep: int | None = None,
    engine: OpenEngine | None = None,
    urls: Sequence[str] = (),
    store: StoreQuery | None = None,
) -> RunResult:
    """The whole `newsdigest summarise` job; returns the report and where it was written.

    Articles come from `paths` (files, folders), `urls` (feeds or pages, fetched once, politely) and
    the `store`'s articles of a time window, each text once.

    `cache_dir=None` computes everything afresh; with a folder, unchanged articles and
    stories are read back from it and no model is loaded for them. `engine` computes the
    misses (default: this process; see `engine_ray.open_ray_engine`).
    """
    inputs = _Inputs(list(paths), list(urls), store)
    if out_dir is None:
        return _summarise(inputs, settings, None, models, cache_dir, progress, engine)
    with run_lock(out_dir, wait_s):
        result = _summarise(inputs, settings, out_dir, models, cache_dir, progress, engine)
        if keep is not None:
            for old in prune_runs(out_dir, keep):
                log.info(f"removed old run {old.name} (--keep {keep})")
        for name, text in folder_pages(result.report, run_folders(out_dir), result.run_dir, settings).items():
            write_page(out_dir, name, text)
        return result


@dataclass(frozen=True)
class _Inputs:
    paths: list[Path]
    urls: list[str]
    store: StoreQuery | None

    def describe(self) -> str:
        named = [str(p) for p in self.paths] + self.urls
        if self.store is not None:
            window = f" from {self.store.since or 'the start'} to {self.store.until or 'now'}"
            named.append(f"the store {self.store.path}{window}")
        return ", ".join(named)


def _summarise(
    inputs: _Inputs, settings: Settings, out_dir: Path | None,
    models: ModelBundle | None, cache_dir: Path | None, progress: Progress,
    engine: OpenEngine | None = None,
) -> RunResult:
    started = time.perf_counter()
    raw, duplicates, warnings = _ingest(inputs, settings)
    if models is None:
        apply_offline_policy(settings.models.allow_download)
        models = load_bundle(settings.models, cache_dir or default_cache_dir(), settings.summary.max_new_tokens)
    with (engine or open_local_engine)(settings, models) as computing:
        ctx = _Context(settings, models, Cache(cache_dir, lambda m: _warn(warnings, m)),
                       _identity(settings), progress, warnings, computing, _edition(inputs, settings))
        return _digest_run(raw, duplicates, out_dir, ctx, started)


def _digest_run(
    raw: list[Article], duplicates: dict[str, list[str]], out_dir: Path | None, ctx: _Context, started: float,
) -> RunResult:
    settings, warnings, models = ctx.settings, ctx.warnings, ctx.models
    timings: dict[str, float] = {}
    with _timed(timings, "analyse_s"):
        articles = _analysed_articles(raw, ctx)
    if not articles:
        raise NoUsableInputError("no usable article text in the input: " + "; ".join(warnings[-3:]))
    log.info(f"read {len(articles)} articles" + (f", skipped {len(warnings)} inputs" if warnings else ""))
    with _timed(timings, "embed_s"):
        vectors = _sentence_vectors(articles, ctx)
    copies = stories.near_duplicates(articles, vectors)
    by_id = {a.id: a for a in articles}
    for copy, original in copies.items():
        _warn(warnings, f"{named(by_id[copy])} is a near-copy of {named(by_id[original])}: not counted as an independent source")
    with _timed(timings, "article_digests_s"):
        digests = _article_digests(articles, vectors, ctx)
    with _timed(timings, "stories_s"):
        story_list = _stories(articles, vectors, copies, ctx)
        log.info(f"{len(story_list)} {'story' if len(story_list) == 1 else 'stories'}")
    timings["total_s"] = round(time.perf_counter() - started, 3)
    timings["cache_hits"], timings["cache_misses"] = ctx.cache.hits, ctx.cache.misses
    report = build_report(articles, digests, story_list, duplicates, copies, settings, warnings, timings,
                          utc_stamp())
    report = editions.tag_coverage(report)
    if ctx.edition is not None:
        report = editions.make_edition(report, ctx.assignments, ctx.edition)
    markdown = render_markdown(report, settings.divergence.markdown_items)
    run_dir = _publish(report, out_dir, settings) if out_dir else None
    if ctx.edition is not None:
        # Only a published edition counts as shown: a failed run leaves the next one to tell the same news.
        editions.record_edition(report, ctx.assignments, ctx.edition)
    return RunResult(report, markdown, run_dir, list(models.loaded))


def _edition(inputs: _Inputs, settings: Settings) -> editions.Edition | None:
    if inputs.store is None:
        return None
    return editions.open_edition(inputs.store.path, inputs.store.until, inputs.store.since, settings.edition.timezone)


def _warn(warnings: list[str], message: str) -> None:
    """A skipped or changed input: listed in the report and logged as a warning."""
    warnings.append(message)
    log.warning(message)


@contextmanager
def _timed(timings: dict[str, float], key: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[key] = round(time.perf_counter() - start, 3)


def _identity(settings: Settings) -> dict[str, str]:
    """Model ids with versions: part of every cache key, read without loading any model."""
    m = settings.models
    return {"embedder": f"{model_identity(m.embedder)}|{m.embedder_dtype}", "nlp": model_identity(m.ner),
            "generator": model_identity(m.generator), "generator_kind": m.generator_kind,
            "dtype": m.dtype, "prompt": PROMPT_VERSION}


def _ingest(inputs: _Inputs, settings: Settings) -> tuple[list[Article], dict[str, list[str]], list[str]]:
    files, warnings = discover(inputs.paths, settings.ingest.extensions) if inputs.paths else ([], [])
    found: list[Iterable[tuple[Path | str, Article]]] = [read_files(files, settings.ingest.max_file_mb, warnings)]
    if inputs.urls:
        found.extend(_fetched(inputs.urls, settings, warnings))
    if inputs.store is not None:
        stored, store_warnings = read_store(inputs.store)
        warnings += store_warnings
        found.append(stored)
    result = collect((item for items in found for item in items), warnings)
    for warning in warnings:
        log.warning(warning)
    if not result.articles:
        detail = f" ({len(files)} files, none usable)" if files else ""
        raise NoUsableInputError(f"no usable articles in {inputs.describe()}{detail}")
    return result.articles, result.duplicates, warnings


def _fetched(urls: list[str], settings: Settings, warnings: list[str]) -> list[list[tuple[str, Article]]]:
    """URLs given as PATHS: fetched once, politely (robots.txt, one request at a time per host)."""
    from .sources.documents import fetch_documents

    documents, fetch_warnings = fetch_documents(urls, settings.fetch)
    warnings += fetch_warnings
    read = []
    for document in documents:
        articles, read_warnings = read_fetched(document.url, document.kind, document.body)
        warnings += read_warnings
        read.append(articles)
    return read


def _analysed_articles(raw: list[Article], ctx: _Context) -> list[Article]:
    keys = [cache_key("analysis", ctx.identity["nlp"], r.sha256) for r in raw]
    sentences_of = _cached_in_chunks(
        "analysis", keys, lambda idx: ctx.engine.analyse([raw[i].body for i in idx]),
        ANALYSIS, "analysis", ctx,
    )
    articles = []
    for i, r in enumerate(raw):
        if not any(s.eligible for s in sentences_of[i]):
            _warn(ctx.warnings, f"skipped {named(r)}: no complete sentences to summarise")
            continue
        articles.append(replace(r, sentences=sentences_of[i]))
    return articles


def _sentence_vectors(articles: list[Article], ctx: _Context) -> dict[str, np.ndarray]:
    """Every sentence embedded once, shared by digests, stories and divergences; cached per article."""
    keys = {a.id: cache_key("vectors", ctx.identity["embedder"], ctx.identity["nlp"], a.sha256) for a in articles}
    vectors = {a.id: ctx.cache.get_array("vectors", keys[a.id]) for a in articles}
    todo = [a for a in articles if vectors[a.id] is None or len(vectors[a.id]) != len(a.sentences)]
    if todo:
        matrix = ctx.engine.embed([s.text for a in todo for s in a.sentences])
        start = 0
        for a in todo:
            vectors[a.id] = matrix[start:start + len(a.sentences)]
            start += len(a.sentences)
            ctx.cache.put_array("vectors", keys[a.id], vectors[a.id])
    return vectors  # type: ignore[return-value]


T = TypeVar("T")


def _cached_in_chunks(
    kind: str, keys: list[str], compute: Callable[[list[int]], Iterable[tuple[int, T]]],
    codec: TypeAdapter[T], stage: str, ctx: _Context,
) -> list[T]:
    """One result per key: read back from the cache, or computed `ctx.engine.chunk` at a time
    (so that the hybrid rewrites of a chunk share generator batches) and cached the moment the
    engine hands it back: a run stopped half-way keeps every result it finished."""
    results: list[T | None] = [None] * len(keys)
    for i, key in enumerate(keys):
        results[i] = ctx.cache.get(kind, key, codec)
    todo = [i for i, r in enumerate(results) if r is None]
    done = len(keys) - len(todo)
    for start in range(0, len(todo), ctx.engine.chunk):
        chunk = todo[start:start + ctx.engine.chunk]
        for position, result in compute(chunk):
            results[chunk[position]] = result
            ctx.cache.put(kind, keys[chunk[position]], result, codec)
            done += 1
            ctx.progress(stage, done, len(keys))
    if any(r is None for r in results):
        raise RuntimeError(f"the engine left {sum(r is None for r in results)} {kind} result(s) undone")
    return results  # type: ignore[return-value]


def _article_digests(articles: list[Article], vectors: dict[str, np.ndarray], ctx: _Context) -> dict[str, Digest]:
    depends_on = _digest_settings(ctx, story=False)
    keys = [cache_key("article", a.id, a.sha256, depends_on) for a in articles]
    digests = _cached_in_chunks(
        "digest", keys, lambda idx: ctx.engine.digests([[articles[i]] for i in idx], vectors),
        DIGEST, "article digests", ctx,
    )
    return {a.id: d for a, d in zip(articles, digests)}


def _digest_settings(ctx: _Context, story: bool = True) -> dict:
    """What a digest depends on besides its articles (the generator only outside extractive mode;
    the story scorer only for story digests: one article is always scored by the blend)."""
    summary = ctx.settings.summary.model_dump(mode="json")
    models = dict(ctx.identity)
    if summary["mode"] == "extractive":
        for unused in ("generator", "generator_kind", "dtype", "prompt"):
            models.pop(unused)
    if not story:
        summary.pop("scorer")
    elif summary["scorer"] == "learned":
        models["sentence_scorer"] = model_digest()
    return {"summary": summary, "models": models, "version": DIGEST_VERSION}


def _title_vectors(articles: list[Article], ctx: _Context) -> np.ndarray:
    """Each article's embedded headline (its first sentence when it has none), cached per headline."""
    keys = [cache_key("title", ctx.identity["embedder"], a.title) for a in articles]
    titles = [ctx.cache.get_array("title", k) for k in keys]
    todo = [i for i, t in enumerate(titles) if t is None]
    if todo:
        fresh = ctx.engine.embed([articles[i].title or articles[i].sentences[0].text for i in todo])
        for i, row in zip(todo, fresh):
            titles[i] = row
            ctx.cache.put_array("title", keys[i], row)
    return np.vstack(titles)


def _stories(
    articles: list[Article], vectors: dict[str, np.ndarray], copies: dict[str, str], ctx: _Context,
) -> list[Story]:
    titles = _title_vectors(articles, ctx)
    # Sentences and headline averaged: the headline names the event (ARI 0.62 -> 0.71 for
    # embedding grouping on the AllSides dev stories, bench/RESULTS.md "Story grouping").
    article_vectors = stories.article_vectors([vectors[a.id] for a in articles], titles)
    means = article_vectors.combined
    memberships = cached_grouping(articles, vectors, titles, article_vectors, ctx.settings.stories, ctx.cache, ctx.identity)
    names = [stories.story_id([articles[i].id for i in members]) for members in memberships]
    if ctx.edition is not None:
        memberships, names = _persistent(memberships, articles, ctx)
    groups = [[articles[i] for i in members] for members in memberships]
    results = _story_results([g for g in groups if len(g) > 1], vectors, copies, ctx)
    out = []
    for members, group, name in zip(memberships, groups, names):
        ids = tuple(a.id for a in group)
        if len(group) == 1:
            out.append(Story(name, group[0].title, ids))
        else:
            digest, divergences = results[ids]
            out.append(Story(name, stories.story_title(group, means[members]), ids, digest, divergences))
    return out


def _persistent(memberships: list[list[int]], articles: list[Article], ctx: _Context) -> tuple[list[list[int]], list[str]]:
    """This run's groups as the stories of earlier editions (joined, merged, or new)."""
    assert ctx.edition is not None
    index = {a.id: i for i, a in enumerate(articles)}
    ctx.assignments = editions.assign_from_store(
        [[articles[i].id for i in members] for members in memberships], ctx.edition, stories.story_id)
    return [[index[a] for a in s.article_ids] for s in ctx.assignments], [s.id for s in ctx.assignments]


def _story_results(
    groups: list[list[Article]], vectors: dict[str, np.ndarray], copies: dict[str, str], ctx: _Context,
) -> dict[tuple[str, ...], StoryResult]:
    """Merged digest and divergences of each story of two or more articles, cached per story."""
    depends_on = (_digest_settings(ctx), ctx.settings.divergence.model_dump(mode="json"))
    keys = [cache_key("story", sorted((a.id, a.sha256) for a in group), sorted(copies.items()), *depends_on)
            for group in groups]

    results = _cached_in_chunks(
        "story", keys, lambda idx: ctx.engine.stories([groups[i] for i in idx], vectors, copies),
        STORY,
        "stories", ctx,
    )
    return {tuple(a.id for a in group): result for group, result in zip(groups, results)}


def _publish(report: DigestReport, out_dir: Path, settings: Settings) -> Path:
    # An edition's folder is named by its time, so replayed or late editions sort where they belong.
    when = report.edition.until if report.edition else report.generated_at
    stamp = utc_stamp(parse_utc(when)).replace(":", "").replace("-", "")
    previous = previous_page(run_folders(out_dir), stamp)
    files = render_files(report, settings.output.formats, settings.divergence.markdown_items, previous and f"../{previous}",
                         (settings.edition.mail_from, settings.edition.mail_to))
    return write_run(out_dir, stamp, files)
