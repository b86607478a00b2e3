"""Divergence benchmark: precision and recall of "Where the sources diverge" against hand labels,
how well it recovers the AllSides editors' "how coverage differed" paragraph, and how
`find_divergences` scales with the number of articles in a story.

Labels (rules in bench/DIVERGENCE_LABELS.md), each 16 AllSides dev stories with three outlets:
bench/divergence_labels.jsonl (the tuning set, the default); `--labels
bench/divergence_labels_heldout.jsonl` (held out from the first detectors); `--labels
bench/divergence_labels_test.jsonl` (labelled blind by another labeller, kept for final checks);
`--labels bench/divergence_labels_second.jsonl` (the tuning stories labelled again, blind, by a
second labeller: bench/agreement/ compares the two labellers); `--labels
bench/divergence_labels_blind2.jsonl` (16 more stories labelled blind for issue 18, scored once). The code path is the one `newsdigest summarise` runs: cleaning and
spaCy analysis through `pipeline.run.articles_from_texts`, sentences embedded with the packaged
all-MiniLM-L6-v2, then `pipeline.diverge.find_divergences` with the default settings.

Matching a predicted item to a gold item: same kind (or one of the gold item's `also` kinds); the
item's positions put an outlet of the gold item's first side against an outlet of its second side
(coverage: a reporting position cites a first-side outlet and the "not reported" position names a
second-side outlet); and one of the gold terms occurs in the item's JSON (lower-cased). Predictions
that match only optional gold items are left out of precision; optional items are not in recall.

Roundup measure: for the stories whose roundup says how coverage differed, the paragraph is
encoded as sides (which outlets did what) and contrast words. It counts as recovered when one of
the items a reader sees in digest.md (the top `markdown_items`, default 8) has an allowed kind,
puts a named outlet against another one, and contains one of the contrast words; "outlets only"
drops the word condition. Why this measure: the paragraph says *who* differed and *how*; a reader
of digest.md learns the same only if an item on the first page sets those outlets against each
other and its text names the difference.

    PYTHONPATH=. HF_HUB_OFFLINE=1 /work/main/.venv/bin/python bench/divergence.py --out /tmp/div.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from pipeline import diverge
from pipeline.nlp.framing_words import markers
from pipeline.config import DivergenceConfig, Settings
from pipeline.models.loaders import PACKAGED_EMBEDDER, ModelBundle, apply_offline_policy, load_embedder, load_nlp
from pipeline.domain import Article, Divergence
from pipeline.report.build import divergence_model
from pipeline.eval.datasets import articles_from_texts
from pipeline.nlp.tokens import normalise

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
STORIES = DATA / "allsides_stories_dev.jsonl"
RECESSION = DATA / "recession_articles.json"
LABELS = ROOT / "bench" / "divergence_labels.jsonl"
SIDES = ("left", "center", "right")
KINDS = ("conflict", "attribution", "framing", "naming", "coverage")


@dataclass
class StoryRun:
    story_id: int
    outlet_of: dict[str, str]  # article id -> left | center | right
    items: list[Divergence]
    gold: list[dict]
    roundup: dict | None


def load_models() -> ModelBundle:
    apply_offline_policy(False)
    return ModelBundle(embedder=load_embedder(PACKAGED_EMBEDDER), nlp=load_nlp(Settings().models.ner))


def vectors_for(articles: Sequence[Article], models: ModelBundle) -> dict[str, np.ndarray]:
    """Sentence vectors exactly as a run embeds them (one batch for the story)."""
    matrix = models.embedder.embed([s.text for a in articles for s in a.sentences])
    out, start = {}, 0
    for a in articles:
        out[a.id] = matrix[start:start + len(a.sentences)]
        start += len(a.sentences)
    return out


def run_story(row: dict, gold: dict, models: ModelBundle, cfg: DivergenceConfig) -> StoryRun:
    texts = ["\n".join(row["news"][side]["newBody"]) for side in SIDES]
    articles = articles_from_texts(texts, models, prefix="doc")
    outlet_of = {f"doc{i}": side for i, side in enumerate(SIDES)}
    items = diverge.find_divergences(articles, vectors_for(articles, models), cfg)
    return StoryRun(row["id"], outlet_of, items, gold["items"], gold.get("roundup_diff"))


# --- matching ------------------------------------------------------------------------------

def item_text(item: Divergence) -> str:
    return normalise(json.dumps(divergence_model(item).model_dump(mode="json"), ensure_ascii=False)).lower()


def _sides_of(item: Divergence, outlet_of: dict[str, str]) -> list[set[str]]:
    return [{outlet_of[a] for a in p.article_ids} for p in item.positions]


def sets_against(item: Divergence, outlet_of: dict[str, str], first: Sequence[str], second: Sequence[str]) -> bool:
    """Does the item put an outlet of `first` against an outlet of `second`?"""
    sides = _sides_of(item, outlet_of)
    if item.kind == "coverage":
        reporting = set().union(*(s for s, p in zip(sides, item.positions) if p.citations))
        missing = set().union(*(s for s, p in zip(sides, item.positions) if not p.citations))
        return bool(reporting & set(first)) and bool(missing & set(second))
    return any(
        sides[i] & set(first) and sides[j] & set(second)
        for i in range(len(sides)) for j in range(len(sides)) if i != j
    )


def matches(item: Divergence, gold: dict, outlet_of: dict[str, str]) -> bool:
    if item.kind not in [gold["kind"], *gold.get("also", [])]:
        return False
    if not sets_against(item, outlet_of, *gold["sides"]):
        return False
    text = item_text(item)
    return any(normalise(t).lower() in text for t in gold["terms"])


@dataclass
class Score:
    tp: Counter[str]
    fp: Counter[str]
    neutral: Counter[str]
    found: Counter[str]
    gold: Counter[str]
    false_items: list[tuple[int, Divergence]]
    missed: list[tuple[int, dict]]


def score(runs: Sequence[StoryRun]) -> Score:
    s = Score(Counter(), Counter(), Counter(), Counter(), Counter(), [], [])
    for run in runs:
        required = [g for g in run.gold if not g["optional"]]
        optional = [g for g in run.gold if g["optional"]]
        recalled = [False] * len(required)
        for item in run.items:
            hits = [i for i, g in enumerate(required) if matches(item, g, run.outlet_of)]
            for i in hits:
                recalled[i] = True
            if hits:
                s.tp[item.kind] += 1
            elif any(matches(item, g, run.outlet_of) for g in optional):
                s.neutral[item.kind] += 1
            else:
                s.fp[item.kind] += 1
                s.false_items.append((run.story_id, item))
        for g, ok in zip(required, recalled):
            s.gold[g["kind"]] += 1
            s.found[g["kind"]] += ok
            if not ok:
                s.missed.append((run.story_id, g))
    return s


def roundup_recovered(run: StoryRun, top: int) -> tuple[bool, bool]:
    """(outlets and words, outlets only) for the roundup's "coverage differed" paragraph."""
    claim = run.roundup
    shown = run.items[:top]
    outlets = [it for it in shown if it.kind in claim["kind"]
               and sets_against(it, run.outlet_of, *claim["sides"])]
    words = [it for it in outlets if any(normalise(t).lower() in item_text(it) for t in claim["terms"])]
    return bool(words), bool(outlets)


# --- scaling ----------------------------------------------------------------------------------

def scaling(models: ModelBundle, cfg: DivergenceConfig, sizes: Sequence[int], repeats: int) -> list[tuple[int, int, float]]:
    """(articles, sentences, best seconds of find_divergences) on the first n recession articles.

    12 of the 46 records have no text (or only a cookie notice), so "all" is 34 articles."""
    records = json.loads(RECESSION.read_text(encoding="utf-8"))
    articles = articles_from_texts([r["content"] for r in records], models, prefix="r")
    vectors = vectors_for(articles, models)
    out = []
    for n in sizes:
        subset = articles[:n or len(articles)]
        times = []
        for _ in range(repeats):
            _clear_caches()  # every repeat starts cold, as a run does
            start = time.perf_counter()
            diverge.find_divergences(subset, vectors, cfg)
            times.append(time.perf_counter() - start)
        out.append((len(subset), sum(len(a.sentences) for a in subset), min(times)))
    return out


def _clear_caches() -> None:
    from pipeline.diverge import conflicts, coverage, view
    for fn in (view.content_words, coverage._probe, conflicts._first_figures, markers):
        fn.cache_clear()


def growth_exponent(rows: Sequence[tuple[int, int, float]], column: int = 0) -> float:
    """Slope of log(time) against log(articles) (column 0) or log(sentences) (column 1):
    1 is linear, 2 quadratic."""
    x = np.log([r[column] for r in rows])
    y = np.log([max(r[2], 1e-6) for r in rows])
    return float(np.polyfit(x, y, 1)[0])


# --- report -----------------------------------------------------------------------------------

def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "–"


def table(s: Score) -> list[str]:
    lines = ["| kind | predicted | true | false | optional-only | precision | gold | found | recall |",
             "|---|---|---|---|---|---|---|---|---|"]
    for kind in (*KINDS, "all"):
        pick = (lambda c: sum(c.values())) if kind == "all" else (lambda c, k=kind: c[k])
        tp, fp, ne, found, gold = pick(s.tp), pick(s.fp), pick(s.neutral), pick(s.found), pick(s.gold)
        lines.append(f"| {kind} | {tp + fp + ne} | {tp} | {fp} | {ne} | {_ratio(tp, tp + fp)} | {gold} | {found} "
                     f"| {_ratio(found, gold)} |")
    return lines


def describe(item: Divergence, outlet_of: dict[str, str]) -> str:
    sides = " vs ".join("/".join(sorted({outlet_of[a] for a in p.article_ids})) for p in item.positions)
    return f"{item.kind} [{sides}] {item.topic}: {item.summary}"[:220]


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def report(runs, s: Score, top: int, scale, elapsed: float, labels: Path = LABELS) -> str:
    with_roundup = [r for r in runs if r.roundup]
    recovered = [roundup_recovered(r, top) for r in with_roundup]
    lines = [
        f"Command: `PYTHONPATH=. HF_HUB_OFFLINE=1 python bench/divergence.py --labels {_shown(labels)}` · "
        f"{datetime.now(UTC):%Y-%m-%d} · "
        f"{platform.machine()}, {os.cpu_count()} CPU cores, no GPU · {len(runs)} stories, {elapsed:.0f} s",
        "",
        *table(s),
        "",
        f"Roundup paragraph recovered in the top {top} items: {sum(r[0] for r in recovered)}/{len(with_roundup)} "
        f"(outlets and contrast words), {sum(r[1] for r in recovered)}/{len(with_roundup)} (outlets only)."
        if with_roundup else "These labels encode no roundup paragraph.",
    ]
    if scale:
        lines += ["", "| articles | sentences | find_divergences s |", "|---|---|---|"]
        lines += [f"| {n} | {m} | {t:.3f} |" for n, m, t in scale]
        lines += ["", f"Growth exponent (slope of log time): {growth_exponent(scale):.2f} against articles, "
                      f"{growth_exponent(scale, 1):.2f} against sentences"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--labels", type=Path, default=LABELS,
                        help="gold labels (default the tuning set; bench/divergence_labels_heldout.jsonl is held out)")
    parser.add_argument("--details", action="store_true", help="print false positives and misses")
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--sizes", default="5,10,20,all", help="article counts; all = every usable article")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    models = load_models()
    cfg = Settings().divergence
    rows = {json.loads(line)["id"]: json.loads(line) for line in STORIES.read_text(encoding="utf-8").splitlines()}
    gold = [json.loads(line) for line in args.labels.read_text(encoding="utf-8").splitlines() if line.strip()]
    runs = [run_story(rows[g["id"]], g, models, cfg) for g in gold]
    s = score(runs)
    elapsed = time.perf_counter() - started
    scale = None if args.no_scaling else scaling(models, cfg, [0 if x == "all" else int(x) for x in args.sizes.split(",")], args.repeats)
    text = report(runs, s, cfg.markdown_items, scale, elapsed, args.labels)
    print(text)
    if args.details:
        outlet_of = runs[0].outlet_of
        print("\nFalse positives:")
        for sid, item in s.false_items:
            print(f"  {sid} {describe(item, outlet_of)}")
        print("\nMissed:")
        for sid, g in s.missed:
            print(f"  {sid} {g['kind']} {g['sides']} {g['note']}")
        print("\nRoundup:")
        for r in runs:
            if r.roundup:
                print(f"  {r.story_id} {roundup_recovered(r, cfg.markdown_items)}")
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
