"""Framing: one claim or event told hedged in one article and flatly in another (subtype `hedge`),
in loaded or judging words against plain ones (`loaded`), or judged in opposite terms
(`judgement`); each side shows the words that carry the difference."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..config import DivergenceConfig
from ..domain import Divergence, FramingSubtype
from ..nlp.framing_words import Markers, markers, outside_quotes
from .view import (
    KIND_WEIGHT,
    Item,
    StoryView,
    aligned_pairs,
    content_words,
    item_names,
    position,
    stopword,
    topic,
)


def hedges(text: str) -> set[str]:
    return set(markers(text).hedge)


# How far above the alignment threshold a pair must be to compare its framing. A hedge flips
# what a sentence asserts, so only close pairs count (+0.05: "allegedly linked" vs "were linked",
# 0.70, is one claim; at +0.0 a hedge of another claim slipped in); evaluative words are compared at the
# alignment threshold itself (at -0.05 the dev bench had framing precision 0.71, at 0.0 0.83,
# same recall: looser pairs are mostly different events).
_HEDGE_MARGIN = 0.05
_TONE_MARGIN = 0.0
_MAX_FRAMING_ITEMS = 4
# Two sentences tell one claim only if they share some of their content words (6-letter stems,
# Jaccard): close embeddings alone paired "experts fear the cold war turns hot" with "China views
# Taiwan as a breakaway province". 0.08 keeps every true item of the tuning and held-out sets and
# drops a false one (bench/RESULTS.md, issue 18); 0.12 and above lose true items.
MIN_OVERLAP = 0.08
# A learned scorer of loaded wording, word -> score (bench/framing_learned.py fits one: logistic
# regression on MiniLM word vectors, labelled by the MPQA strong clues and Recasens's bias lemmas).
# A word of one sentence that the other article never uses and that scores at least
# LOADED_WORD_MIN marks it loaded. Off: chosen on the tuning set (framing 0.83 / 0.45 to 0.90 / 0.73),
# it added a false item and no true one on the held-out set (bench/RESULTS.md, issue 18, session 2).
LOADED_WORD_SCORE: Callable[[str], float] | None = None
LOADED_WORD_MIN = 2.0


@dataclass(frozen=True)
class Contrast:
    """How two tellings of one thing differ in framing."""

    subtype: FramingSubtype
    summary: str


_FramedPair = tuple[float, Item, Item, Markers, Markers, Contrast]


def framings(view: StoryView, cfg: DivergenceConfig) -> list[tuple[float, Divergence]]:
    """The same claim told with different framing words: hedged vs flat, judged vs neutral or
    judged the other way, a loaded reporting verb vs "said"."""
    found: list[_FramedPair] = []
    for a, b, sim in aligned_pairs(view, cfg.align_threshold + min(_HEDGE_MARGIN, _TONE_MARGIN)):
        ma, mb = markers(a.sentence.text), markers(b.sentence.text)
        # A word both articles use somewhere ("heart failure" in each) is not how one of them frames it.
        ma, mb = _own_words(ma, view.texts[b.article]), _own_words(mb, view.texts[a.article])
        ma, mb = _with_learned(ma, a, view.texts[b.article]), _with_learned(mb, b, view.texts[a.article])
        contrast = _contrast(ma, mb, sim, cfg.align_threshold)
        if contrast and _same_claim(view, a, b, ma, mb, contrast):
            found.append((sim, a, b, ma, mb, contrast))
    found.sort(key=lambda f: (-f[0], f[1].row, f[2].row))
    out, used = [], set()
    for sim, a, b, ma, mb, contrast in found:
        if a.row in used or b.row in used:
            continue  # one framing item per sentence: the closest aligned pair shows it best
        used |= {a.row, b.row}
        shown = [(a, ma), (b, mb)] + _same_contrast_elsewhere(found, a, b, ma, mb, used)
        conf = round(min(1.0, sim) * 0.8, 3)
        out.append((conf * KIND_WEIGHT["framing"], _item(view, shown, contrast, conf)))
        if len(out) >= _MAX_FRAMING_ITEMS:
            break
    return out + _event_framings(view, cfg, used)[: max(0, _MAX_FRAMING_ITEMS - len(out))]


def _item(view: StoryView, shown: list[tuple[Item, Markers]], contrast: Contrast, conf: float) -> Divergence:
    return Divergence(
        kind="framing",
        topic=topic(view, [it for it, _ in shown[:2]]),
        summary=contrast.summary,
        positions=tuple(
            position([it], f"{_frame_label(m)}: {it.sentence.text}", words=_shown_words(m, contrast.subtype))
            for it, m in shown),
        confidence=conf,
        subtype=contrast.subtype,
    )


def _shown_words(m: Markers, subtype: str) -> tuple[str, ...]:
    """The words of one side that carry the difference of this subtype."""
    if subtype == "hedge":
        return m.hedge
    return tuple(dict.fromkeys(m.negative + m.positive + m.loaded_verb + m.learned))


# An opinionated lead ("railed against", "radical consultants") rarely has a counterpart sentence
# close enough to align: the loaded wording itself pulls it away. Below the alignment threshold a
# sentence is still about the same event when it names the same people or bodies and shares
# enough of its content words.
_EVENT_FLOOR = 0.45
_MAX_EVENT_FRAMING_ITEMS = 1


def _event_framings(view: StoryView, cfg: DivergenceConfig, used: set[int]) -> list[tuple[float, Divergence]]:
    """A sentence that judges an event (evaluative words, a loaded verb) against another article's
    neutral sentence about the same named actors, where the two are too far apart to align."""
    found = []
    for it in view.items:
        names = set(item_names(it))
        if it.row in used or not names:
            continue
        for row, sim in view.neighbours[it.row]:
            other = view.items[row]
            if (not _EVENT_FLOOR <= sim < cfg.align_threshold or other.row in used
                    or not names & set(item_names(other)) or overlap(it.sentence.text, other.sentence.text) < MIN_OVERLAP):
                continue
            mine = _own_words(markers(it.sentence.text), view.texts[other.article])
            theirs = markers(other.sentence.text)
            if (mine.negative or mine.positive or mine.loaded_verb) and not theirs.words():
                found.append((sim, it, other, mine, theirs))
                break  # its closest neutral counterpart shows the contrast best
    found.sort(key=lambda f: (-f[0], f[1].row))
    out = []
    for sim, it, other, mine, theirs in found[:_MAX_EVENT_FRAMING_ITEMS]:
        conf = round(sim * 0.7, 3)
        words = ", ".join(mine.negative + mine.positive + mine.loaded_verb)
        contrast = Contrast("loaded", f"One article characterises this with judging words ({words}); "
                                      "another tells it plainly.")
        out.append((conf * KIND_WEIGHT["framing"], _item(view, [(it, mine), (other, theirs)], contrast, conf)))
    return out


def _same_claim(view: StoryView, a: Item, b: Item, ma: Markers, mb: Markers, contrast: Contrast) -> bool:
    """Is the framed part of the pair about one thing? A hedge governs what follows it, so the other
    sentence must state some of that ("appeared to conform to new demands" is not hedging "the
    talks centre on a U.S. proposal"); loaded words colour a whole sentence, so the two must share
    enough of their content."""
    if contrast.subtype != "hedge":
        return overlap(a.sentence.text, b.sentence.text) >= MIN_OVERLAP
    hedged, other = (a, b) if ma.hedge else (b, a)
    # A word in most of the story's sentences ("Israel") says nothing about which claim this is.
    common = {w[:6] for w, n in view.word_df.items() if n > max(2, 0.2 * len(view.items))}
    theirs = _stems(other.sentence.text)
    return any((_scope_stems(hedged.sentence.text, h) - common) & theirs for h in ma.hedge or mb.hedge)


def _stems(text: str) -> set[str]:
    return {w[:6] for w in content_words(text)}


def overlap(a: str, b: str) -> float:
    """Jaccard similarity of two sentences' content-word stems."""
    sa, sb = _stems(a), _stems(b)
    return len(sa & sb) / max(1, len(sa | sb))


def _scope_stems(text: str, hedge: str) -> set[str]:
    """Content stems of what a hedge governs: the words after it, up to the next comma, dash or
    semicolon ("remain unclear, at least parts of ..." governs nothing after it; an attribution
    such as ", according to officials" is not part of the claim)."""
    found = re.search(rf"\b{re.escape(hedge)}\b", text.lower())
    rest = text.lower()[found.end():] if found else ""
    return _stems(re.split(r"[,;:—–]| - ", rest)[0])


def _same_contrast_elsewhere(found: list[_FramedPair], a: Item, b: Item, ma: Markers, mb: Markers,
                             used: set[int]) -> list[tuple[Item, Markers]]:
    """Sentences of further articles aligned with a or b that differ from it by the same words:
    "controversial" in one article against flat wording in two others shows both of those.
    Each sentence shown is added to `used`, so it is not the start of another framing item."""
    words = set(ma.words()) | set(mb.words())
    articles = {a.article, b.article}
    extra = []
    for _, x, y, mx, my, _ in found:
        if (x.row, y.row) == (a.row, b.row) or not {x.row, y.row} & {a.row, b.row}:
            continue
        other, mo = (y, my) if x.row in (a.row, b.row) else (x, mx)
        if other.article in articles or other.row in used or set(mx.words()) | set(my.words()) != words:
            continue
        articles.add(other.article)
        used.add(other.row)
        extra.append((other, mo))
    return extra


def _contrast(ma: Markers, mb: Markers, sim: float, align_threshold: float) -> Contrast | None:
    """How two aligned sentences frame the same thing differently; None if they do not."""
    if bool(ma.hedge) != bool(mb.hedge) and sim >= align_threshold + _HEDGE_MARGIN:
        words = ", ".join(ma.hedge or mb.hedge)
        return Contrast("hedge", f"One article hedges this ({words}); another states it as fact.")
    if sim < align_threshold + _TONE_MARGIN:
        return None
    only_a = [w for w in ma.negative + ma.positive if w not in mb.negative + mb.positive]
    only_b = [w for w in mb.negative + mb.positive if w not in ma.negative + ma.positive]
    judged_a, judged_b = bool(ma.negative or ma.positive), bool(mb.negative or mb.positive)
    if (only_a or only_b) and (_sign(ma.tone) != _sign(mb.tone) or judged_a != judged_b):
        # Both sides judge, in opposite terms ("constructive" / "in frustration"): a judgement.
        opposite = ma.tone * mb.tone < 0
        return Contrast("judgement" if opposite else "loaded",
                        f"The articles judge this differently: {_tone_words(ma)} in one, "
                        f"{_tone_words(mb)} in another.")
    if bool(ma.learned) != bool(mb.learned):
        words = ", ".join(ma.learned or mb.learned)
        return Contrast("loaded", f"One article tells this in loaded words ({words}); another plainly.")
    if bool(ma.loaded_verb) != bool(mb.loaded_verb):
        words = ", ".join(ma.loaded_verb or mb.loaded_verb)
        return Contrast("loaded", f"One article reports this with a loaded verb ({words}); another neutrally.")
    return None


def _with_learned(m: Markers, it: Item, other_text: str) -> Markers:
    """m plus the words of the sentence that the learned scorer marks loaded: lower-case words
    (not names) outside quotations, not already framing words, that the other article never uses."""
    if LOADED_WORD_SCORE is None:
        return m
    words = re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)*", outside_quotes(it.sentence.text))
    found = [w for w in words if w.islower() and len(w) > 3 and not stopword(w) and f" {w} " not in other_text
             and w not in m.words() and LOADED_WORD_SCORE(w) >= LOADED_WORD_MIN]
    return replace(m, learned=tuple(dict.fromkeys(found)))


def _own_words(m: Markers, other_text: str) -> Markers:
    """The evaluative words and loaded verbs of m that the other article never uses."""
    def keep(words: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(w for w in words if f" {w} " not in other_text)
    return Markers(m.hedge, m.booster, keep(m.loaded_verb), keep(m.negative), keep(m.positive), m.learned)


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


def _tone_words(m: Markers) -> str:
    words = m.negative + m.positive
    if not words:
        return "neutral wording"
    label = "negative" if m.tone < 0 else "positive" if m.tone > 0 else "mixed"
    return f"{label} ({', '.join(words)})"


def _frame_label(m: Markers) -> str:
    parts = []
    if m.hedge:
        parts.append(f"hedged ({', '.join(m.hedge)})")
    if m.negative or m.positive:
        parts.append(_tone_words(m))
    if m.learned:
        parts.append(f"loaded ({', '.join(m.learned)})")
    if m.loaded_verb:
        parts.append(f"loaded verb ({', '.join(m.loaded_verb)})")
    return "; ".join(parts) or "stated plainly"
