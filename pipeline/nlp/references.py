"""Sentences that lean on an earlier one ("They have called for ...", "these areas"): they dangle in a merged digest."""

from __future__ import annotations

import re

# Openers that point back at an earlier sentence: a pronoun or demonstrative subject ("They have
# called for ...", "That amounts to ..."), or a connective ("But even as ..."). "It" is left out:
# "It is unclear whether ..." stands alone.
_BACK_REFERENCE = re.compile(
    r"^(?:He|She|They|His|Her|Their|This|These|Those|That|Such|But|However|Meanwhile|Still|Yet|Also|And|"
    r"Instead|Moreover|Furthermore|Nevertheless|Nonetheless)\b")
# "these areas", "those measures": a plural demonstrative points at things named before. Not
# "those who ...", "these days" or "those years", which name what they mean.
_BACK_REFERENCE_PHRASE = re.compile(r"\b(?:these|those)\s+(?!who\b|whose\b|days\b|years\b|include\b|are\b|were\b)[a-z]")


def leans_on_earlier_sentence(text: str) -> bool:
    """Does the sentence lean on one before it? Read alone, in a digest of several articles, it dangles."""
    return bool(_BACK_REFERENCE.match(text.lstrip("“\"'‘ ")) or _BACK_REFERENCE_PHRASE.search(text))
