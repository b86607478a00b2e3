"""One batch run: read inputs, load models once, digest articles and stories, write atomically."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from . import diverge, stories, summarise
from .config import Settings
from .errors import LockedError, NoUsableInputError, OutputError
from .ingest import RawArticle, discover, read_articles
from .models.loaders import ModelBundle, apply_offline_policy, default_cache_dir, load_bundle
from .records import Article, Digest, Story
from .report import (
    ArticleModel, DigestReport, StoryModel, digest_model, divergence_model, render_json, render_markdown,
)
from .text import analyse

Log = Callable[[str], None]
# progress(stage, done, total): called as work advances, for a progress bar.
Progress = Callable[[str, int, int], None]


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


@dataclass
class RunResult:
    report: DigestReport
    markdown: str
    run_dir: Path | None


def summarise_paths(
    paths: Sequence[Path],
    settings: Settings,
    out_dir: Path | None = None,
    models: ModelBundle | None = None,
    cache_dir: Path | None = None,
    log: Log = lambda _msg: None,
    progress: Progress = _no_progress,
) -> RunResult:
    """The whole `newsdigest summarise` job; returns the report and where it was written."""
    if out_dir is None:
        return _summarise(paths, settings, None, models, cache_dir, log, progress)
    with _run_lock(out_dir):
        return _summarise(paths, settings, out_dir, models, cache_dir, log, progress)


@contextmanager
def _run_lock(out_dir: Path) -> Iterator[None]:
    """One run per output folder; the OS drops the lock if the holder dies, so it never goes stale."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(out_dir / ".newsdigest.lock", timeout=0)
        lock.acquire()
    except Timeout:
        raise LockedError(f"another newsdigest run is writing to {out_dir}; try again when it ends") from None
    except OSError as exc:
        raise OutputError(f"cannot write outputs to {out_dir}: {exc.strerror or exc}") from None
    try:
        yield
    finally:
        lock.release()


def _summarise(
    paths: Sequence[Path], settings: Settings, out_dir: Path | None,
    models: ModelBundle | None, cache_dir: Path | None, log: Log, progress: Progress,
) -> RunResult:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    raw, warnings = _ingest(paths, settings, log)
    if models is None:
        apply_offline_policy(settings.models.allow_download)
        with _timed(timings, "load_models_s"):
            models = load_bundle(settings.models, cache_dir or default_cache_dir(), settings.summary.max_new_tokens)
    with _timed(timings, "analyse_s"):
        articles = _analyse(raw, models, warnings)
    if not articles:
        raise NoUsableInputError("no usable article text in the input: " + "; ".join(warnings[-3:]))
    log(f"read {len(articles)} articles" + (f", skipped {len(warnings)} inputs" if warnings else ""))
    with _timed(timings, "embed_s"):
        vectors = _embed(articles, models)
    with _timed(timings, "article_digests_s"):
        digests = {}
        for done, article in enumerate(articles, 1):
            digests[article.id] = _digest([article], vectors, settings, models)
            progress("article digests", done, len(articles))
    with _timed(timings, "stories_s"):
        story_list = _stories(articles, vectors, settings, models, progress)
        log(f"{len(story_list)} {'story' if len(story_list) == 1 else 'stories'}")
    timings["total_s"] = round(time.perf_counter() - started, 3)
    report = _build_report(articles, digests, story_list, models, settings, warnings, timings)
    markdown = render_markdown(report, settings.divergence.markdown_items)
    run_dir = write_outputs(report, markdown, out_dir, settings.output.formats) if out_dir else None
    return RunResult(report, markdown, run_dir)


class _timed:
    def __init__(self, timings: dict[str, float], key: str) -> None:
        self.timings, self.key = timings, key

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timings[self.key] = round(time.perf_counter() - self.start, 3)


def _ingest(paths: Sequence[Path], settings: Settings, log: Log) -> tuple[list[RawArticle], list[str]]:
    files, warnings = discover(paths, settings.ingest.extensions)
    result = read_articles(files, settings.ingest.max_file_mb)
    warnings += result.warnings
    for warning in warnings:
        log(f"warning: {warning}")
    if not result.articles:
        detail = f" ({len(files)} files, none usable)" if files else ""
        raise NoUsableInputError(f"no usable articles in {', '.join(map(str, paths))}{detail}")
    return result.articles, warnings


def _analyse(raw: list[RawArticle], models: ModelBundle, warnings: list[str]) -> list[Article]:
    analysed = analyse([r.body for r in raw], models.nlp)
    articles = []
    for r, sentences in zip(raw, analysed):
        if not any(s.eligible for s in sentences):
            warnings.append(f"skipped {r.path}: no complete sentences to summarise")
            continue
        articles.append(Article(r.id, r.title, r.path, r.sha256, r.body, sentences, r.outlet, r.published, r.url))
    return articles


def _embed(articles: list[Article], models: ModelBundle) -> dict[str, np.ndarray]:
    """Every sentence embedded once, in one batch, shared by digests, stories and divergences."""
    texts = [s.text for a in articles for s in a.sentences]
    matrix = models.embedder.embed(texts)
    out, start = {}, 0
    for a in articles:
        out[a.id] = matrix[start:start + len(a.sentences)]
        start += len(a.sentences)
    return out


def articles_from_texts(texts: Sequence[str], models: ModelBundle, prefix: str = "doc") -> list[Article]:
    """Articles from plain texts (datasets, tests): the same cleaning and analysis as files get."""
    from .text import clean_body

    bodies = [clean_body(t) for t in texts]
    analysed = analyse(bodies, models.nlp)
    return [
        Article(f"{prefix}{i}", body.split("\n", 1)[0][:80], f"<{prefix}{i}>", "", body, sentences)
        for i, (body, sentences) in enumerate(zip(bodies, analysed))
        if any(s.eligible for s in sentences)
    ]


def story_digest(articles: list[Article], settings: Settings, models: ModelBundle) -> Digest:
    """The merged digest of one story, exactly as `summarise` builds it (eval uses this)."""
    vectors = _embed(articles, models)
    if len(articles) == 1:
        # One document is still a "story" for eval: use the story budget, not the article one.
        settings = settings.model_copy(deep=True)
        settings.summary.article = settings.summary.story
    return _digest(articles, vectors, settings, models)


def _digest(group: list[Article], vectors: dict[str, np.ndarray], settings: Settings, models: ModelBundle) -> Digest:
    cfg = settings.summary
    single = len(group) == 1
    budget = cfg.article if single else cfg.story
    pool = summarise.build_pool(group, vectors)
    if cfg.mode == "hybrid":
        return summarise.hybrid(pool, budget, cfg, single, models.generator, models.embedder, models.nlp)
    if cfg.mode == "abstractive":
        return summarise.abstractive(group, pool, budget, cfg, models.generator, models.embedder, models.nlp)
    return summarise.extractive(pool, budget, cfg, keep_source_order=single)


def _stories(
    articles: list[Article], vectors: dict[str, np.ndarray], settings: Settings,
    models: ModelBundle, progress: Progress,
) -> list[Story]:
    means = np.vstack([_unit(vectors[a.id].mean(axis=0)) for a in articles])
    result = []
    groups = stories.group(articles, means, settings.stories.group_threshold)
    for done, members in enumerate(groups, 1):
        progress("stories", done, len(groups))
        group = [articles[i] for i in members]
        ids = tuple(a.id for a in group)
        if len(group) == 1:
            result.append(Story(stories.story_id(ids), group[0].title, ids))
            continue
        result.append(Story(
            id=stories.story_id(ids),
            title=stories.story_title(group, means[members]),
            article_ids=ids,
            digest=_digest(group, vectors, settings, models),
            divergences=tuple(diverge.find_divergences(group, vectors, settings.divergence)),
        ))
    return result


def _unit(v: np.ndarray) -> np.ndarray:
    return v / (np.linalg.norm(v) or 1.0)


def _build_report(articles, digests, story_list, models, settings, warnings, timings) -> DigestReport:
    article_models = [
        ArticleModel(id=a.id, title=a.title, path=a.path, sha256=a.sha256,
                     outlet=a.outlet or None, published=a.published or None, url=a.url or None,
                     digest=digest_model(digests[a.id]), sentences=[s.text for s in a.sentences])
        for a in articles
    ]
    story_models = []
    for story in story_list:
        single = story.digest is None
        story_models.append(StoryModel(
            id=story.id, title=story.title, article_ids=list(story.article_ids),
            digest=digest_model(digests[story.article_ids[0]] if single else story.digest),
            divergences=[divergence_model(d) for d in story.divergences],
            notes=["one article: divergence needs two or more sources"] if single else [],
        ))
    generator = settings.models.generator if settings.summary.mode != "extractive" else "none (extractive mode)"
    return DigestReport(
        generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        models={"embedder": models.embedder.name, "generator": generator, "ner": settings.models.ner},
        settings=settings.model_dump(mode="json"),
        articles=article_models, stories=story_models, warnings=warnings, timings=timings,
    )


# --- output ------------------------------------------------------------------

def write_outputs(report: DigestReport, markdown: str, out_dir: Path, formats: Sequence[str]) -> Path:
    """Write a new run folder under a temporary name, rename it into place, then swap `latest`."""
    try:
        runs = out_dir / "runs"
        runs.mkdir(parents=True, exist_ok=True)
        stamp = report.generated_at.replace(":", "").replace("-", "")
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{stamp}-", dir=runs))
        # mkdtemp makes it private (0700); a published run folder is as readable as any other.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        if "json" in formats:
            _write_file(tmp / "digest.json", render_json(report))
        if "md" in formats:
            _write_file(tmp / "digest.md", markdown)
        final = _free_name(runs / stamp)
        os.replace(tmp, final)
        _point_latest(out_dir, final)
        return final
    except OSError as exc:
        raise OutputError(f"cannot write outputs to {out_dir}: {exc.strerror or exc}") from None


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
