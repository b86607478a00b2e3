"""Reading the sources file (TOML, one [[feed]] table per feed) into SourceSpecs, with errors that name key and line."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..config import Duration
from ..errors import SourcesFileError
from ..store import SourceSpec

_TABLE_HEADER = re.compile(r"^\s*\[")
_FEED_HEADER = re.compile(r"^\s*\[\[\s*feed\s*\]\]")


class FeedEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str
    name: str = Field(min_length=1)
    tags: dict[str, str] = {}
    full_text: Literal["auto", "always", "never"] = "auto"
    min_interval: Duration | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value.strip()):
            raise ValueError("must be an http:// or https:// address")
        return value.strip()


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feed: list[FeedEntry] = []


def load_sources(path: Path, default_min_interval_s: float) -> list[SourceSpec]:
    """The feeds a sources file names, each once; raises SourcesFileError (exit 2) naming key and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesFileError(f"sources file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesFileError(f"cannot read sources file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesFileError(f"sources file {path} is not valid TOML: {exc}") from None
    try:
        parsed = SourcesFile.model_validate(data)
    except ValidationError as exc:
        raise SourcesFileError(_describe(path, text, exc)) from None
    return _specs(path, text, parsed, default_min_interval_s)


def _specs(path: Path, text: str, parsed: SourcesFile, default_min_interval_s: float) -> list[SourceSpec]:
    specs: list[SourceSpec] = []
    seen: dict[str, int] = {}
    for index, feed in enumerate(parsed.feed):
        if feed.url in seen:
            line = _line_of(text, index, "url")
            raise SourcesFileError(f"{path}, line {line}: feed url {feed.url} is already listed (feed {seen[feed.url] + 1})")
        seen[feed.url] = index
        interval = default_min_interval_s if feed.min_interval is None else feed.min_interval
        specs.append(SourceSpec(feed.url, feed.name, dict(feed.tags), feed.full_text, interval))
    if not specs:
        raise SourcesFileError(f"{path} names no feeds: add a [[feed]] table with url and name")
    return specs


def _describe(path: Path, text: str, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        loc = error["loc"]
        if len(loc) >= 3 and loc[0] == "feed" and isinstance(loc[1], int):
            key = ".".join(str(p) for p in loc[2:])
            line = _line_of(text, loc[1], str(loc[2]))
            problems.append(f"line {line}: feed {loc[1] + 1} key {key!r}: {error['msg']}")
        else:
            problems.append(f"key {'.'.join(str(p) for p in loc)!r}: {error['msg']}")
    return f"invalid sources file {path}: " + "; ".join(problems)


def _line_of(text: str, feed_index: int, key: str) -> int:
    """Line of `key` inside the feed_index-th [[feed]] table, else of the table's header."""
    lines = text.splitlines()
    headers = [n for n, line in enumerate(lines) if _FEED_HEADER.match(line)]
    if feed_index >= len(headers):
        return 1
    start = headers[feed_index]
    key_line = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for n in range(start + 1, len(lines)):
        if _TABLE_HEADER.match(lines[n]):
            break
        if key_line.match(lines[n]):
            return n + 1
    return start + 1
