"""Settings of fetching, the store and the sources file, and duration/time parsing (to be folded into config.py)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

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
    now = now or datetime.now(timezone.utc)
    try:
        return now - timedelta(seconds=parse_duration(value))
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is neither a duration (90m, 24h, 7d) nor an ISO time (2026-12-01T06:00Z)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


Duration = Annotated[float, BeforeValidator(parse_duration), Field(ge=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


class SourcesConfig(_Strict):
    file: str = ""  # the sources TOML (see configs/sources.example.toml)
