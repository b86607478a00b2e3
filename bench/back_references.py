"""How many story-digest sentences lean on a sentence the digest does not have ("They have called
for ...", "these areas"), with and without the discount `summary.extractive` gives them.

Story digests of the AllSides dev stories (two or three outlets each), default settings:

    PYTHONPATH=. HF_HUB_OFFLINE=1 .venv/bin/python bench/back_references.py
"""

from __future__ import annotations

import json

from bench.divergence import SIDES, STORIES, load_models
import pipeline.digest.select as select_module
from pipeline.config import Settings
from pipeline.digest.build import story_digest
from pipeline.eval.datasets import articles_from_texts
from pipeline.nlp.references import leans_on_earlier_sentence


def main() -> None:
    models, settings = load_models(), Settings()
    stories = []
    for line in STORIES.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        texts = ["\n".join(row["news"][s]["newBody"]) for s in SIDES if (row["news"].get(s) or {}).get("newBody")]
        articles = articles_from_texts(texts, models, prefix="doc") if len(texts) > 1 else []
        if len(articles) > 1:
            stories.append(articles)
    shipped = select_module.BACK_REFERENCE_WEIGHT
    for weight in (1.0, shipped):
        select_module.BACK_REFERENCE_WEIGHT = weight
        sentences = [s.text for articles in stories for s in story_digest(articles, settings, models).sentences]
        leaning = sum(map(leans_on_earlier_sentence, sentences))
        print(f"weight {weight}: {len(stories)} stories, {len(sentences)} digest sentences, {leaning} "
              f"({leaning / len(sentences):.1%}) lean on an earlier sentence")
    select_module.BACK_REFERENCE_WEIGHT = shipped


if __name__ == "__main__":
    main()
