"""Framing and judgement divergences from the lexicons of biased language (issue 18).

Two sentences of different articles that tell the same claim or event, one of them hedged,
loaded or judging in words the other does not use. Word classes come from pipeline/nlp_lexicons.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import diverge as dv
from .config import DivergenceConfig
from .nlp_lexicons import Cue, clues_path, lexicon
from .records import Divergence

# Shields (Prince, Frader and Bosk 1982): the writer keeps a distance from the claim. Hyland's
# approximators ("about", "roughly", "mostly", "often") blur a figure or a frequency, not a claim.
APPROXIMATORS = {"about", "almost", "approximately", "around", "roughly", "essentially", "mostly", "mainly",
                 "largely", "generally", "typically", "typical", "usually", "often", "sometimes", "frequently",
                 "relatively", "somewhat", "fairly", "quite", "rather", "broadly", "certain amount", "certain extent",
                 "certain level", "in general", "in most cases", "in most instances", "on the whole", "would",
                 "should", "ought", "tend to", "tends to", "tended to", "feel", "felt", "feels", "estimate",
                 "estimated", "indicate", "indicated", "indicates", "argue", "argues", "argued", "from our perspective",
                 "certain"}
# News hedges that distance an outlet from what it reports (after the AP Stylebook's advice on
# attribution): not in Hyland's academic list.
NEWS_HEDGES = {"reportedly", "allegedly", "purportedly", "supposedly", "ostensibly", "seemingly", "so-called",
               "unconfirmed", "unverified", "alleged"}
# Verbs that only report ("said" is neutral): the AP Stylebook's default attribution verbs.
NEUTRAL_REPORT = {"say", "tell", "add", "state", "report", "announce", "write", "ask", "speak", "explain",
                  "describe", "note", "mention", "comment", "respond", "reply", "issue", "read", "cite", "quote",
                  "refer", "inform", "release", "present", "express", "continue", "include", "see", "hear", "know",
                  "learn", "find", "think", "believe", "expect", "hope", "want", "need", "show", "mean", "make"}

P = {
    "w_hedge": 1.0, "w_modal": 0.5, "w_strong_mod": 1.0, "w_strong_nv": 0.3, "common": 0.01, "w_house": 1.0, "min_own_words": 8, "min_own_share": 0.5, "w_weaksubj": 0.0, "w_assertive": 0.6,
    "w_factive": 0.3, "w_implicative": 0.3, "w_report": 0.3, "w_bias": 0.0,
    "load_min": 1.0,  # loaded side's weight at least this
    "ratio": 0.5,  # other side at most this share of it
    "hedge_margin": 0.05, "tone_margin": 0.0, "event_floor": 0.45,
    "max_items": 4, "max_event": 1, "need_shared": 1,
}
MODALS = {"may", "might", "could"}

from . import framing as _house  # noqa: E402  the house lists of pipeline/framing.py
HOUSE_LOADED = {w: (-1 if stem in _house.NEGATIVE else 1 if stem in _house.POSITIVE else 0)
                for cat in ("loaded verb", "negative", "positive") for w, stem in _house._CATEGORIES[cat][0].items()}
HOUSE_HEDGES = set(_house._CATEGORIES["hedge"][0])
from .nlp_lexicons import Entry  # noqa: E402
_HOUSE_ENTRIES = tuple((w, Entry("house", w, p), False) for w, p in sorted(HOUSE_LOADED.items())) + tuple(
    (w, Entry("house", w), False) for w in sorted(HOUSE_HEDGES))


@dataclass
class Framed:
    """The framing words of one sentence, by role."""

    hedges: list[str] = field(default_factory=list)
    loaded: list[tuple[str, float, int]] = field(default_factory=list)  # (word, weight, polarity)

    @property
    def load(self) -> float:
        return sum(w for _, w, _ in self.loaded)

    @property
    def tone(self) -> int:
        return sum(p for _, _, p in self.loaded)

    def words(self) -> list[str]:
        return list(dict.fromkeys(self.hedges + [w for w, _, _ in self.loaded]))


def _lex():
    return lexicon(clues_path(), _HOUSE_ENTRIES)


COMMON: dict[str, float] = {}  # word -> share of training articles using it (experiments fill it)


def _weight(cue: Cue) -> float:
    common = COMMON.get(cue.word, 0.0) >= P["common"]
    best = 0.0
    if cue.word in HOUSE_LOADED:
        best = P["w_house"]
    for e in cue.entries:
        if common and e.lexicon in ("strongsubj", "weaksubj", "bias", "implicative", "factive"):
            continue
        if e.lexicon in ("report", "assertive", "factive") and e.lemma in NEUTRAL_REPORT:
            continue
        if e.lexicon == "hedge":
            continue
        name = e.lexicon
        if e.lexicon == "strongsubj":
            name = "strong_mod" if e.pos in ("adj", "adverb", "anypos") else "strong_nv"
        best = max(best, P.get(f"w_{name}", 0.0))
    return best


def framed(text: str) -> Framed:
    """Hedges and loaded words of a sentence, outside quotations."""
    plain = _outside_quotes(text).lower()
    out = Framed()
    for cue in _lex().cues(plain):
        if cue.word in NEWS_HEDGES or cue.word in HOUSE_HEDGES or (cue.has("hedge") and cue.word not in APPROXIMATORS and cue.word not in MODALS
                                      and not _neutral(cue)):
            out.hedges.append(cue.word)
            continue
        weight = _weight(cue)
        if weight > 0:
            out.loaded.append((cue.word, weight, cue.polarity or HOUSE_LOADED.get(cue.word, 0)))
    return out


def _neutral(cue: Cue) -> bool:
    return any(e.lemma in NEUTRAL_REPORT for e in cue.entries)


def _outside_quotes(text: str) -> str:
    text = re.sub(r"[\"“][^\"“”]*[\"”]", " ", text)
    return re.sub(r"[\"“].*$", " ", text)


def _own(f: Framed, other_sentence: str, other_article: str) -> Framed:
    """Words of f that the other sentence does not use; loaded words the other article never uses."""
    sentence = " " + " ".join(re.findall(r"[a-z]+(?:-[a-z]+)*", other_sentence.lower())) + " "
    return Framed([h for h in f.hedges if f" {h} " not in sentence],
                  [x for x in f.loaded if f" {x[0]} " not in other_article])


def _quoted(item) -> bool:
    """Mostly a quotation: its words are the speaker's, not the outlet's telling."""
    text = item.sentence.text
    outside = len(_outside_quotes(text).split())
    return outside < P["min_own_words"] or outside < P["min_own_share"] * len(text.split())


def _shared_specific(view, a, b) -> int:
    names = set(dv._names(a)) & set(dv._names(b))
    specific = {n for n in names if view.name_df[n] <= max(2, 0.2 * len(view.items))}
    return len(specific) + len(view.rare_words(a) & view.rare_words(b))


def contrast(fa: Framed, fb: Framed, sim: float, align: float) -> tuple[str, str] | None:
    """(subtype, summary) of how two tellings of one thing differ in framing, or None."""
    if bool(fa.hedges) != bool(fb.hedges) and sim >= align + P["hedge_margin"]:
        words = ", ".join(fa.hedges or fb.hedges)
        return "hedge", f"One article hedges this ({words}); another states it as fact."
    if sim < align + P["tone_margin"]:
        return None
    return _loaded_contrast(fa, fb)


def _loaded_contrast(fa: Framed, fb: Framed) -> tuple[str, str] | None:
    hi, lo = (fa, fb) if fa.load >= fb.load else (fb, fa)
    if fa.tone and fb.tone and (fa.tone > 0) != (fb.tone > 0):
        return "judgement", (f"The articles judge this differently: {_words(fa)} in one, {_words(fb)} in another.")
    if hi.load >= P["load_min"] and lo.load <= P["ratio"] * hi.load:
        return "loaded", f"One article tells this in loaded words ({', '.join(w for w, _, _ in hi.loaded)}); another in plain ones."
    return None


def _words(f: Framed) -> str:
    words = [w for w, _, _ in f.loaded]
    return f"“{', '.join(words)}”" if words else "plain wording"


def _label(f: Framed) -> str:
    parts = []
    if f.hedges:
        parts.append(f"hedged ({', '.join(f.hedges)})")
    if f.loaded:
        parts.append(f"loaded ({', '.join(w for w, _, _ in f.loaded)})")
    return "; ".join(parts) or "stated plainly"


def framings(view, cfg: DivergenceConfig) -> list[tuple[float, Divergence]]:
    align = cfg.align_threshold
    found = []
    for a, b, sim in dv._aligned_pairs(view, align + min(P["hedge_margin"], P["tone_margin"])):
        if _shared_specific(view, a, b) < P["need_shared"] or _quoted(a) or _quoted(b):
            continue
        fa, fb = framed(a.sentence.text), framed(b.sentence.text)
        fa, fb = _own(fa, b.sentence.text, view.texts[b.article]), _own(fb, a.sentence.text, view.texts[a.article])
        c = contrast(fa, fb, sim, align)
        if c:
            found.append((sim, a, b, fa, fb, c))
    found.sort(key=lambda f: (-f[0], f[1].row, f[2].row))
    out, used = [], set()
    for sim, a, b, fa, fb, (subtype, summary) in found:
        if a.row in used or b.row in used:
            continue
        used |= {a.row, b.row}
        conf = round(min(1.0, sim) * 0.8, 3)
        out.append((conf * dv._KIND_WEIGHT["framing"], Divergence(
            kind="framing", topic=dv._topic(view, [a, b]), summary=summary,
            positions=(dv._position([a], f"{_label(fa)}: {a.sentence.text}"),
                       dv._position([b], f"{_label(fb)}: {b.sentence.text}")),
            confidence=conf)))
        if len(out) >= P["max_items"]:
            break
    return out + _events(view, cfg, used)[: max(0, P["max_items"] - len(out))]


def _events(view, cfg, used) -> list[tuple[float, Divergence]]:
    found = []
    for it in view.items:
        names = set(dv._names(it))
        if it.row in used or not names:
            continue
        for row, sim in view.neighbours[it.row]:
            other = view.items[row]
            if (not P["event_floor"] <= sim < cfg.align_threshold or other.row in used or not names & set(dv._names(other))
                    or _quoted(it) or _quoted(other)):
                continue
            mine = _own(framed(it.sentence.text), other.sentence.text, view.texts[other.article])
            theirs = framed(other.sentence.text)
            c = _loaded_contrast(mine, theirs)
            if c and mine.load > theirs.load:
                found.append((sim, it, other, mine, theirs, c))
                break
    found.sort(key=lambda f: (-f[0], f[1].row))
    out = []
    for sim, it, other, mine, theirs, (subtype, summary) in found[: P["max_event"]]:
        conf = round(sim * 0.7, 3)
        out.append((conf * dv._KIND_WEIGHT["framing"], Divergence(
            kind="framing", topic=dv._topic(view, [it, other]), summary=summary,
            positions=(dv._position([it], f"{_label(mine)}: {it.sentence.text}"),
                       dv._position([other], f"{_label(theirs)}: {other.sentence.text}")),
            confidence=conf)))
    return out
