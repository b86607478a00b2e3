"""One spelling of text for comparisons: Unicode, quotes, dashes and spaces normalised."""

from __future__ import annotations

import re
import unicodedata


def normalise(text: str) -> str:
    """NFKC, unified quotes and dashes, collapsed spaces: one spelling for comparing text."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'",
                                         "–": "-", "—": "-", "\u00a0": " "}))
    return re.sub(r"\s+", " ", text).strip()
