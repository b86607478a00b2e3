"""The eval result as a Markdown table or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .evaluate import EXAMPLES
from .scoring import ROUGE_KEYS


def render_markdown(result: dict[str, Any]) -> str:
    """The result as a Markdown table: system first, then the peers."""
    budget = result["budget"]
    lines = [
        f"### {Path(result['dataset']).name}: {result['n']} clusters, mode {result['mode']}",
        "",
        f"Budget: {budget['rule']}; mean {budget['max_words_mean']:g} words, "
        f"{budget['max_sentences_mean']:g} sentences. References: mean {result['reference_words']:.1f} words. "
        "ROUGE F1 x100 (rouge_score, stemmed), mean [95% bootstrap interval].",
        "",
        "| system | ROUGE-1 | ROUGE-2 | ROUGE-L | unsupported | guard replaced | words | s/cluster | clusters/min |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    rows = [(f"newsdigest ({result['mode']})", result["system"])]
    rows += list(result["peers"].items())
    for name, r in rows:
        rouge = [f"{r[k]:.2f} [{r[k + '_ci'][0]:.2f}, {r[k + '_ci'][1]:.2f}]" for k in ROUGE_KEYS]
        replaced = "–" if r["guard_replaced"] is None else f"{100 * r['guard_replaced']:.0f}%"
        per_min = "–" if r["clusters_per_min"] is None else f"{r['clusters_per_min']:g}"
        lines.append(
            f"| {name} | {' | '.join(rouge)} | {r['unsupported']} | {replaced} | {r['words']:.1f} "
            f"| {r['s_per_cluster']:.3f} | {per_min} |"
        )
    flagged = [(name, r) for name, r in rows if r["unsupported"]]
    if flagged:
        lines.append("")
        lines += [f"Unsupported facts flagged in {name} (up to {EXAMPLES} shown): "
                  + ", ".join(f"`{fact}`" for fact in r["unsupported_examples"]) for name, r in flagged]
    return "\n".join(lines) + "\n"


def render_json(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=2)
