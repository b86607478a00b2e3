"""Cleaning article text: boilerplate lines (bylines, copyright, "Related Sources:"), titles, paragraphs."""

from __future__ import annotations

import re

# Whole lines that are publishing furniture, not reporting.
_BOILERPLATE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^this (article|story) (originally )?(appeared|was (first )?published)\b",
        r"^(©|\(c\)|copyright\b)",
        r"^all rights reserved\.?$",
        r"^related (sources|articles|stories|coverage)\s*:?\s*$",
        r"^(read more|click here|sign up|subscribe)\b.{0,80}$",
        r"^(advertisement|skip advertisement)$",
    )
] + [
    # Bylines: case matters here ("By Tuesday, talks had stalled." is reporting, "By Jane Doe" is not).
    re.compile(r"^(By|Written by|Reporting by|BY)\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,4}"
               r"(\s*(and|,)\s*[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3})*\s*$")
]
_TITLE_MAX_WORDS = 25


def is_boilerplate(line: str) -> bool:
    stripped = line.strip()
    return any(p.search(stripped) for p in _BOILERPLATE)


def split_title(raw: str) -> tuple[str, str]:
    """First non-empty line is the title; a lead paragraph used as a first line stays in the body."""
    lines = raw.splitlines()
    for i, line in enumerate(lines):
        if line.strip():
            first = line.strip()
            rest = "\n".join(lines[i + 1:])
            if len(first.split()) > _TITLE_MAX_WORDS:
                # No headline: the file starts with its lead. Title it from the lead, keep the lead.
                words = first.split()
                return " ".join(words[:12]) + " …", "\n".join(lines[i:])
            return first, rest
    return "", ""


def clean_body(body: str) -> str:
    """Drop boilerplate lines and blank runs; paragraphs stay one per line."""
    kept = [line.strip() for line in body.splitlines()]
    kept = [line for line in kept if line and not is_boilerplate(line)]
    return "\n".join(kept)
