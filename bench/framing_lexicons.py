"""Which lexicon classes help the framing detector: framing precision and recall of
`find_divergences` on each divergence label set, for the shipped settings and for variants that
switch one lexicon class or the same-claim overlap gate (issue 18).

Each story is analysed and embedded once (the way bench/divergence.py does it), then the
detector runs once per variant. The MPQA subjectivity clues are GPL and not shipped: the variants
that use them read ../shared/data/lexicons/subjclueslen1-HLTEMNLP05.tff.

    PYTHONPATH=. HF_HUB_OFFLINE=1 /work/main/.venv/bin/python bench/framing_lexicons.py \\
        --sets divergence_labels.jsonl divergence_labels_heldout.jsonl
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from bench.divergence import (
    DATA,
    ROOT,
    SIDES,
    STORIES,
    StoryRun,
    _ratio,
    load_models,
    score,
    vectors_for,
)
from pipeline import diverge
from pipeline.config import DivergenceConfig, Settings
from pipeline.diverge import framing
from pipeline.domain import Article
from pipeline.eval.datasets import articles_from_texts
from pipeline.models.loaders import ModelBundle
from pipeline.nlp import framing_words

CLUES = DATA / "lexicons" / "subjclueslen1-HLTEMNLP05.tff"


def _set(**changes) -> Callable[[], None]:
    def apply() -> None:
        for name, value in changes.items():
            if name == "clues":
                framing_words.SUBJECTIVITY_CLUES = value
            elif name == "min_overlap":
                framing.MIN_OVERLAP = value
            elif name == "drop_event_words":
                framing_words.DROP_EVENT_WORDS = value
            else:
                framing_words.USE_LEXICONS[name.replace("_", " ")] = value
    return apply


VARIANTS: dict[str, Callable[[], None]] = {
    "shipped": _set(),
    "no lexicon words (house lists only)": _set(hedge=False),
    "+ loaded verbs of saying (Recasens report verbs that are bias lemmas or Hooper assertives/factives)": _set(loaded_verb=True),
    "+ MPQA strong subjective modifiers (GPL, user path)": _set(clues=CLUES),
    "+ loaded verbs + MPQA": _set(loaded_verb=True, clues=CLUES),
    "no same-claim gate (overlap 0, hedge scope still checked)": _set(min_overlap=0.0),
    "same-claim overlap 0.12": _set(min_overlap=0.12),
    "house lists without movement and state-of-mind words (surge, boost, hope, fear ...)": _set(drop_event_words=True),
}


def prepare_sets(names: list[str], models: ModelBundle) -> dict[str, list[tuple[dict, list[Article], dict]]]:
    """Each label set's stories, analysed and embedded once: (gold, articles, sentence vectors)."""
    rows = {json.loads(line)["id"]: json.loads(line) for line in STORIES.read_text(encoding="utf-8").splitlines()}
    prepared = {}
    for name in names:
        gold = [json.loads(line) for line in (ROOT / "bench" / name).read_text(encoding="utf-8").splitlines() if line.strip()]
        stories = []
        for g in gold:
            articles = articles_from_texts(["\n".join(rows[g["id"]]["news"][s]["newBody"]) for s in SIDES], models, prefix="doc")
            stories.append((g, articles, vectors_for(articles, models)))
        prepared[name] = stories
    return prepared


def framing_cell(stories: list[tuple[dict, list[Article], dict]], cfg: DivergenceConfig) -> str:
    """Framing precision / recall of the detector as it is set now (true/counted, found/gold)."""
    runs = [StoryRun(g["id"], {f"doc{i}": s for i, s in enumerate(SIDES)},
                     diverge.find_divergences(arts, vecs, cfg), g["items"], g.get("roundup_diff"))
            for g, arts, vecs in stories]
    s = score(runs)
    tp, fp, found, gold = s.tp["framing"], s.fp["framing"], s.found["framing"], s.gold["framing"]
    return f"{_ratio(tp, tp + fp)} / {_ratio(found, gold)} ({tp}/{tp + fp}, {found}/{gold})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=["divergence_labels.jsonl"], help="label files in bench/")
    args = parser.parse_args()
    cfg = Settings().divergence
    prepared = prepare_sets(args.sets, load_models())
    defaults = (dict(framing_words.USE_LEXICONS), framing_words.SUBJECTIVITY_CLUES, framing.MIN_OVERLAP,
                framing_words.DROP_EVENT_WORDS)
    print("| variant | " + " | ".join(f"{Path(n).stem} framing P / R" for n in args.sets) + " |")
    print("|---|" + "---|" * len(args.sets))
    for label, apply in VARIANTS.items():
        framing_words.USE_LEXICONS.update(defaults[0])
        framing_words.SUBJECTIVITY_CLUES, framing.MIN_OVERLAP, framing_words.DROP_EVENT_WORDS = defaults[1:]
        apply()
        framing_words.markers.cache_clear()
        cells = [framing_cell(prepared[name], cfg) for name in args.sets]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
