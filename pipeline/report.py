"""The `DigestReport` schema (the one source of truth) and its renderers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel, Field

from . import records

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "schema" / "digest.schema.json"


class CitationModel(BaseModel):
    article: str
    sentence: int = Field(ge=0, description="index into the article's `sentences`")


class SentenceModel(BaseModel):
    text: str
    citations: list[CitationModel] = Field(min_length=1)
    method: Literal["extractive", "generated"]


class DigestModel(BaseModel):
    text: str
    sentences: list[SentenceModel]
    rejected_generations: int = Field(0, description="generated sentences the guard replaced")


class ArticleModel(BaseModel):
    id: str
    title: str
    path: str
    sha256: str
    outlet: str | None = None
    published: str | None = Field(None, description="publication date as given by the source")
    url: str | None = None
    duplicates: list[str] = Field(default_factory=list, description="paths of files with the same text")
    near_duplicate_of: str | None = Field(None, description="id of the article this one copies (syndication)")
    digest: DigestModel
    sentences: list[str] = Field(description="the cleaned source sentences citations point into")


class PositionModel(BaseModel):
    article_ids: list[str]
    text: str
    citations: list[CitationModel]


class DivergenceModel(BaseModel):
    kind: Literal["conflict", "attribution", "framing", "coverage", "naming"]
    topic: str
    summary: str
    positions: list[PositionModel] = Field(min_length=1)
    confidence: float = Field(ge=0.0, le=1.0)


class StoryModel(BaseModel):
    id: str
    title: str
    article_ids: list[str]
    digest: DigestModel
    divergences: list[DivergenceModel]
    notes: list[str] = []


class DigestReport(BaseModel):
    schema_version: Literal[1] = SCHEMA_VERSION
    generated_at: str
    models: dict[str, str]
    settings: dict = Field(default_factory=dict, description="the settings of this run")
    articles: list[ArticleModel]
    stories: list[StoryModel]
    warnings: list[str]
    timings: dict[str, float]


def json_schema() -> dict:
    return DigestReport.model_json_schema()


# --- building from records ---------------------------------------------------

def digest_model(digest: records.Digest) -> DigestModel:
    return DigestModel(
        text=digest.text,
        sentences=[
            SentenceModel(
                text=s.text,
                citations=[CitationModel(article=c.article, sentence=c.sentence) for c in s.citations],
                method=s.method,  # type: ignore[arg-type]
            )
            for s in digest.sentences
        ],
        rejected_generations=digest.rejected,
    )


def divergence_model(item: records.Divergence) -> DivergenceModel:
    return DivergenceModel(
        kind=item.kind,  # type: ignore[arg-type]
        topic=item.topic,
        summary=item.summary,
        positions=[
            PositionModel(
                article_ids=list(p.article_ids), text=p.text,
                citations=[CitationModel(article=c.article, sentence=c.sentence) for c in p.citations],
            )
            for p in item.positions
        ],
        confidence=item.confidence,
    )


# --- renderers ---------------------------------------------------------------

_env = Environment(
    loader=PackageLoader("pipeline", "templates"),
    undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
)


def render_json(report: DigestReport) -> str:
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def render_markdown(report: DigestReport, divergence_limit: int = 8) -> str:
    """A page a person takes in at a glance; [n] markers number the sources list."""
    number = {a.id: i + 1 for i, a in enumerate(report.articles)}
    title_of = {a.id: a.title for a in report.articles}

    def marks(citations: list[CitationModel]) -> str:
        nums = sorted({number[c.article] for c in citations if c.article in number})
        return "".join(f"[{n}]" for n in nums)

    def sources(article_ids: list[str]) -> str:
        return ", ".join(f"[{number[a]}]" for a in article_ids if a in number)

    return _env.get_template("digest.md.j2").render(
        report=report, marks=marks, sources=sources, number=number, title_of=title_of,
        divergence_limit=divergence_limit,
    )
