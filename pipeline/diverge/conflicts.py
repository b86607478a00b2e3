"""Conflicts: aligned sentences whose figures cannot both be true, or that report opposite
outcomes of one decision ("Hamas has rejected ..." vs "Hamas has yet to respond ...")."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..config import DivergenceConfig
from ..domain import Divergence, Outcome
from ..nlp.numbers import Figure, disagree, figures
from ..nlp.outcomes import conflicting
from .view import KIND_WEIGHT, Item, StoryView, aligned_pairs, content_words, name_key, position, short, topic


def number_facts(text: str) -> dict[str, float]:
    """{unit: value} of the first figure of each unit ("1,200 people" -> {"people": 1200.0})."""
    facts: dict[str, float] = {}
    for figure in figures(text):
        facts.setdefault(figure.unit, figure.value)
    return facts


@functools.lru_cache(maxsize=8192)
def _first_figures(text: str) -> dict[str, Figure]:  # cached: callers only read it
    out: dict[str, Figure] = {}
    for figure in figures(text):
        out.setdefault(figure.unit, figure)
    return out


def number_conflicts(view: StoryView, cfg: DivergenceConfig) -> list[tuple[float, Divergence]]:
    """Aligned sentences whose figures for the same unit cannot both be true: one item per unit and
    pair of figures, citing every sentence that gives each (in a story of many articles, several
    outlets repeat "44%" against one "38%": one disagreement, not one item per pair of sentences)."""
    found: dict[tuple[str, frozenset], _FigureClash] = {}
    for a, b, sim in aligned_pairs(view, cfg.align_threshold):
        fa, fb = _first_figures(a.sentence.text), _first_figures(b.sentence.text)
        if _other_periods(a.sentence.text, b.sentence.text):
            continue
        for unit in [u for u in fa if u in fb]:
            if disagree(fa[unit], fb[unit]):
                sides = ((fa[unit].low, fa[unit].high), (fb[unit].low, fb[unit].high))
                clash = found.setdefault((unit, frozenset(sides)), _FigureClash(unit, {}, {}, sim, (a, b)))
                if sim > clash.confidence:
                    clash.confidence, clash.first = sim, (a, b)
                for side, item, figure in ((sides[0], a, fa[unit]), (sides[1], b, fb[unit])):
                    clash.surfaces.setdefault(side, figure.surface)
                    if item not in clash.items.setdefault(side, []):
                        clash.items[side].append(item)
    return [_clash_item(view, clash) for clash in found.values()]


# Months and years a sentence names. Two sentences that name only other ones ("8.5% through March",
# "9.1% in June"; "3.9 percent this year", "10.8% by November 1982") give figures of different
# periods, which both can be true. Weekdays are left out: they date the reporting ("Monday, officials
# said 1,200"), not the thing measured.
_PERIOD = re.compile(r"\b(january|february|march|april|may|june|july|august|september|october|november|december|"
                     r"(?:19|20)\d\d)\b", re.IGNORECASE)


def _periods(text: str) -> set[str]:
    # "May" the month is capitalised mid-sentence; "may" the verb is not (and a first word is not counted).
    return {m.group(1).lower() for m in _PERIOD.finditer(text)
            if m.group(1).lower() != "may" or (m.group(1) == "May" and m.start() > 0)}


def _other_periods(a: str, b: str) -> bool:
    pa, pb = _periods(a), _periods(b)
    return bool(pa) and bool(pb) and not pa & pb


@dataclass
class _FigureClash:
    unit: str
    surfaces: dict[tuple[float, float], str]   # each side's figure as the first sentence wrote it
    items: dict[tuple[float, float], list[Item]]
    confidence: float
    first: tuple[Item, Item]                   # the best-aligned pair names the topic


def _clash_item(view: StoryView, clash: _FigureClash) -> tuple[float, Divergence]:
    conf = round(min(1.0, clash.confidence), 3)
    one, other = clash.surfaces.values()
    return conf * KIND_WEIGHT["conflict"], Divergence(
        kind="conflict",
        topic=topic(view, list(clash.first)),
        summary=f"The articles give different figures for {clash.unit.lstrip('$£€¥ ')}: "
                f"“{one}” in one, “{other}” in another.",
        positions=tuple(position(items) for items in clash.items.values()),
        confidence=conf,
    )


# Outcome sentences are compared below the alignment threshold: "has rejected the latest ceasefire
# proposals" and "has yet to formally respond to the US-brokered agreement" tell one event in
# different words. The parse (same actor, same thing decided on, opposite stances) does the rest.
_OUTCOME_MARGIN = 0.12
_STANCE_WORDS = {"yes": "accepted", "no": "rejected", "not": "did not accept", "pending": "has not yet decided"}


def outcome_conflicts(view: StoryView, cfg: DivergenceConfig) -> list[tuple[float, Divergence]]:
    """Aligned sentences that report opposite outcomes for one actor and one thing decided on:
    "Hamas has rejected the proposals" vs "Hamas has yet to respond to the agreement"."""
    best: dict[tuple[str, str, str], tuple[float, Item, Item, Outcome, Outcome]] = {}
    for a in view.items:
        for row, sim in view.neighbours[a.row]:
            b = view.items[row]
            if sim < cfg.align_threshold - _OUTCOME_MARGIN:
                continue
            for oa, ob in _opposed(a.sentence.outcomes, b.sentence.outcomes, sim, cfg.align_threshold):
                key = (name_key(oa.agent or ob.agent), *sorted((a.article, b.article)))
                if key not in best or best[key][0] < sim:
                    best[key] = (sim, a, b, oa, ob)
    out = []
    for sim, a, b, oa, ob in sorted(best.values(), key=lambda f: (-f[0], f[1].row, f[2].row)):
        conf = round(min(1.0, sim + 0.1), 3)
        who = oa.agent or ob.agent or "it"
        out.append((conf * KIND_WEIGHT["conflict"], Divergence(
            kind="conflict",
            topic=who if not oa.theme else f"{who}: {short(oa.theme)}",
            summary=f"The articles report different outcomes: {who} {_STANCE_WORDS[oa.stance]} "
                    f"(“{oa.words}”) in one, {_STANCE_WORDS[ob.stance]} (“{ob.words}”) in another.",
            positions=(position([a], f"“{oa.words}”: {a.sentence.text}"),
                       position([b], f"“{ob.words}”: {b.sentence.text}")),
            confidence=conf,
        )))
    return out


def _opposed(xs: Sequence[Outcome], ys: Sequence[Outcome], sim: float,
             align_threshold: float) -> list[tuple[Outcome, Outcome]]:
    """Pairs of outcomes, one from each sentence, that cannot both be true."""
    return [(x, y) for x in xs for y in ys
            if conflicting(x.stance, y.stance) and same_decision(x, y, sim, align_threshold)]


def same_decision(x: Outcome, y: Outcome, sim: float, align_threshold: float) -> bool:
    """One actor deciding on one thing. Actors must match by name; the things decided on share a
    content word, or are told in sentences aligned as closely as paraphrases are ("the latest
    ceasefire proposals" and "the US-brokered agreement", cosine 0.62 in the seeds)."""
    if x.agent or y.agent:
        if not (x.agent and y.agent and _same_agent(x.agent, y.agent)):
            return False
    words_x, words_y = _theme_words(x.theme), _theme_words(y.theme)
    if words_x & words_y:
        return True
    # A passive ("the bill was passed") names no actor: only a shared theme ties the two together.
    return bool(x.agent) and sim >= align_threshold


def _same_agent(a: str, b: str) -> bool:
    """"Netanyahu" is "Benjamin Netanyahu"; "Israel" is not "Israeli leader"."""
    ka, kb = name_key(a).split(), name_key(b).split()
    if ka == kb:
        return True
    short, long = sorted((ka, kb), key=len)
    # A surname stands for the full name, a bare body for its longer title ("House" / "the US House").
    return bool(short) and long[-len(short):] == short and len(short[-1]) >= 4


def _theme_words(theme: str) -> set[str]:
    """Content words of what was decided on, singular ("proposals" and "proposal" are one word)."""
    return {w[:-1] if w.endswith("s") and not w.endswith("ss") else w for w in content_words(theme)}
