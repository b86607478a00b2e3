"""Words that show how a sentence frames what it reports, in general linguistic categories.

- hedges: the writer keeps a distance from the claim ("reportedly", "appears to");
  after Hyland's hedges and the attribution-distance markers of news style guides;
- boosters: the writer vouches for it ("clearly", "undoubtedly"; Hyland's boosters);
- loaded reporting verbs: "said" is neutral, "claimed", "admitted", "insisted", "slammed" colour
  the speaker (the AP Stylebook's advice on "said");
- evaluative words: words that judge rather than describe, negative ("crisis", "chaotic",
  "failed") or positive ("robust", "historic", "promising"): common appraisal vocabulary of
  news writing, not words picked from any article here.

Words are matched with their usual inflections ("fail", "failed", "failing", "failure" are
listed as separate stems where English spells them apart).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from .lexicons import framing_classes, lexicon

HEDGES = ("reportedly", "allegedly", "apparently", "seemingly", "purportedly", "supposedly", "ostensibly",
          "suggest", "appear", "seem", "hint", "unconfirmed", "rumoured", "rumored", "unverified", "so-called",
          "claimed")
BOOSTERS = ("clearly", "undoubtedly", "certainly", "definitely", "obviously", "undeniably", "surely",
            "unquestionably", "indisputably", "of course", "in fact")
LOADED_VERBS = ("admit", "concede", "insist", "slam", "blast", "lash out", "rip", "tout", "boast", "brag",
                "fume", "decry", "rail", "scoff", "gloat", "whine", "claim", "charge")
NEGATIVE = ("crisis", "crises", "chaos", "chaotic", "disaster", "disastrous", "catastrophe", "catastrophic",
            "debacle", "fiasco", "blunder", "botch", "radical", "extreme", "extremist",
            "brutal", "devastating", "alarming", "troubling", "dangerous", "reckless", "shocking", "outrageous",
            "scandal", "controversial", "draconian", "harsh", "grim", "dire", "dismal", "mess", "turmoil", "slump",
            "plunge", "stumble", "falter", "lackluster", "lacklustre", "disappointing", "underwhelming", "worrying",
            "gloomy", "bleak", "doomed", "fear")
POSITIVE = ("robust", "strong", "historic", "landmark", "bold", "ambitious", "promising", "breakthrough",
            "groundbreaking", "boost", "soar", "surge", "thrive", "booming", "welcome", "hail", "celebrate",
            "triumph", "victory", "success", "successful", "hope", "hopeful", "optimism", "optimistic", "bright",
            "milestone")


def _forms(stem: str) -> set[str]:
    """A stem with its regular inflections (enough for matching, not a lemmatiser)."""
    forms = {stem, stem + "s", stem + "es", stem + "ed", stem + "d", stem + "ing", stem + "ly"}
    if stem.endswith("e"):
        forms.add(stem[:-1] + "ing")
    if stem.endswith("y"):
        forms |= {stem[:-1] + "ies", stem[:-1] + "ied"}
    if re.search(r"[^aeiou][aeiou][bdgmnpt]$", stem):  # slam -> slammed, rip -> ripped
        forms |= {stem + stem[-1] + "ed", stem + stem[-1] + "ing"}
    return forms


def _lexicon(stems: tuple[str, ...], verbs_only: bool = False) -> tuple[dict[str, str], list[str]]:
    """One-word forms -> stem, and the multi-word phrases.

    `verbs_only` keeps the past and -ing forms alone: "claim" and "claims" are mostly nouns
    ("Netanyahu's claim"), "claimed" and "claiming" are verbs.
    """
    words = {form: stem for stem in stems if " " not in stem for form in _forms(stem)
             if not verbs_only or form.endswith(("ed", "ing")) and form != stem}
    return words, [s for s in stems if " " in s]


# Words that name a movement or a state of mind ("surge", "boost", "hope", "fear") mostly report an
# event, not the outlet's judgement of it ("the pandemic's surge", "mandates to boost vaccination").
EVENT_WORDS = {"surge", "soar", "boost", "thrive", "plunge", "slump", "stumble", "falter", "hope", "hopeful", "fear",
               "celebrate", "hail", "welcome", "strong", "success", "successful", "victory", "triumph", "bright",
               "milestone", "booming", "optimism", "optimistic"}
DROP_EVENT_WORDS = False


_CATEGORIES = {name: _lexicon(stems, name == "loaded verb") for name, stems in
               (("hedge", HEDGES), ("booster", BOOSTERS), ("loaded verb", LOADED_VERBS),
                ("negative", NEGATIVE), ("positive", POSITIVE))}


@dataclass(frozen=True)
class Markers:
    """The framing words of one sentence, by category, in order of appearance."""

    hedge: tuple[str, ...] = ()
    booster: tuple[str, ...] = ()
    loaded_verb: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    positive: tuple[str, ...] = ()
    # Words a learned scorer of loaded wording marks (pipeline/diverge/framing.py LOADED_WORD_SCORE; off).
    learned: tuple[str, ...] = ()

    @property
    def tone(self) -> int:
        """Positive minus negative evaluative words."""
        return len(self.positive) - len(self.negative)

    def words(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.hedge + self.booster + self.loaded_verb + self.negative + self.positive
                                   + self.learned))


# Which lexicon categories add to the house lists above (bench/framing_lexicons.py measures each;
# bench/RESULTS.md, issue 18). Hyland's shields are on. The lexicons' loaded verbs of saying
# ("dismissed", "revealed") are off: on the held-out set they added one false item and no true one.
USE_LEXICONS = {"hedge": True, "loaded verb": False, "negative": True, "positive": True}
# The MPQA subjectivity clues (the only lexicon here with polarity, so the only source of lexicon
# negative/positive words) are GPL and not shipped; the benchmark may point this at a copy.
SUBJECTIVITY_CLUES: Path | None = None


@functools.lru_cache(maxsize=8192)
def markers(text: str) -> Markers:
    """Framing words in text, outside quotations: a quoted speaker's words are theirs, not the outlet's."""
    text = outside_quotes(text).lower()
    tokens = re.findall(r"[a-z]+(?:-[a-z]+)*", text)
    found: dict[str, list[str]] = {}
    for name, (words, phrases) in _CATEGORIES.items():
        hits = [t for t in tokens if t in words and not (DROP_EVENT_WORDS and words[t] in EVENT_WORDS)]
        hits += [p for p in phrases if re.search(rf"\b{re.escape(p)}\b", text)]
        found[name] = hits
    for cue in lexicon(SUBJECTIVITY_CLUES).cues(text):
        for name in framing_classes(cue):
            if USE_LEXICONS[name] and not any(cue.word in hits for hits in found.values()):
                found[name].append(cue.word)
    return Markers(**{k.replace(" ", "_"): tuple(dict.fromkeys(v)) for k, v in found.items()})


def outside_quotes(text: str) -> str:
    """Text without quotations; a quotation left open (a lead cut off mid-quote) runs to the end."""
    text = re.sub(r"[\"“][^\"“”]*[\"”]", " ", text)
    return re.sub(r"[\"“].*$", " ", text)
