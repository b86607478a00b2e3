"""How well can a general judge pick out the sentences that carry a labelled framing?

For every sentence of the labelled stories, the gold answer is whether it carries a required framing
item of its outlet's side (it contains one of the item's terms). Two judges are scored by ROC AUC:

- the general lexicon of `pipeline/framing.py` (the number of hedges, boosters, loaded verbs and
  evaluative words outside quotations), with the share of gold sentences that have any such word;
- the packaged generator (SmolLM2-135M-Instruct) asked whether the sentence uses loaded, judging or
  opinionated words, scored as log P(yes) - log P(no) of its next token.

    PYTHONPATH=. HF_HUB_OFFLINE=1 .venv/bin/python bench/framing_judges.py \
        bench/divergence_labels.jsonl bench/divergence_labels_heldout.jsonl bench/divergence_labels_second.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from sklearn.metrics import roc_auc_score

from bench.divergence import SIDES, STORIES, load_models
from pipeline.config import Settings
from pipeline.nlp.framing_words import markers
from pipeline.models.loaders import default_cache_dir, load_generator
from pipeline.eval.datasets import articles_from_texts
from pipeline.nlp.tokens import normalise

PROMPT = ("Does the following news sentence use loaded, judging or opinionated words (rather than neutral "
          "reporting)? Answer yes or no.\n\nSentence: {sentence}")


def labelled_sentences(label_files: list[Path]) -> tuple[list[str], list[int]]:
    """Every sentence of the labelled stories, and whether it carries a required framing item."""
    models = load_models()
    rows = {json.loads(line)["id"]: json.loads(line) for line in STORIES.read_text(encoding="utf-8").splitlines()}
    texts, gold = [], []
    for path in label_files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            labels = json.loads(line)
            row = rows[labels["id"]]
            framings = [g for g in labels["items"] if g["kind"] == "framing" and not g["optional"]]
            articles = articles_from_texts(["\n".join(row["news"][s]["newBody"]) for s in SIDES], models, prefix="doc")
            for side, article in zip(SIDES, articles):
                terms = [normalise(t).lower() for g in framings if side in g["sides"][0] for t in g["terms"]]
                for sentence in article.sentences:
                    text = normalise(sentence.text).lower()
                    texts.append(sentence.text)
                    gold.append(int(any(t in text for t in terms)))
    return texts, gold


class GeneratorJudge:
    def __init__(self) -> None:
        import torch

        self.torch = torch
        self.generator = load_generator(Settings().models, default_cache_dir(), max_new_tokens=1)
        encode = self.generator.tokenizer.encode
        self.yes = [encode(w, add_special_tokens=False)[-1] for w in (" yes", "yes", "Yes")]
        self.no = [encode(w, add_special_tokens=False)[-1] for w in (" no", "no", "No")]

    def __call__(self, sentence: str) -> float:
        inputs = self.generator._prompt_inputs(PROMPT.format(sentence=sentence))
        with self.torch.no_grad():
            logits = self.generator.model(**inputs).logits[0, -1].float()
        logp = self.torch.log_softmax(logits, -1)
        return float(self.torch.logsumexp(logp[self.yes], 0) - self.torch.logsumexp(logp[self.no], 0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labels", nargs="+", type=Path)
    parser.add_argument("--no-generator", action="store_true")
    args = parser.parse_args()
    texts, gold = labelled_sentences(args.labels)
    lexicon = [len(markers(t).words()) for t in texts]
    with_word = sum(1 for g, n in zip(gold, lexicon) if g and n)
    print(f"{len(texts)} sentences, {sum(gold)} carry a labelled framing")
    print(f"lexicon: AUC {roc_auc_score(gold, lexicon):.2f}; {with_word}/{sum(gold)} framing sentences "
          f"have a lexicon word")
    if not args.no_generator:
        judge, started = GeneratorJudge(), time.perf_counter()
        scores = [judge(t) for t in texts]
        print(f"generator judge: AUC {roc_auc_score(gold, scores):.2f} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
