"""UTC time as the report and logs write it: ISO 8601 with a Z, to the second (or microsecond)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_stamp(when: datetime | None = None, fraction: bool = False) -> str:
    """"2026-11-22T06:00:00Z" (or with microseconds, for log lines)."""
    when = (when or utc_now()).astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if fraction else "%Y-%m-%dT%H:%M:%SZ")


def parse_utc(stamp: str) -> datetime:
    """An ISO 8601 time; one without a zone is taken as UTC."""
    when = datetime.fromisoformat(stamp)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
