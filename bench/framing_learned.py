"""A learned scorer of loaded words for the framing detector (issue 18, second session): does it
find the loaded sentences that no lexicon lists ("deniers", "partisanship-addled", "cloudier")?

The model: logistic regression on the packaged all-MiniLM-L6-v2 vector of a single word. Labels come
from the lexicons of ../shared/data/lexicons/, read here and never shipped: positive, the MPQA strongly
subjective clues (Wilson, Wiebe and Hoffmann 2005; GPL) and the 654 bias lemmas of Recasens et al.
(2013); negative, the other words of the 8,000 most common in the AllSides train articles
(allsides_roundup_train.source) that no subjectivity or bias list names and that occur in at least 3
train clusters. Five-fold cross-validated AUC on these labels is printed.

The detector then runs with `pipeline.diverge.framing.LOADED_WORD_SCORE` set to the model (a word of
one aligned sentence that the other article never uses, lower-case, outside quotations, scoring at
least the threshold marks the sentence loaded), for each threshold, on each label set: framing
precision / recall as bench/divergence.py counts them, and "words right": of the framing items that
match a gold item, how many show a gold term among their marked words (the benchmark also counts an
item whose sentence merely contains a gold term).

    PYTHONPATH=. HF_HUB_OFFLINE=1 /work/main/.venv/bin/python bench/framing_learned.py \\
        --sets divergence_labels.jsonl divergence_labels_heldout.jsonl --save /tmp/loaded_words.txt

`--save` writes the 384 weights and the bias with a header naming the data they were fitted on.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_predict

from bench.divergence import DATA, item_text, load_models
from bench.framing_lexicons import framing_cell, prepare_sets
from pipeline.config import Settings
from pipeline.diverge import find_divergences, framing
from pipeline.models.loaders import ModelBundle
from pipeline.nlp.lexicons import read_clues, read_list

LEXICONS = DATA / "lexicons"
TRAIN = DATA / "allsides_roundup_train.source"
THRESHOLDS = (1.5, 2.0, 2.5)  # 2.0 was chosen on the tuning set


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+(?:-[a-z]+)*", text.lower())


def training_words() -> tuple[list[str], np.ndarray]:
    """Words and labels: 1 for a strongly subjective clue or a bias lemma, 0 for a common train word no
    subjectivity or bias list names."""
    clues = read_clues(LEXICONS / "subjclueslen1-HLTEMNLP05.tff")
    strong = {w for w, kind, *_ in clues if kind == "strongsubj" and " " not in w}
    listed = {w for w, *_ in clues} | set(read_list(LEXICONS / "bias-lexicon.txt"))
    loaded = strong | {w for w in read_list(LEXICONS / "bias-lexicon.txt") if " " not in w}
    df: Counter[str] = Counter()
    for line in TRAIN.read_text(encoding="utf-8").splitlines():
        df.update(set(_words(line)))
    plain = {w for w, n in df.most_common(8000) if n >= 3 and w not in listed}
    words = sorted(w for w in loaded | plain if len(w) > 2)
    return words, np.array([int(w in loaded) for w in words])


def _unit(models: ModelBundle, words: list[str]) -> np.ndarray:
    vectors = np.asarray(models.embedder.embed(words), dtype=np.float64)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def fit(models: ModelBundle) -> tuple[np.ndarray, float]:
    words, labels = training_words()
    x = _unit(models, words)
    model = LogisticRegression(C=1.0, max_iter=3000, class_weight="balanced")
    cv = cross_val_predict(model, x, labels, cv=5, method="decision_function")
    print(f"{len(words)} training words, {labels.sum()} loaded; cross-validated AUC {roc_auc_score(labels, cv):.3f}")
    model.fit(x, labels)
    return model.coef_[0], float(model.intercept_[0])


def words_right(stories, cfg) -> str:
    """Framing items matching a gold item by its terms: how many mark a gold term as their words."""
    right = matched = 0
    for gold, articles, vectors in stories:
        terms = [t.lower() for g in gold["items"] if g["kind"] == "framing" for t in g["terms"]]
        for item in find_divergences(articles, vectors, cfg):
            if item.kind != "framing" or not any(t in item_text(item) for t in terms):
                continue
            matched += 1
            marked = [w.lower() for p in item.positions for w in p.words]
            right += any(t in w or w in t for t in terms for w in marked)
    return f"{right}/{matched}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=["divergence_labels.jsonl"], help="label files in bench/")
    parser.add_argument("--save", type=Path, help="write the fitted weights here")
    args = parser.parse_args()
    models = load_models()
    weights, bias = fit(models)
    if args.save:
        np.savetxt(args.save, np.r_[weights, bias], fmt="%.6f", header=(
            "Loaded-word scorer: logistic regression weights (384) then bias, on L2-normalised all-MiniLM-L6-v2 "
            "word vectors. Fitted by bench/framing_learned.py; labels: MPQA strong subjective clues (Wilson, Wiebe "
            "and Hoffmann 2005) and Recasens et al. 2013 bias lemmas against common AllSides train words."))
    cfg = Settings().divergence
    prepared = prepare_sets(args.sets, models)
    vocabulary = sorted({w for stories in prepared.values() for _, articles, _ in stories
                         for a in articles for s in a.sentences for w in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)*", s.text)
                         if w.islower()})
    scores = dict(zip(vocabulary, _unit(models, vocabulary) @ weights + bias))
    print("| learned scorer | " + " | ".join(f"{Path(n).stem} framing P / R (words right)" for n in args.sets) + " |")
    print("|---|" + "---|" * len(args.sets))
    for threshold in (None, *THRESHOLDS):
        framing.LOADED_WORD_SCORE = None if threshold is None else (lambda w: float(scores.get(w, -99.0)))
        framing.LOADED_WORD_MIN = threshold or 0.0
        cells = [f"{framing_cell(prepared[n], cfg)} ({words_right(prepared[n], cfg)})" for n in args.sets]
        print(f"| {'off (shipped)' if threshold is None else f'on, score >= {threshold}'} | " + " | ".join(cells) + " |")
    framing.LOADED_WORD_SCORE = None


if __name__ == "__main__":
    main()
