"""Saved web pages: the article's text, title, outlet, date and URL, extracted with trafilatura."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..urls import safe_url
from .markup import clean_lines, one_line, title_from_text
from ..domain import Article
from .records import Warnings

# A page is an article only if some line reads like a paragraph, not a menu.
_MIN_PARAGRAPH_WORDS = 8
# Pruned extraction is kept unless the unpruned one is more than twice as long.
_PRUNED_SHARE = 0.5
# Page parts that are never the article; pruned before extraction (a retry without them
# covers sites that put such words on the article's own wrapper).
_PRUNE_WORDS = ("cookie", "consent", "gdpr", "subscribe", "subscription", "paywall", "newsletter", "byline")
_PRUNE_TAGS = ("div", "aside", "section", "p", "span", "form", "ul", "footer", "header", "nav")


def read_html(path: Path, data: bytes) -> tuple[list[Article], Warnings]:
    warnings: Warnings = []
    doc, text = _best_extraction(data)
    if doc is None or not text:
        return [], [f"skipped {path}: no article text found in the page"]
    if not re.search(rb"</(html|body)\s*>", data[-4096:], re.IGNORECASE):
        warnings.append(f"{path}: the page looks cut off (no closing </html>); read the text it has")
    title = one_line(doc.title or "") or title_from_text(text)
    article = Article(
        id=path.stem, title=title, path=str(path), sha256="", body=text,
        outlet=one_line(doc.sitename or doc.hostname or ""),
        published=one_line(doc.date or ""),
        url=safe_url(doc.url) or "",
    )
    return [article], warnings


def _best_extraction(data: bytes) -> tuple[Any, str]:
    """Extract with page furniture pruned, unless pruning took the article with it.

    Broken markup can nest the article inside an unclosed cookie banner; then the unpruned
    extraction (still filtered line by line) is much longer and wins.
    """
    candidates = []
    for prune in (True, False):
        doc = _extract_page(data, prune)
        text = clean_lines(doc.text if doc is not None else "")
        if not any(len(line.split()) >= _MIN_PARAGRAPH_WORDS for line in text.splitlines()):
            text = ""  # menus and link lists only: not an article
        candidates.append((doc, text))
    (pruned_doc, pruned), (full_doc, full) = candidates
    if len(pruned) >= _PRUNED_SHARE * len(full):
        return (pruned_doc, pruned) if pruned else (None, "")
    return full_doc, full


def _extract_page(data: bytes, prune: bool) -> Any:
    import trafilatura
    from trafilatura.settings import set_date_params

    return trafilatura.bare_extraction(
        data, with_metadata=True, include_comments=False, include_tables=False, include_images=False,
        include_links=False, prune_xpath=_prune_xpath() if prune else None,
        # Only the page's own date markup: a guessed date from body text is worse than none.
        date_extraction_params=set_date_params(extensive=False),
    )


def _prune_xpath() -> str:
    lower = "translate(concat(@class, ' ', @id), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    words = " or ".join(f"contains({lower}, '{w}')" for w in _PRUNE_WORDS)
    tags = " or ".join(f"self::{t}" for t in _PRUNE_TAGS)
    return f"//*[{tags}][{words}]"
