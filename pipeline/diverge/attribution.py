"""Attribution: the same claim credited to different sources in different articles."""

from __future__ import annotations

import numpy as np

from ..config import DivergenceConfig
from ..domain import Divergence
from .view import KIND_WEIGHT, Item, StoryView, position, topic


def attributions(view: StoryView, cfg: DivergenceConfig) -> list[tuple[float, Divergence]]:
    """The same claim credited to different sources in different articles."""
    # Attribution phrases change the wording, so same-claim sentences score lower than paraphrases.
    threshold = cfg.align_threshold - 0.12
    credited = [it for it in view.items if _credit(it)]
    groups: dict[frozenset[int], tuple[list[Item], float]] = {}
    for seed in credited:
        claim = view.rare_words(seed, _claim_text(seed))
        # Per other article, its best *credited* neighbour that makes the same claim.
        best: dict[str, tuple[float, Item]] = {}
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
        out.append((conf * KIND_WEIGHT["attribution"] * (1 + 0.1 * len(group) + 0.1 * sourced), Divergence(
            kind="attribution",
            topic=topic(view, group),
            summary=f"{len(group)} articles credit this to different sources: {credits}.",
            positions=tuple(
                position([it], f"credited to {', '.join(it.sentence.attributions)}: {it.sentence.text}")
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


def _drop_subsets(groups: dict[frozenset[int], tuple[list[Item], float]]) -> list[tuple[list[Item], float]]:
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


def _is_sourcing(item: Item) -> bool:
    return any(set(c.split()) & _SOURCING_NOUNS for c in _credit(item))


def _credits_a_person(item: Item) -> bool:
    """Does the sentence credit its claim to a named person ("Mr. Blinken", "President Biden")?"""
    people = [e.text.lower() for e in item.sentence.entities if e.label == "PERSON"]
    return any(person in credit for credit in _credit(item) for person in people)


_GENERIC_CREDITS = {"reports", "report", "it", "this", "that", "they", "he", "she", "statement"}


def _credit(item: Item) -> frozenset[str]:
    return frozenset(a.lower() for a in item.sentence.attributions if a.lower() not in _GENERIC_CREDITS)


def _claim_text(item: Item) -> str:
    text = item.sentence.text
    for phrase in item.sentence.attributions:
        text = text.replace(phrase, " ")
    return text
