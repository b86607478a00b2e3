"""Plain text out of markup and feed furniture: HTML fragments to lines, calls to action dropped, ids, slugs and the names warnings give articles."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..domain import Article
from .clean import is_boilerplate

_ID_MAX = 80
_SLUG_MAX = 60
_TITLE_FROM_TEXT_WORDS = 12
# Short calls to action that page extractors and feeds let through; longer lines are reporting.
_CALL_TO_ACTION_MAX_WORDS = 40
_CALLS_TO_ACTION = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bsubscribe (to|now|today|for|and)\b",
        r"\b(start|begin) your free trial\b",
        r"\balready (a subscriber|have an account)\b",
        r"\bsign up (for|to|now|today)\b",
        r"\b(log|sign) in to (read|continue|comment)\b",
        r"\b(we|this (web)?site) uses? cookies\b",
        r"\b(accept|manage) (all )?cookies\b",
        r"\bcookie (policy|settings|preferences)\b",
        r"\bby continuing to (browse|use)\b",
        r"\bnewsletter\b.*\b(inbox|sign up|subscribe)\b",
        r"^the post .+ appeared first on .+$",
        r"^(continue reading|read the full (story|article))\b",
    )
]
MARKUP = re.compile(
    r"<(p|br|div|span|a|em|strong|b|i|u|ul|ol|li|h[1-6]|blockquote|figure|figcaption|img|table|"
    r"script|style|iframe)\b[^>]*>", re.IGNORECASE,
)
_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "figure", "figcaption", "table", "tr", "section", "article", "header", "footer", "aside", "hr", "dd", "dt",
})
_NEVER_TEXT_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
                    "math", "form", "button", "select", "textarea", "head")


def html_to_text(markup: str) -> str:
    """Readable text of an HTML fragment: scripts and styles dropped, one block per line."""
    if not markup or "<" not in markup and "&" not in markup:
        return markup or ""
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except Exception:  # noqa: BLE001 - unparseable markup: strip tags the crude way
        import html

        return html.unescape(re.sub(r"<[^>]*>", " ", markup))
    for element in root.xpath("|".join(f"//{t}" for t in _NEVER_TEXT_TAGS)):
        element.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    return root.text_content()


def clean_lines(text: str) -> str:
    """One paragraph per line, spaces collapsed, page furniture (bylines, calls to action) dropped."""
    lines = (re.sub(r"\s+", " ", line).strip() for line in (text or "").splitlines())
    return "\n".join(line for line in lines if line and not _is_furniture(line))


def _is_furniture(line: str) -> bool:
    if is_boilerplate(line):
        return True
    return len(line.split()) <= _CALL_TO_ACTION_MAX_WORDS and any(p.search(line) for p in _CALLS_TO_ACTION)


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def shorten(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def named(article: Article) -> str:
    """An article as a warning names it: a file of records (JSON, a feed) holds many articles, so the path
    alone does not say which one, and two records may share a headline; the id is the one digest.json lists."""
    own_id = "" if Path(article.path).stem == article.id else f", id {article.id}"
    return f'{article.path} ("{shorten(article.title)}"{own_id})'


def title_from_text(text: str) -> str:
    words = text.split("\n", 1)[0].split()
    if len(words) <= _TITLE_FROM_TEXT_WORDS:
        return " ".join(words)
    return " ".join(words[:_TITLE_FROM_TEXT_WORDS]) + " …"


def slug(title: str) -> str:
    """A file- and URL-safe name from a title: ASCII letters, digits and hyphens only."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > _SLUG_MAX:
            break
        out = f"{out}-{word}" if out else word
    return out or "-".join(words)[:_SLUG_MAX]


def sanitise_id(raw: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", raw).strip("-")[:_ID_MAX].strip("-")


class UniqueIds:
    """Ids made unique within one file: the second `x` becomes `x-2`, and so on."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def take(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{base}-{n}"
        self.taken.add(candidate)
        return candidate
