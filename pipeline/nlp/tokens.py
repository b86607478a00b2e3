"""Words as the pipeline compares them: one normalised spelling, one word tokenizer, one stop-word list.

Every module that counts or overlaps words uses `words` / `content_words` and `stop_words()` from
here. Two tokenizers stay elsewhere on purpose, because they are not about words: the guard's
fact tokens keep "U.S." and "al-Sisi" whole (digest/guard.py), and the LexRank peer uses sumy's
own tokenizer and stop list, so that it is the published method (eval/peers.py).
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Letters and digits of any script; "_" is not a letter.
WORD = re.compile(r"[^\W_]+")


@functools.cache
def stop_words() -> frozenset[str]:
    """spaCy's English stop words (326): the one list of words too common to carry content.

    Read on first use: importing spaCy takes about 3 s here, and a run whose articles and stories
    all come from the cache never needs it."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def normalise(text: str) -> str:
    """NFKC, unified quotes and dashes, collapsed spaces: one spelling for comparing text."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'",
                                         "–": "-", "—": "-", "\u00a0": " "}))
    return re.sub(r"\s+", " ", text).strip()


def words(text: str) -> list[str]:
    """The lower-case words of a text, in order."""
    return WORD.findall(text.lower())


def content_words(text: str) -> list[str]:
    """Its words less stop words: what sentences share when they share content."""
    stop = stop_words()
    return [w for w in words(text) if w not in stop]
