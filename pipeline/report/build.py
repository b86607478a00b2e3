"""Building the `DigestReport` from the pipeline's values: articles, digests, stories, warnings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..config import Settings
from ..domain import Article, Digest, Divergence, Story
from .schema import (
    ArticleModel, CitationModel, DigestModel, DigestReport, DivergenceModel, PositionModel, SentenceModel,
    StoryModel,
)


def digest_model(digest: Digest) -> DigestModel:
    return DigestModel(
        text=digest.text,
        sentences=[
            SentenceModel(
                text=s.text,
                citations=[CitationModel(article=c.article, sentence=c.sentence) for c in s.citations],
                method=s.method,
            )
            for s in digest.sentences
        ],
        rejected_generations=digest.rejected,
    )


def divergence_model(item: Divergence) -> DivergenceModel:
    return DivergenceModel(
        kind=item.kind,
        topic=item.topic,
        summary=item.summary,
        positions=[
            PositionModel(
                article_ids=list(p.article_ids), text=p.text,
                citations=[CitationModel(article=c.article, sentence=c.sentence) for c in p.citations],
                words=list(p.words),
            )
            for p in item.positions
        ],
        confidence=item.confidence,
        subtype=item.subtype or None,
    )


def build_report(
    articles: Sequence[Article], digests: Mapping[str, Digest], stories: Sequence[Story],
    duplicates: Mapping[str, list[str]], copies: Mapping[str, str], settings: Settings,
    warnings: list[str], timings: dict[str, float], generated_at: str,
) -> DigestReport:
    article_models = [
        ArticleModel(id=a.id, title=a.title, path=a.path, sha256=a.sha256,
                     outlet=a.outlet or None, published=a.published or None, url=a.url or None,
                     source=a.source or None, tags=dict(a.tags),
                     duplicates=duplicates.get(a.id, []), near_duplicate_of=copies.get(a.id),
                     digest=digest_model(digests[a.id]), sentences=[s.text for s in a.sentences])
        for a in articles
    ]
    story_models = []
    for story in stories:
        single = story.digest is None
        story_models.append(StoryModel(
            id=story.id, title=story.title, article_ids=list(story.article_ids),
            digest=digest_model(digests[story.article_ids[0]] if single else story.digest),
            divergences=[divergence_model(d) for d in story.divergences],
            notes=["one article: divergence needs two or more sources"] if single else [],
        ))
    generator = settings.models.generator if settings.summary.mode != "extractive" else "none (extractive mode)"
    return DigestReport(
        generated_at=generated_at,
        models={"embedder": settings.models.embedder, "generator": generator, "ner": settings.models.ner},
        settings=settings.model_dump(mode="json"),
        articles=article_models, stories=story_models, warnings=warnings, timings=timings,
    )
