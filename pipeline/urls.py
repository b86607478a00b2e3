"""Plain URL checks shared by readers and renderers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def safe_url(url: Any) -> str | None:
    """The URL if it is a plain http(s) address; None for javascript:, data:, relative or odd ones."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None
