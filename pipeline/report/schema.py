"""The `DigestReport` schema: the pydantic models behind digest.json (the one source of truth)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

# 2: articles carry `source` and `tags` (articles fetched from the sources file).
# 3: editions: `edition`; stories carry `first_seen`, `updated`, `new_article_ids`, `merged_ids`, `coverage`;
#    digest sentences and divergences a `new` flag; coverage divergences `tag_sides`.
SCHEMA_VERSION = 3
SCHEMA_PATH = Path(__file__).parent / "digest.schema.json"


class CitationModel(BaseModel):
    article: str
    sentence: int = Field(ge=0, description="index into the article's `sentences`")


class SentenceModel(BaseModel):
    text: str
    citations: list[CitationModel] = Field(min_length=1)
    method: Literal["extractive", "generated"]
    new: bool = Field(False, description="not in this story's digest in the previous edition (editions only)")


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
    source: str | None = Field(None, description="the feed's name in the sources file (articles from the store)")
    tags: dict[str, str] = Field(default_factory=dict, description="the user's labels of that feed")
    duplicates: list[str] = Field(default_factory=list, description="paths of files with the same text")
    near_duplicate_of: str | None = Field(None, description="id of the article this one copies (syndication)")
    digest: DigestModel
    sentences: list[str] = Field(description="the cleaned source sentences citations point into")


class PositionModel(BaseModel):
    article_ids: list[str]
    text: str
    citations: list[CitationModel]
    words: list[str] = Field(default_factory=list, description=(
        "framing items: the hedging, loaded or judging words of this side, as they occur in its sentence "
        "(empty for the plain side and for other kinds)"))


class DivergenceModel(BaseModel):
    kind: Literal["conflict", "attribution", "framing", "coverage", "naming"]
    topic: str
    summary: str
    positions: list[PositionModel] = Field(min_length=1)
    confidence: float = Field(ge=0.0, le=1.0)
    subtype: Literal["hedge", "loaded", "judgement"] | None = Field(None, description=(
        "framing items: hedge (hedged against flat), loaded (loaded against plain wording) or judgement "
        "(the outlets judge the same event in opposite terms); null for other kinds"))
    new: bool = Field(False, description="kind and topic not among this story's divergences in the previous edition")
    tag_sides: dict[str, dict[str, list[str]]] = Field(
        default_factory=dict,
        description='coverage items, when sources carry tags: {"carry"|"omit": {tag: [values of the outlets]}}',
    )


class TagCoverageModel(BaseModel):
    tag: str
    counts: dict[str, int] = Field(description="articles on the story per tag value; every value with sources in the window")
    blind_spots: list[str] = Field(
        default_factory=list,
        description="values with sources in the window but no article on a story that 3 or more sources covered",
    )


class EditionModel(BaseModel):
    since: str | None = Field(description="start of the store window, ISO 8601 with offset (edition.timezone)")
    until: str = Field(description="end of the window: the edition's time")
    previous: str | None = Field(description="time of the previous edition, or null for the first")
    timezone: str = Field(description="the zone times are shown in (IANA name, or the local zone's)")


class StoryModel(BaseModel):
    id: str
    title: str
    article_ids: list[str]
    digest: DigestModel
    divergences: list[DivergenceModel]
    notes: list[str] = []
    first_seen: str | None = Field(None, description="the edition that first showed this story (editions only)")
    updated: str | None = Field(None, description="the last edition in which it gained articles")
    new_article_ids: list[str] = Field(default_factory=list, description="not in this story in the previous edition")
    merged_ids: list[str] = Field(default_factory=list, description="ids of stories that turned out to be this one")
    coverage: list[TagCoverageModel] = Field(default_factory=list, description="articles per source tag value")


class DigestReport(BaseModel):
    schema_version: Literal[3] = SCHEMA_VERSION
    generated_at: str
    edition: EditionModel | None = Field(None, description="runs over the article store; null for plain files")
    models: dict[str, str]
    settings: dict = Field(default_factory=dict, description="the settings of this run")
    articles: list[ArticleModel]
    stories: list[StoryModel]
    warnings: list[str]
    timings: dict[str, float]


def json_schema() -> dict:
    return DigestReport.model_json_schema()
