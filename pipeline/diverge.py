"""Where the sources diverge: align sentences across a story's articles, then look for
numbers that disagree, claims credited to different sources, hedged vs flat framing,
names spelled differently, and facts only some articles report.

Alignment is by sentence embeddings (cosine); every position quotes a source sentence.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .config import DivergenceConfig
from .framing import Markers, markers
from .numbers import Figure, disagree, figures, values
from .outcomes import conflicting
from .records import Article, Citation, Divergence, Outcome, Position, Sentence
from .text import normalise

_KIND_WEIGHT = {"conflict": 1.0, "attribution": 0.9, "framing": 0.7, "coverage": 0.75, "naming": 0.6}
_NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW"}
_STOP = {"the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "for", "with", "that", "this",
         "is", "was", "were", "are", "be", "been", "has", "have", "had", "by", "as", "at", "from", "its",
         "their", "his", "her", "it", "they", "he", "she", "would", "will", "which", "who", "said", "not"}
# Omissions listed per story: about one per article, at least 3 and at most 6, plus one more if it
# is a figure or a person named in full. Lead paragraphs of three outlets differ in nearly every
# sentence; more items than that mostly list trivia.
_MAX_COVERAGE_ITEMS = 6
_FACT_LABELS = {"PERSON", "ORG", "FAC", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW"}


@dataclass(frozen=True)
class _Item:
    """A sentence of the story with where it came from."""

    article: str
    sentence: Sentence
    row: int

    @property
    def citation(self) -> Citation:
        return Citation(self.article, self.sentence.index)


@dataclass
class _StoryView:
    """A story's sentences, each one's nearest sentences in other articles, and how common each
    word and name is in it."""

    items: list[_Item]
    matrix: np.ndarray
    # For each row: (row, cosine) of its nearest sentences in other articles, best first.
    neighbours: list[list[tuple[int, float]]]
    centrality: np.ndarray
    article_ids: list[str]
    word_df: Counter[str]
    name_df: Counter[str]
    # Each article's whole text (as written, and as name keys), and the figures it states:
    # is a name or figure in it anywhere?
    texts: dict[str, str]
    raw_words: dict[str, set[str]]
    values: dict[str, set[float]]
    # Each article's lower-case words by their first two letters: spellings to compare a name with.
    words_by_prefix: dict[str, dict[str, set[str]]]

    def sim(self, a: int, b: int) -> float:
        return float(self.matrix[a] @ self.matrix[b])

    def rare_words(self, item: _Item, text: str | None = None) -> set[str]:
        """Content words that few sentences of the story use: what makes a claim specific."""
        limit = max(2, int(0.04 * len(self.items)))
        return {w for w in _content_words(text or item.sentence.text) if self.word_df[w] <= limit}


def find_divergences(
    articles: Sequence[Article], vectors: dict[str, np.ndarray], cfg: DivergenceConfig
) -> list[Divergence]:
    """All divergence items of one story, most important first."""
    if len(articles) < 2:
        return []
    view = _view(articles, vectors)
    if not view.items:
        return []
    found: list[tuple[float, Divergence]] = []
    found += _conflicts(view, cfg)
    found += _outcome_conflicts(view, cfg)
    found += _attributions(view, cfg)
    found += _framings(view, cfg)
    found += _namings(articles)
    found += _coverage(view, cfg)
    return _rank(found)[: cfg.max_items]


def _rank(found: list[tuple[float, Divergence]]) -> list[Divergence]:
    """Best first, but each further item of a kind already listed counts for less, so the
    top of the list shows every kind of divergence the story has."""
    left = sorted(found, key=lambda pair: -pair[0])
    ranked: list[Divergence] = []
    per_kind: Counter[str] = Counter()
    while left:
        best = max(range(len(left)), key=lambda i: left[i][0] * 0.7 ** per_kind[left[i][1].kind])
        item = left.pop(best)[1]
        per_kind[item.kind] += 1
        ranked.append(item)
    return ranked


# Nearest sentences kept per sentence. Alignment, framing, conflicts and attributions look only
# at these, so the Python-level work grows with sentences x K, not sentences squared.
_NEIGHBOURS = 12
_CHUNK = 256


def _view(articles: Sequence[Article], vectors: dict[str, np.ndarray]) -> _StoryView:
    pairs = [(a.id, s) for a in articles for s in a.sentences if s.words >= 5]
    items = [_Item(article, sentence, row) for row, (article, sentence) in enumerate(pairs)]
    raw = {a.id: normalise(" ".join(s.text for s in a.sentences)) for a in articles}
    # Hyphens both ways: "Al-Kadhimi" is one name key, "pro-Trump" mentions "Trump".
    texts = {a: _words(_name_key(t)) + _words(t) for a, t in raw.items()}
    raw_words = {a: set(re.findall(r"[A-Za-z]+", t)) for a, t in raw.items()}
    numbers = {a: values(t) for a, t in raw.items()}
    by_prefix = {a: _by_prefix(words) for a, words in raw_words.items()}
    if not items:
        return _StoryView([], np.zeros((0, 0)), [], np.zeros(0), [a.id for a in articles], Counter(), Counter(),
                          texts, raw_words, numbers, by_prefix)
    matrix = np.vstack([vectors[it.article][it.sentence.index] for it in items]).astype(np.float32)
    order = {a.id: i for i, a in enumerate(articles)}
    centroid = matrix.mean(axis=0)
    return _StoryView(
        items=items,
        matrix=matrix,
        neighbours=_nearest(matrix, np.array([order[it.article] for it in items])),
        centrality=matrix @ (centroid / (np.linalg.norm(centroid) or 1.0)),
        article_ids=[a.id for a in articles],
        word_df=Counter(w for it in items for w in _content_words(it.sentence.text)),
        name_df=Counter(n for it in items for n in _names(it)),
        texts=texts,
        raw_words=raw_words,
        values=numbers,
        words_by_prefix=by_prefix,
    )


def _by_prefix(words: set[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for word in words:
        if len(word) >= 5:
            out.setdefault(word[:2].lower(), set()).add(word.lower())
    return out


def _nearest(matrix: np.ndarray, owner: np.ndarray) -> list[list[tuple[int, float]]]:
    """The K most similar sentences of other articles for each sentence, computed in row chunks
    so that memory stays at chunk x n and no n x n matrix is kept."""
    k = min(_NEIGHBOURS, len(matrix) - 1)
    out: list[list[tuple[int, float]]] = []
    for start in range(0, len(matrix), _CHUNK):
        sims = matrix[start:start + _CHUNK] @ matrix.T
        sims[owner[start:start + _CHUNK, None] == owner[None, :]] = -np.inf  # not its own article
        if k <= 0:
            out += [[] for _ in range(len(sims))]
            continue
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k < sims.shape[1] else np.tile(np.arange(sims.shape[1]), (len(sims), 1))
        for r, cols in enumerate(top):
            ranked = sorted(((int(c), float(sims[r, c])) for c in cols if np.isfinite(sims[r, c])), key=lambda p: (-p[1], p[0]))
            out.append(ranked)
    return out


# --- alignment ---------------------------------------------------------------

def _best_matches(view: _StoryView, item: _Item, threshold: float) -> list[tuple[_Item, float]]:
    """For each other article among the item's nearest sentences, its closest one, if similar enough."""
    best: dict[str, tuple[_Item, float]] = {}
    for row, sim in view.neighbours[item.row]:
        other = view.items[row]
        if sim >= threshold and other.article not in best:
            best[other.article] = (other, sim)
    return [best[a] for a in view.article_ids if a in best]


def _aligned_pairs(view: _StoryView, threshold: float) -> list[tuple[_Item, _Item, float]]:
    """Pairs from different articles, each sentence paired with its best match per other article."""
    pairs: dict[tuple[int, int], float] = {}
    for item in view.items:
        for match, sim in _best_matches(view, item, threshold):
            pairs[(min(item.row, match.row), max(item.row, match.row))] = sim
    return [(view.items[a], view.items[b], s) for (a, b), s in sorted(pairs.items())]


@functools.lru_cache(maxsize=8192)
def _content_words(text: str) -> frozenset[str]:
    # Cached: each sentence's words are asked for once per sentence it is compared with.
    return frozenset(w for w in re.findall(r"[a-z]{4,}", normalise(text).lower()) if w not in _STOP)


def _names(item: _Item) -> list[str]:
    """Names in order of appearance (a list, not a set: output must not depend on hash seeds)."""
    return list(dict.fromkeys(e.text for e in item.sentence.entities if e.label in _NAME_LABELS))


def _topic(view: _StoryView, group: Sequence[_Item]) -> str:
    """What aligned sentences are about: the least common names they share, else rare words."""
    counts: Counter[str] = Counter(n for it in group for n in _names(it))
    # A name in most of the story's sentences ("Israel", "Hamas") says nothing about this item.
    specific = [n for n in counts if view.name_df[n] <= max(2, 0.2 * len(view.items))]
    specific.sort(key=lambda n: (-counts[n], view.name_df[n], n))
    if specific:
        return ", ".join(specific[:3])
    words = Counter(w for it in group for w in sorted(view.rare_words(it)))
    if words:
        return ", ".join(w for w, _ in words.most_common(3))
    return " ".join(group[0].sentence.text.split()[:8]) + " …"


def _position(items: Sequence[_Item], text: str | None = None) -> Position:
    return Position(
        article_ids=tuple(dict.fromkeys(it.article for it in items)),
        text=text if text is not None else items[0].sentence.text,
        citations=tuple(it.citation for it in items),
    )


# --- conflicts: numbers ------------------------------------------------------

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


def _conflicts(view: _StoryView, cfg: DivergenceConfig) -> list[tuple[float, Divergence]]:
    """Aligned sentences whose figures for the same unit cannot both be true."""
    out = []
    for a, b, sim in _aligned_pairs(view, cfg.align_threshold):
        fa, fb = _first_figures(a.sentence.text), _first_figures(b.sentence.text)
        for unit in [u for u in fa if u in fb]:
            if disagree(fa[unit], fb[unit]):
                conf = round(min(1.0, sim), 3)
                out.append((conf * _KIND_WEIGHT["conflict"], Divergence(
                    kind="conflict",
                    topic=_topic(view, [a, b]),
                    summary=f"The articles give different figures for {unit.lstrip('$£€¥ ')}: "
                            f"“{fa[unit].surface}” in one, “{fb[unit].surface}” in another.",
                    positions=(_position([a]), _position([b])),
                    confidence=conf,
                )))
    return out


# --- conflicts: outcomes -----------------------------------------------------

# Outcome sentences are compared below the alignment threshold: "has rejected the latest ceasefire
# proposals" and "has yet to formally respond to the US-brokered agreement" tell one event in
# different words. The parse (same actor, same thing decided on, opposite stances) does the rest.
_OUTCOME_MARGIN = 0.12
_STANCE_WORDS = {"yes": "accepted", "no": "rejected", "not": "did not accept", "pending": "has not yet decided"}


def _outcome_conflicts(view: _StoryView, cfg: DivergenceConfig) -> list[tuple[float, Divergence]]:
    """Aligned sentences that report opposite outcomes for one actor and one thing decided on:
    "Hamas has rejected the proposals" vs "Hamas has yet to respond to the agreement"."""
    best: dict[tuple[str, str, str], tuple[float, _Item, _Item, Outcome, Outcome]] = {}
    for a in view.items:
        for row, sim in view.neighbours[a.row]:
            b = view.items[row]
            if sim < cfg.align_threshold - _OUTCOME_MARGIN:
                continue
            for oa, ob in _opposed(a.sentence.outcomes, b.sentence.outcomes, sim, cfg.align_threshold):
                key = (_name_key(oa.agent or ob.agent), *sorted((a.article, b.article)))
                if key not in best or best[key][0] < sim:
                    best[key] = (sim, a, b, oa, ob)
    out = []
    for sim, a, b, oa, ob in sorted(best.values(), key=lambda f: (-f[0], f[1].row, f[2].row)):
        conf = round(min(1.0, sim + 0.1), 3)
        who = oa.agent or ob.agent or "it"
        out.append((conf * _KIND_WEIGHT["conflict"], Divergence(
            kind="conflict",
            topic=who if not oa.theme else f"{who}: {_short(oa.theme)}",
            summary=f"The articles report different outcomes: {who} {_STANCE_WORDS[oa.stance]} "
                    f"(“{oa.words}”) in one, {_STANCE_WORDS[ob.stance]} (“{ob.words}”) in another.",
            positions=(_position([a], f"“{oa.words}”: {a.sentence.text}"),
                       _position([b], f"“{ob.words}”: {b.sentence.text}")),
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
    ka, kb = _name_key(a).split(), _name_key(b).split()
    if ka == kb:
        return True
    short, long = sorted((ka, kb), key=len)
    # A surname stands for the full name, a bare body for its longer title ("House" / "the US House").
    return bool(short) and long[-len(short):] == short and len(short[-1]) >= 4


def _theme_words(theme: str) -> set[str]:
    """Content words of what was decided on, singular ("proposals" and "proposal" are one word)."""
    return {w[:-1] if w.endswith("s") and not w.endswith("ss") else w for w in _content_words(theme)}


def _short(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


# --- attribution -------------------------------------------------------------

def _attributions(view: _StoryView, cfg: DivergenceConfig) -> list[tuple[float, Divergence]]:
    """The same claim credited to different sources in different articles."""
    # Attribution phrases change the wording, so same-claim sentences score lower than paraphrases.
    threshold = cfg.align_threshold - 0.12
    credited = [it for it in view.items if _credit(it)]
    groups: dict[frozenset[int], tuple[list[_Item], float]] = {}
    for seed in credited:
        claim = view.rare_words(seed, _claim_text(seed))
        # Per other article, its best *credited* neighbour that makes the same claim.
        best: dict[str, tuple[float, _Item]] = {}
        for row, sim in view.neighbours[seed.row]:
            m = view.items[row]
            if (m.article not in best and sim >= threshold and _credit(m) and _credit(m) != _credit(seed)
                    and _same_claim(sim, claim, view.rare_words(m, _claim_text(m)), cfg.align_threshold)):
                best[m.article] = (sim, m)
        members = [best[a] for a in view.article_ids if a in best]
        if members:
            group = [seed] + [m for _, m in members]
            key = frozenset(it.row for it in group)
            mean = float(np.mean([sim for sim, _ in members]))
            if key not in groups or groups[key][1] < mean:
                groups[key] = (group, mean)
    out = []
    for group, mean_sim in _drop_subsets(groups):
        group.sort(key=lambda it: view.article_ids.index(it.article))
        sourced = sum(_is_sourcing(it) for it in group)
        if not sourced:
            continue  # newsmakers each saying their piece is reporting, not a disputed attribution
        if any(_credits_a_person(it) for it in group):
            continue  # "Blinken said" beside "officials said": the principal on the record, not a dispute
        conf = round(min(1.0, mean_sim + 0.05 * (len(group) - 2) + 0.05 * (sourced - 1)), 3)
        credits = "; ".join(dict.fromkeys(", ".join(it.sentence.attributions) for it in group))
        out.append((conf * _KIND_WEIGHT["attribution"] * (1 + 0.1 * len(group) + 0.1 * sourced), Divergence(
            kind="attribution",
            topic=_topic(view, group),
            summary=f"{len(group)} articles credit this to different sources: {credits}.",
            positions=tuple(
                _position([it], f"credited to {', '.join(it.sentence.attributions)}: {it.sentence.text}")
                for it in group
            ),
            confidence=conf,
        )))
    return out


def _same_claim(sim: float, words_a: set[str], words_b: set[str], align_threshold: float) -> bool:
    """Similar sentences that share specific words: more shared words, less similarity needed."""
    shared = len(words_a & words_b)
    # Sentences this close say the same thing even when every specific word is common in the story.
    return shared >= 2 or (shared == 1 and sim >= align_threshold - 0.1) or sim >= align_threshold + 0.1


def _drop_subsets(groups: dict[frozenset[int], tuple[list[_Item], float]]) -> list[tuple[list[_Item], float]]:
    """Keep the widest groups: one that another group contains adds nothing."""
    keys = sorted(groups, key=len, reverse=True)
    kept: list[frozenset[int]] = []
    for key in keys:
        if not any(key <= k for k in kept):
            kept.append(key)
    return [groups[k] for k in kept]


# Nouns that mark a credit as a source of information rather than a newsmaker speaking.
_SOURCING_NOUNS = {"source", "sources", "official", "officials", "aide", "aides", "diplomat", "diplomats",
                   "spokesman", "spokeswoman", "spokesperson", "ministry", "people", "person", "analyst",
                   "analysts", "expert", "experts", "report", "reports", "media", "witnesses", "authorities"}


def _is_sourcing(item: _Item) -> bool:
    return any(set(c.split()) & _SOURCING_NOUNS for c in _credit(item))


def _credits_a_person(item: _Item) -> bool:
    """Does the sentence credit its claim to a named person ("Mr. Blinken", "President Biden")?"""
    people = [e.text.lower() for e in item.sentence.entities if e.label == "PERSON"]
    return any(person in credit for credit in _credit(item) for person in people)


_GENERIC_CREDITS = {"reports", "report", "it", "this", "that", "they", "he", "she", "statement"}


def _credit(item: _Item) -> frozenset[str]:
    return frozenset(a.lower() for a in item.sentence.attributions if a.lower() not in _GENERIC_CREDITS)


def _claim_text(item: _Item) -> str:
    text = item.sentence.text
    for phrase in item.sentence.attributions:
        text = text.replace(phrase, " ")
    return text


# --- framing -----------------------------------------------------------------

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


def _framings(view: _StoryView, cfg: DivergenceConfig) -> list[tuple[float, Divergence]]:
    """The same event told with different framing words: hedged vs flat, judged vs neutral,
    a loaded reporting verb vs "said"."""
    found: list[_FramedPair] = []
    for a, b, sim in _aligned_pairs(view, cfg.align_threshold + min(_HEDGE_MARGIN, _TONE_MARGIN)):
        ma, mb = markers(a.sentence.text), markers(b.sentence.text)
        # A word both articles use somewhere ("heart failure" in each) is not how one of them frames it.
        ma, mb = _own_words(ma, view.texts[b.article]), _own_words(mb, view.texts[a.article])
        contrast = _contrast(ma, mb, sim, cfg.align_threshold)
        if contrast:
            found.append((sim, a, b, ma, mb, contrast))
    found.sort(key=lambda f: (-f[0], f[1].row, f[2].row))
    out, used = [], set()
    for sim, a, b, ma, mb, contrast in found:
        if a.row in used or b.row in used:
            continue  # one framing item per sentence: the closest aligned pair shows it best
        used |= {a.row, b.row}
        shown = [(a, ma), (b, mb)] + _same_contrast_elsewhere(found, a, b, ma, mb, used)
        conf = round(min(1.0, sim) * 0.8, 3)
        out.append((conf * _KIND_WEIGHT["framing"], Divergence(
            kind="framing",
            topic=_topic(view, [a, b]),
            summary=contrast,
            positions=tuple(_position([it], f"{_frame_label(m)}: {it.sentence.text}") for it, m in shown),
            confidence=conf,
        )))
        if len(out) >= _MAX_FRAMING_ITEMS:
            break
    return out + _event_framings(view, cfg, used)[: max(0, _MAX_FRAMING_ITEMS - len(out))]


# An opinionated lead ("railed against", "radical consultants") rarely has a counterpart sentence
# close enough to align: the loaded wording itself pulls it away. Below the alignment threshold a
# sentence is still about the same event when it names the same people or bodies.
_EVENT_FLOOR = 0.45
_MAX_EVENT_FRAMING_ITEMS = 1


def _event_framings(view: _StoryView, cfg: DivergenceConfig, used: set[int]) -> list[tuple[float, Divergence]]:
    """A sentence that judges an event (evaluative words, a loaded verb) against another article's
    neutral sentence about the same named actors, where the two are too far apart to align."""
    found = []
    for it in view.items:
        names = set(_names(it))
        if it.row in used or not names:
            continue
        for row, sim in view.neighbours[it.row]:
            other = view.items[row]
            if not _EVENT_FLOOR <= sim < cfg.align_threshold or other.row in used or not names & set(_names(other)):
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
        out.append((conf * _KIND_WEIGHT["framing"], Divergence(
            kind="framing",
            topic=_topic(view, [it, other]),
            summary=f"One article characterises this with judging words ({words}); another tells it plainly.",
            positions=(_position([it], f"{_frame_label(mine)}: {it.sentence.text}"),
                       _position([other], f"{_frame_label(theirs)}: {other.sentence.text}")),
            confidence=conf,
        )))
    return out


_FramedPair = tuple[float, _Item, _Item, Markers, Markers, str]


def _same_contrast_elsewhere(found: list[_FramedPair], a: _Item, b: _Item, ma: Markers, mb: Markers,
                             used: set[int]) -> list[tuple[_Item, Markers]]:
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


def _contrast(ma: Markers, mb: Markers, sim: float, align_threshold: float) -> str:
    """How two aligned sentences frame the same thing differently, in words; "" if they do not."""
    if bool(ma.hedge) != bool(mb.hedge) and sim >= align_threshold + _HEDGE_MARGIN:
        words = ", ".join(ma.hedge or mb.hedge)
        return f"One article hedges this ({words}); another states it as fact."
    if sim < align_threshold + _TONE_MARGIN:
        return ""
    only_a = [w for w in ma.negative + ma.positive if w not in mb.negative + mb.positive]
    only_b = [w for w in mb.negative + mb.positive if w not in ma.negative + ma.positive]
    judged_a, judged_b = bool(ma.negative or ma.positive), bool(mb.negative or mb.positive)
    if (only_a or only_b) and (_sign(ma.tone) != _sign(mb.tone) or judged_a != judged_b):
        return (f"The articles judge this differently: {_tone_words(ma)} in one, "
                f"{_tone_words(mb)} in another.")
    if bool(ma.loaded_verb) != bool(mb.loaded_verb):
        words = ", ".join(ma.loaded_verb or mb.loaded_verb)
        return f"One article reports this with a loaded verb ({words}); another neutrally."
    return ""


def _own_words(m: Markers, other_text: str) -> Markers:
    """The evaluative words and loaded verbs of m that the other article never uses."""
    def keep(words: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(w for w in words if f" {w} " not in other_text)
    return Markers(m.hedge, m.booster, keep(m.loaded_verb), keep(m.negative), keep(m.positive))


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
    if m.loaded_verb:
        parts.append(f"loaded verb ({', '.join(m.loaded_verb)})")
    return "; ".join(parts) or "stated plainly"


# --- naming ------------------------------------------------------------------

def name_variants(mentions: list[tuple[str, Citation]]) -> list[list[tuple[str, list[Citation]]]]:
    """Pairs of spellings that name one thing, each spelling with where it is used."""
    forms: dict[str, tuple[str, list[Citation]]] = {}  # key -> (surface, citations)
    for name, cit in mentions:
        key = _name_key(name)
        if len(key) >= 4:
            forms.setdefault(key, (name, []))[1].append(cit)
    pairs = []
    for k1, k2 in _candidate_pairs(sorted(forms)):
        (s1, c1), (s2, c2) = forms[k1], forms[k2]
        if spelled_differently(k1, k2) and {c.article for c in c1} != {c.article for c in c2}:
            pairs.append([(s1, c1), (s2, c2)])
    return pairs


def _candidate_pairs(keys: list[str]) -> list[tuple[str, str]]:
    """Pairs of keys that could be one spelling change apart: same number of words, the same
    words but one, and that one starting with the same two letters. Comparing only within such
    blocks keeps a 40-article story from comparing every name with every other."""
    blocks: dict[tuple[int, int, str, str], list[str]] = {}
    for key in keys:
        words = key.split()
        for i, word in enumerate(words):
            rest = " ".join(words[:i] + words[i + 1:])
            blocks.setdefault((len(words), i, rest, word[:2]), []).append(key)
    pairs = {(a, b) for block in blocks.values() for j, a in enumerate(block) for b in block[j + 1:]}
    return sorted(pairs)


def _name_key(text: str) -> str:
    text = normalise(text).lower()
    text = re.sub(r"^the\s+", "", text)
    text = re.sub(r"'s$", "", text)
    return re.sub(r"\s+", " ", re.sub(r"[.\-]", "", text)).strip()


# English derivational suffixes: adding one makes a different word, not a different spelling.
_DERIVATIONAL = ("an", "ans", "al", "ial", "ic", "ist", "ists", "ism", "ed", "ing", "er", "ers", "ly")


def spelled_differently(a: str, b: str) -> bool:
    """Two name keys that differ in one word by a small spelling change."""
    ta, tb = a.split(), b.split()
    if a == b or len(ta) != len(tb):
        return False
    diffs = [(x, y) for x, y in zip(ta, tb) if x != y]
    if len(diffs) != 1:
        return False
    x, y = sorted(diffs[0], key=len)
    if len(x) < 5 or y in (x + "s", x + "es", x + "i", x + "is", x + "n", x + "ns", x + "ian", x + "ians", x + "ese"):
        return False  # plurals and demonyms ("Israel"/"Israeli") are not spellings of one name
    if any(y == x + suffix for suffix in _DERIVATIONAL):
        return False  # a derived word ("President"/"Presidential") names something else
    return difflib.SequenceMatcher(None, x, y).ratio() >= 0.85


def _namings(articles: Sequence[Article]) -> list[tuple[float, Divergence]]:
    mentions = [
        (name, Citation(a.id, s.index))
        for a in articles for s in a.sentences
        for name in {e.text for e in s.entities if e.label in _NAME_LABELS - {"NORP"}} | set(s.proper_nouns)
    ]
    text_of = {(a.id, s.index): s.text for a in articles for s in a.sentences}
    out = []
    for pair in name_variants(mentions):
        positions = tuple(
            Position(
                article_ids=tuple(dict.fromkeys(c.article for c in cits)),
                text=f"“{surface}”: {text_of[(cits[0].article, cits[0].sentence)]}",
                citations=tuple(dict.fromkeys(cits)),
            )
            for surface, cits in pair
        )
        names = " vs ".join(f"“{surface}”" for surface, _ in pair)
        conf = 0.6
        out.append((conf * _KIND_WEIGHT["naming"], Divergence(
            kind="naming", topic=pair[0][0],
            summary=f"The articles name this differently: {names}.",
            positions=positions, confidence=conf,
        )))
    return out


# --- coverage ----------------------------------------------------------------

def _coverage(view: _StoryView, cfg: DivergenceConfig) -> list[tuple[float, Divergence]]:
    """Specific facts (rare names, figures) that some articles report and others leave out.

    An article leaves a fact out only if no sentence of it restates the sentence and its whole
    text lacks one of the sentence's specific names or figures: a fact told in other words
    elsewhere in the article is not an omission.
    """
    n = len(view.article_ids)
    candidates = []
    for it in view.items:
        facts = _rare_facts(view, it)
        if not it.sentence.eligible or not facts:
            continue
        echoes = [m for m, sim in _best_matches(view, it, cfg.coverage_threshold)
                  if _restates(view, it, m, sim, facts, cfg)]
        told = {it.article} | {m.article for m in echoes}
        absent = {a: [f for f in facts if not _mentions(view, a, f)] for a in view.article_ids if a not in told}
        missing = tuple(a for a in view.article_ids if absent.get(a))
        if missing:
            shown = list(dict.fromkeys(f for a in missing for f in absent[a]))
            # Central facts first; fewer articles reporting it and more specific facts make it stand out.
            score = float(view.centrality[it.row]) * (1 + 0.1 * min(len(shown), 4)) * (len(missing) / (n - 1))
            candidates.append((score, it, echoes, shown, {a: absent[a] for a in missing}))
    candidates.sort(key=lambda c: -c[0])
    out, taken, listed = [], [], []
    for score, it, echoes, shown, missing in candidates:
        if (any(view.sim(it.row, t) >= cfg.align_threshold for t in taken)
                or any(set(shown) <= facts for facts in listed)):
            continue  # the same fact already listed from another article
        if len(out) >= max(3, n) and not _checkable(it, shown):
            continue  # past one omission per article, only a figure or a named person is worth listing
        taken.append(it.row)
        listed.append(set(shown))
        reporting = [it] + echoes
        conf = round(float(np.clip(view.centrality[it.row] + 0.3, 0.0, 1.0)), 3)
        # Articles that state these facts elsewhere, in other sentences, report them too.
        telling = n - len(missing)
        who = "Only one article reports" if telling == 1 else f"{telling} of {n} articles report"
        out.append((score * _KIND_WEIGHT["coverage"], Divergence(
            kind="coverage",
            topic=", ".join(shown[:3]),
            summary=f"{who} this ({', '.join(shown[:3])}); {len(missing)} leave{'s' if len(missing) == 1 else ''} it out.",
            positions=(*(_position([r]) for r in reporting), *_omissions(missing)),
            confidence=conf,
        )))
        if len(out) >= min(_MAX_COVERAGE_ITEMS, max(3, n) + 1):
            break
    return out


def _checkable(item: _Item, facts: list[str]) -> bool:
    """A figure with digits, or a person named in full: facts a reader can check, unlike a
    bare organisation or surname ("GOP", "Biden") that a lead may simply not need."""
    people = {e.text for e in item.sentence.entities if e.label == "PERSON" and len(e.text.split()) >= 2}
    return any(re.search(r"\d", f) or f in people for f in facts)


def _omissions(missing: dict[str, list[str]]) -> list[Position]:
    """One position per set of left-out facts: which articles lack which names or figures."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for article, facts in missing.items():
        groups.setdefault(tuple(facts), []).append(article)
    return [Position(tuple(ids), f"not reported: no mention of {', '.join(facts)}", ()) for facts, ids in groups.items()]


def _mentions(view: _StoryView, article: str, fact: str) -> bool:
    """Does the article state this name or figure anywhere, in any usual spelling?"""
    probe = _probe(fact)
    if isinstance(probe, frozenset):
        return bool(probe) and probe <= view.values[article]
    phrase, initials, last = probe
    text = view.texts[article]
    return (
        not phrase or phrase in text
        # "United States" and "US"; "Centers for Disease Control and Prevention" and "CDC".
        or any(len(i) >= 2 and i in view.raw_words[article] for i in initials)
        # A person or body named in full once is named by its last word after that ("Hanen").
        or (last is not None and last in text)
        # "Philadelphia" in one outlet is "Philadelphi" in another: a spelling, not an omission
        # (the naming detector reports it).
        or _spelled_in(view, article, phrase.strip())
    )


def _spelled_in(view: _StoryView, article: str, key: str) -> bool:
    """Is a one-word name written in the article with a small spelling change?"""
    if " " in key or len(key) < 5:
        return False
    return any(spelled_differently(key, word) for word in view.words_by_prefix[article].get(key[:2], ()))


@functools.lru_cache(maxsize=4096)
def _probe(fact: str) -> frozenset[float] | tuple[str, tuple[str, ...], str | None]:
    """What to look for in an article, worked out once per fact: its values if it is a figure,
    else its words as a padded phrase, its initials, and its last word if that can stand alone."""
    if re.search(r"\d", fact):
        return frozenset(values(fact))
    words = _words(_name_key(fact)).split()
    if not words:
        return "", (), None
    # An acronym often stops before an "and ..." tail of the full name.
    full = "".join(w[0] for w in fact.split() if w[:1].isupper())
    head = "".join(w[0] for w in fact.split(" and ")[0].split() if w[:1].isupper())
    initials = (full, head) if len(head) >= 3 and head != full else (full,)
    last = f" {words[-1]} " if len(words) > 1 and len(words[-1]) >= 4 else None
    return f" {' '.join(words)} ", initials, last


def _words(text: str) -> str:
    """Lower-case words separated by single spaces, padded: for fast whole-word look-ups."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def _restates(view: _StoryView, item: _Item, other: _Item, sim: float, facts: list[str], cfg: DivergenceConfig) -> bool:
    """Does `other` report the fact in `item`? Near-paraphrase, or similar and sharing its specifics."""
    if sim >= cfg.align_threshold + 0.13:
        return True
    other_text = normalise(other.sentence.text).lower()
    shared_facts = [f for f in facts if normalise(f).lower() in other_text]
    return bool(shared_facts) or len(view.rare_words(item) & view.rare_words(other)) >= 2


def _rare_facts(view: _StoryView, item: _Item) -> list[str]:
    """Names few sentences of the story mention, and figures: what makes a fact checkable."""
    limit = max(2, int(0.03 * len(view.items)))
    # Places and groups ("U.S.", "Republican") set the scene; who did what, and figures, are the facts.
    # A one-word body or event ("Congress", "GOP", "COVID-19", "ISIS") is scene too: a lead that
    # does not name it has usually said "lawmakers" or "the pandemic". People are kept ("Hanen").
    names = [e.text for e in item.sentence.entities if e.label in _FACT_LABELS and view.name_df[e.text] <= limit
             and (e.label == "PERSON" or len(e.text.split()) > 1)]
    # Figures written with digits: "one of the issues" is not a figure, "251 hostages" is.
    figures = [e.text for e in item.sentence.entities
               if e.label in ("CARDINAL", "MONEY", "PERCENT", "QUANTITY", "DATE") and re.search(r"\d", e.text)]
    return list(dict.fromkeys(names + figures))
