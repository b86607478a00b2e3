"""The published lexicons of biased and subjective language, read into one word look-up.

Shipped (pipeline/data/lexicons/, credited in NOTICE): Hyland's hedges, Hooper's assertive and
factive verbs, Karttunen's implicative verbs, the report verbs and the 654 bias-inducing lemmas of
Recasens, Danescu-Niculescu-Mizil and Jurafsky (ACL 2013), as released with that paper. Not
shipped: the MPQA subjectivity clues (Wilson, Wiebe and Hoffmann 2005) are GPL, so they are read
only from a path the user gives (`NEWSDIGEST_SUBJECTIVITY_CLUES` or `subjectivity_clues(path)`).

A word is matched with its regular inflections ("claim": "claims", "claimed", "claiming") and the
irregular past forms of the verbs these lists hold ("sink": "sank"); lists that give inflected
forms themselves (the hedges) are matched as written.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parent / "data" / "lexicons"
CLUES_ENV = "NEWSDIGEST_SUBJECTIVITY_CLUES"

# Past forms English spells apart; enough for the verbs of these lists (not a lemmatiser).
_IRREGULAR = {"say": ("said",), "tell": ("told",), "think": ("thought",), "find": ("found",), "see": ("saw", "seen"),
              "write": ("wrote", "written"), "speak": ("spoke", "spoken"), "forget": ("forgot", "forgotten"),
              "get": ("got", "gotten"), "know": ("knew", "known"), "mean": ("meant",), "hear": ("heard",),
              "swear": ("swore", "sworn"), "hold": ("held",), "keep": ("kept",), "sink": ("sank", "sunk"),
              "teach": ("taught",), "sing": ("sang", "sung"), "choose": ("chose", "chosen"), "lie": ("lied",),
              "fight": ("fought",), "lose": ("lost",), "make": ("made",), "take": ("took", "taken"),
              "bear": ("bore", "borne"), "strike": ("struck",), "break": ("broke", "broken"), "feel": ("felt",)}


@dataclass(frozen=True)
class Entry:
    """What a lexicon says about one word."""

    lexicon: str  # hedge | assertive | factive | implicative | report | bias | strongsubj | weaksubj
    lemma: str
    polarity: int = 0  # MPQA prior polarity: -1, 0 or +1
    pos: str = ""  # MPQA part of speech: adj, adverb, noun, verb, anypos


@dataclass(frozen=True)
class Cue:
    """A lexicon word as it occurs in a sentence."""

    word: str
    entries: tuple[Entry, ...]

    def has(self, lexicon: str) -> bool:
        return any(e.lexicon == lexicon for e in self.entries)

    @property
    def lemma(self) -> str:
        return self.entries[0].lemma

    @property
    def polarity(self) -> int:
        signs = {e.polarity for e in self.entries if e.polarity}
        return signs.pop() if len(signs) == 1 else 0


def forms(lemma: str) -> set[str]:
    """A lemma with its regular inflections, and irregular past forms."""
    out = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "d", lemma + "ing"}
    if lemma.endswith("e"):
        out |= {lemma[:-1] + "ing", lemma + "d"}
    if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        out |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if re.search(r"[^aeiou][aeiou][bdgmnpt]$", lemma):  # slam -> slammed, rip -> ripped
        out |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    out |= set(_IRREGULAR.get(lemma, ()))
    return out


def read_list(path: Path) -> list[str]:
    """Lower-case words or phrases of a one-per-line list; '#' lines are its header."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return list(dict.fromkeys(w.strip().lower() for w in lines if w.strip() and not w.startswith("#")))


def read_clues(path: Path) -> list[tuple[str, str, bool, str, str]]:
    """MPQA clues as (word, type, stemmed, part of speech, prior polarity)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
        if "word1" in fields:
            out.append((fields["word1"].lower(), fields.get("type", ""), fields.get("stemmed1") == "y",
                        fields.get("pos1", ""), fields.get("priorpolarity", "neutral")))
    return out


_POLARITY = {"positive": 1, "negative": -1}
# The shipped lists; hedges are listed inflected ("appear", "appears", "appeared").
_LISTS = {"hedge": ("hedges_hyland2005.txt", False), "assertive": ("assertives_hooper1975.txt", True),
          "factive": ("factives_hooper1975.txt", True), "implicative": ("implicatives_karttunen1971.txt", True),
          "report": ("report_verbs.txt", True), "bias": ("bias-lexicon.txt", True)}


class Lexicon:
    """Word -> what the lexicons say about it; phrases ("point out", "in my view") kept apart."""

    def __init__(self, entries: Iterable[tuple[str, Entry, bool]]):
        self.words: dict[str, list[Entry]] = {}
        self.phrases: dict[str, list[Entry]] = {}
        for word, entry, inflect in entries:
            for form in (forms(word) if inflect else {word}):
                table = self.phrases if " " in form else self.words
                bucket = table.setdefault(form, [])
                if entry not in bucket:
                    bucket.append(entry)
        self._phrase_re = (re.compile(r"\b(" + "|".join(sorted(map(re.escape, self.phrases), key=len, reverse=True)) + r")\b")
                           if self.phrases else None)

    def cues(self, text: str) -> tuple[Cue, ...]:
        """Lexicon words of a lower-cased text, in order, each once."""
        found: dict[str, Cue] = {}
        if self._phrase_re:
            for m in self._phrase_re.finditer(text):
                found.setdefault(m.group(1), Cue(m.group(1), tuple(self.phrases[m.group(1)])))
        for token in re.findall(r"[a-z]+(?:-[a-z]+)*", text):
            if token in self.words and token not in found:
                found[token] = Cue(token, tuple(self.words[token]))
        return tuple(found.values())


def shipped_entries(folder: Path = LEXICON_DIR) -> list[tuple[str, Entry, bool]]:
    out = []
    for name, (file, inflect) in _LISTS.items():
        for word in read_list(folder / file):
            out.append((word, Entry(name, word), inflect and " " not in word))
    return out


def clue_entries(path: Path) -> list[tuple[str, Entry, bool]]:
    return [(word, Entry(kind, word, _POLARITY.get(polarity, 0), pos), stemmed)
            for word, kind, stemmed, pos, polarity in read_clues(path) if kind in ("strongsubj", "weaksubj")]


def clues_path() -> Path | None:
    """The user's copy of the MPQA clues, if they named one that exists."""
    value = os.environ.get(CLUES_ENV, "").strip()
    return Path(value) if value and Path(value).is_file() else None


@functools.lru_cache(maxsize=4)
def lexicon(clues: Path | None = None, extra: tuple[tuple[str, Entry, bool], ...] = ()) -> Lexicon:
    """The shipped lexicons, plus the MPQA clues when a path to them is given, plus `extra` entries."""
    entries = shipped_entries() + list(extra)
    if clues is not None:
        entries += clue_entries(clues)
    return Lexicon(entries)
