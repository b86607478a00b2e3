"""Variants of the learned story grouping, one summary line each, for choosing on val (AllSides val
and Multi-News val, summed ARI) with dev and the recession story as the held-out estimate.

    PYTHONPATH=. python bench/grouping_variants.py --variants shipped,g0.6,t0.4+g0.5
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import grouping_learned as gl
import pair_lab

from pipeline import stories


def variant(name: str) -> dict:
    """group_articles keyword arguments of a named variant: "shipped", or parts joined by "+":
    t0.45 (pair threshold), g0.6 (threshold for two groups to join), model=PATH."""
    kwargs: dict = {"threshold": 0.5}
    for part in name.split("+"):
        if part == "shipped":
            continue
        if part.startswith("t"):
            kwargs["threshold"] = float(part[1:])
        elif part.startswith("g"):
            kwargs["group_threshold"] = float(part[1:])
        elif part.startswith("model="):  # another pair model file (e.g. one trained with other negatives)
            from pipeline.stories.scorer import load_pair_model

            kwargs["booster"] = load_pair_model(Path(part.removeprefix("model=")))
        else:
            raise ValueError(part)
    return kwargs


def run(data, kwargs) -> list[list[int]]:
    signals = [stories.article_signals(a) for a in data.articles]
    return stories.group_articles(data.articles, data.sentence_vectors, data.title_vectors, signals, **kwargs)


def summary(name: str, sets: dict, kwargs: dict) -> str:
    cells, val = [], 0.0
    for set_name, data in sets.items():
        dated = [("", gl.without_dates(data))] + ([("d", data)] if any(data.dates) else [])
        for tag, d in dated:
            groups = run(d, kwargs)
            if len(set(d.labels)) == 1:
                cells.append(f"rec {max(map(len, groups))}/{len(d.labels)}")
                continue
            r = pair_lab.score(groups, data)
            short = set_name.split(" (")[0].replace("dev 60 stories, ", "dev").replace(" topics", "")
            cells.append(f"{short}{tag} {r['ari']:.3f} {r['exact']}ex {r['merged_same_topic']}/{r['merged_other_topic']}m")
            if set_name.startswith(("AllSides val", "Multi-News")):
                val += r["ari"]
    return f"| {name} | {val:.3f} | " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", default="shipped")
    parser.add_argument("--multinews", type=int, default=100)
    args = parser.parse_args()
    sets = gl.sets(args.multinews)
    for name in args.variants.split(","):
        print(summary(name, sets, variant(name)), flush=True)


if __name__ == "__main__":
    main()
