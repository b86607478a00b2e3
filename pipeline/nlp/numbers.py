"""Figures in a sentence, normalised so that one value written two ways compares equal.

"40,000" = "40000" = "forty thousand" = "40k"; "8.5%" = "8.5 percent" = "8.5 per cent";
"$1.2 billion" = "$1.2bn" = "1,200 million dollars". A figure keeps the bound its words give
("more than 18 months" is at least 18) and the precision it is written with ("1,200" is
rounded to hundreds), so that compatible figures never read as a conflict.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .tokens import normalise

_SMALL = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i >= 2}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "trillion": 1_000_000_000_000}
# Abbreviated magnitudes: "1.2bn", "$40k", "£3m" ("m" only after a currency sign: "5 m" may be metres).
_SHORT_SCALES = {"k": 1_000, "bn": 1_000_000_000, "b": 1_000_000_000, "mn": 1_000_000, "tn": 1_000_000_000_000,
                 "tr": 1_000_000_000_000, "m": 1_000_000}
_CURRENCY = {"$": "$", "us$": "$", "£": "£", "€": "€", "¥": "¥"}
_CURRENCY_WORDS = {"dollar": "$", "dollars": "$", "pound": "£", "pounds": "£", "euro": "€", "euros": "€"}
CARDINAL_WORDS = frozenset([*_SMALL, *_TENS, *_SCALES])
_NUMBER_WORD = "|".join(sorted(CARDINAL_WORDS, key=len, reverse=True))
# A run of number words ("forty-five thousand", "one hundred and twenty"), as a whole word.
_WORD_RUN = re.compile(rf"\b(?:{_NUMBER_WORD})(?:(?:\s+and\s+|[\s-]+)(?:{_NUMBER_WORD}))*\b", re.I)
_FIGURE = re.compile(
    r"(?P<cur>us\$|[$£€¥])?\s?(?P<num>\d[\d,]*(?:\.\d+)?)(?![\d,.]\d)"
    r"(?:\s?(?P<short>bn|mn|tn|tr|k|b|m)\b|\s(?P<scale>hundred|thousand|million|billion|trillion)\b)?"
    r"(?:\s?(?P<pct>%|percent\b|per cent\b|percentage points?\b))?",
    re.I,
)
# Words before a figure that make it a bound rather than a value.
_AT_LEAST = ("more than", "over", "at least", "upwards of", "in excess of", "above", "exceeding", "no fewer than")
_AT_MOST = ("less than", "fewer than", "under", "up to", "at most", "below", "no more than")
_NEARLY = ("nearly", "almost", "just under", "close to")
_NOT_UNITS = {"the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "that", "this", "is", "was",
              "were", "are", "be", "by", "as", "at", "from", "its", "their", "than", "per", "each", "who", "which",
              "after", "before", "since", "when", "while", "into", "over", "under", "about", "it", "he", "she", "they"}


@dataclass(frozen=True)
class Figure:
    """A value with its unit, the interval its wording allows, and how it was written."""

    value: float
    unit: str          # "people", "percent", "$ budget" ...
    low: float
    high: float
    step: float        # the rounding the figure is written with: 1,200 -> 100, 8.5 -> 0.1
    surface: str


def words_to_digits(text: str) -> str:
    """Replace runs of number words with digits ("forty thousand" -> "40000").

    A lone "one" stays a word: it is mostly a pronoun ("one of the issues", "no one").
    """
    def repl(match: re.Match[str]) -> str:
        words = [w.lower() for w in re.split(r"[\s-]+", match.group(0)) if w.lower() != "and"]
        if words == ["one"] or all(w in _SCALES for w in words):
            return match.group(0)
        return str(_words_value(words))
    return _WORD_RUN.sub(repl, text)


def _words_value(words: list[str]) -> int:
    total, current = 0, 0
    for w in words:
        if w in _SMALL:
            current += _SMALL[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        else:  # thousand, million ...
            total += max(current, 1) * _SCALES[w]
            current = 0
    return total + current


def figures(text: str) -> list[Figure]:
    """Every figure in text that quantifies a named unit, in order of appearance."""
    text = words_to_digits(normalise(text))
    out = []
    for m in _FIGURE.finditer(text):
        figure = _figure(text, m)
        if figure is not None:
            out.append(figure)
    return out


def _figure(text: str, m: re.Match[str]) -> Figure | None:
    raw = m.group("num").replace(",", "")
    if re.fullmatch(r"(1[89]|20)\d\d", m.group("num")) and not (m.group("cur") or m.group("pct") or m.group("scale")):
        return None  # a year: dates are compared as dates, not as counts
    value = float(raw)
    step = _step(raw, _approximate(text[:m.start()]))
    currency = _CURRENCY.get((m.group("cur") or "").lower(), "")
    scale = 1
    if m.group("scale"):
        scale = _SCALES[m.group("scale").lower()]
    elif m.group("short") and (currency or m.group("short").lower() not in ("m", "b")):
        scale = _SHORT_SCALES[m.group("short").lower()]
    elif m.group("short"):
        return None  # "5 m" without a currency: metres or minutes, not millions
    value, step = value * scale, step * scale
    unit = _unit(text, m, currency)
    if not unit:
        return None
    low, high = _bounds(text[:m.start()], value)
    return Figure(value, unit, low, high, step, m.group(0).strip())


def _step(raw: str, approximate: bool) -> float:
    """The precision a figure is written with: its decimals; for a whole number its trailing
    zeros, but only where it is large or said to be approximate ("60 votes" is exact, "1,200
    people" and "about 300 people" are rounded)."""
    if "." in raw:
        return 10.0 ** -len(raw.split(".")[1])
    stripped = raw.rstrip("0")
    if not stripped or (float(raw) < 1000 and not approximate):
        return 1.0
    return 10.0 ** (len(raw) - len(stripped))


_APPROX = ("about", "approximately", "around", "roughly", "some", "an estimated", "estimated", "nearly", "almost")


def _approximate(before: str) -> bool:
    return before.lower()[-16:].rstrip(" $£€¥").endswith(_APPROX)


def _unit(text: str, m: re.Match[str], currency: str) -> str:
    pct = (m.group("pct") or "").lower()
    if pct:
        return "percentage point" if pct.startswith("percentage") else "percent"
    after = re.match(r"[\s-]*([A-Za-z]+)", text[m.end():])
    word = after.group(1).lower() if after else ""
    if word in _CURRENCY_WORDS and not currency:
        currency = _CURRENCY_WORDS[word]
        after = re.match(r"[\s-]*[A-Za-z]+[\s-]*([A-Za-z]+)", text[m.end():])
        word = after.group(1).lower() if after else ""
    if not word or word in _NOT_UNITS or len(word) < 2:
        return ""  # a bare amount ("spend $6 trillion") says too little about what it counts
    word = re.sub(r"(?<=[^s])s$", "", word)  # "hostages" and "hostage" are one unit
    return f"{currency} {word}" if currency else word


def _bounds(before: str, value: float) -> tuple[float, float]:
    tail = before.lower()[-20:].rstrip(" $£€¥")
    if tail.endswith(_AT_LEAST):
        return value, math.inf
    if tail.endswith(_AT_MOST):
        return -math.inf, value
    if tail.endswith(_NEARLY):
        return 0.9 * value, value
    return value, value


def disagree(a: Figure, b: Figure) -> bool:
    """Two figures for one unit that cannot both be true.

    Bounds must not overlap ("more than 18" and "19" agree), and an exact value is compared at
    the coarser precision of the two ("40,000" and "40,312" agree; "1,200" and "1,139" do not).
    """
    if a.unit != b.unit:
        return False
    if a.low != a.high or b.low != b.high:
        return a.high < b.low or b.high < a.low
    step = max(a.step, b.step)
    if step <= 1e-12:
        return a.value != b.value
    return round(a.value / step) != round(b.value / step)


def values(text: str) -> set[float]:
    """Every number in text as a value, whatever it counts ("$1.2bn" -> 1.2e9, "8.5%" -> 8.5):
    to ask whether an article states a figure anywhere."""
    text = words_to_digits(normalise(text))
    out = set()
    for m in _FIGURE.finditer(text):
        scale = 1
        if m.group("scale"):
            scale = _SCALES[m.group("scale").lower()]
        elif m.group("short") and (m.group("cur") or m.group("short").lower() not in ("m", "b")):
            scale = _SHORT_SCALES[m.group("short").lower()]
        out.add(float(m.group("num").replace(",", "")) * scale)
    return out
