"""The published lexicons of biased and subjective language, read into one word look-up.

Shipped (pipeline/data/lexicons/, credited in NOTICE): Hyland's hedges, Hooper's assertive and
factive verbs, Karttunen's implicative verbs, the report verbs and the 654 bias-inducing lemmas of
Recasens, Danescu-Niculescu-Mizil and Jurafsky (ACL 2013), as released with that paper. Not
shipped: the MPQA subjectivity clues (Wilson, Wiebe and Hoffmann 2005) are GPL, so they are read
only from a path given to `lexicon(clues)` (the benchmark measures them from ../shared/data/lexicons/).

A word is matched with its regular inflections ("claim": "claims", "claimed", "claiming") and the
irregular past forms of the verbs these lists hold ("sink": "sank"); lists that give inflected
forms themselves (the hedges) are matched as written.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parent.parent / "data" / "lexicons"

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


# Shields (Prince, Frader and Bosk 1982) keep the writer at a distance from a claim; Hyland's
# approximators ("about", "roughly", "mostly", "often") blur a figure or a frequency instead, and
# "would", "should", "could", "may", "might" mostly mark tense, duty or a condition in news copy.
APPROXIMATORS = frozenset({
    "about", "almost", "approximately", "around", "roughly", "essentially", "mostly", "mainly", "largely", "generally",
    "typically", "typical", "usually", "often", "sometimes", "frequently", "relatively", "somewhat", "fairly", "quite",
    "rather", "broadly", "certain", "certain amount", "certain extent", "certain level", "in general", "in most cases",
    "in most instances", "on the whole", "would", "should", "ought", "could", "may", "might", "tend to", "tends to",
    "tended to", "feel", "felt", "feels", "estimate", "estimated", "indicate", "indicated", "indicates", "argue",
    "argues", "argued", "from our perspective", "from my perspective", "from this perspective", "to my knowledge",
    # Hyland's "claim"/"claims" are the writer's own verbs; in news they are mostly nouns ("his claim").
    "claim", "claims"})
# Verbs that only report: the AP Stylebook's "said" and its plain companions.
NEUTRAL_REPORT = frozenset({
    "say", "said", "tell", "told", "add", "state", "report", "announce", "write", "ask", "speak", "spoke", "explain",
    "describe", "note", "mention", "comment", "respond", "reply", "issue", "read", "cite", "quote", "refer", "inform",
    "release", "present", "express", "continue", "include", "see", "hear", "know", "learn", "find", "think",
    "believe", "expect", "hope", "want", "need", "show", "mean", "make"})
# Verbs of saying that the lexicons mark but that name what was done ("rejected", "confirmed",
# "ordered"), not how it was said.
SPEECH_EVENTS = frozenset({
    "agree", "confirm", "reject", "refuse", "deny", "order", "rule", "support", "oppose", "threaten", "demand",
    "estimate", "indicate", "decide", "answer", "testify", "prompt", "prove", "demonstrate", "conclude", "question",
    "point", "guess", "imagine", "predict", "surmise", "forget", "remember", "recall", "observe", "discover",
    "realize", "defend", "disagree", "point out", "remark", "declare", "emphasize"})


def framing_classes(cue: Cue) -> set[str]:
    """The framing categories a lexicon word belongs to: hedge (a shield), loaded verb (a verb of
    saying that colours the speaker), negative or positive (a strongly subjective modifier of
    prior polarity, MPQA only)."""
    out = set()
    lemmas = {e.lemma for e in cue.entries}
    if cue.has("hedge") and cue.word not in APPROXIMATORS and not lemmas & NEUTRAL_REPORT:
        out.add("hedge")
    if (cue.has("report") and cue.word.endswith(("ed", "ing")) and not lemmas & (NEUTRAL_REPORT | SPEECH_EVENTS)
            and any(e.lexicon in ("bias", "assertive", "factive") for e in cue.entries)):
        out.add("loaded verb")
    subjective = [e for e in cue.entries if e.lexicon.endswith("subj")]
    # An entry for the word as written ("glaring", adj) outranks an inflection of another ("glare", verb).
    subjective = [e for e in subjective if e.lemma == cue.word] or subjective
    # A word MPQA also lists as a noun or verb ("harassment", "losing") may name a thing or an act.
    if subjective and not any(e.pos in ("noun", "verb") for e in subjective):
        strong = [e for e in subjective if e.lexicon == "strongsubj" and e.polarity]
        if strong and len({e.polarity for e in strong}) == 1:
            out.add("negative" if strong[0].polarity < 0 else "positive")
    return out


@functools.lru_cache(maxsize=4)
def lexicon(clues: Path | None = None, extra: tuple[tuple[str, Entry, bool], ...] = ()) -> Lexicon:
    """The shipped lexicons, plus the MPQA clues when a path to them is given, plus `extra` entries."""
    entries = shipped_entries() + list(extra)
    if clues is not None:
        entries += clue_entries(clues)
    return Lexicon(entries)
