"""Full text of an article page, extracted with trafilatura (for feed entries that carry only a blurb)."""

from __future__ import annotations

import re


def extract_article(page: bytes, url: str) -> str:
    """The page's article text, one paragraph per line; "" when trafilatura finds none."""
    import trafilatura

    text = trafilatura.extract(
        page, url=url, include_comments=False, include_tables=False, favor_precision=True, deduplicate=True,
    )
    if not text:
        return ""
    lines = (re.sub(r"\s+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
