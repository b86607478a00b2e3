"""The `DigestReport` schema: the pydantic models behind digest.json (the one source of truth)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "digest.schema.json"


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
