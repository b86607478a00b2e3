"""Evaluation datasets: story clusters with reference summaries (Multi-News CSV, AllSides
roundup pairs, JSON lines), read through `datasets` offline, and turned into analysed articles
exactly as `summarise` reads files."""

from __future__ import annotations

import ast
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain import Article
from ..errors import ConfigError, NoUsableInputError
from ..ingest.clean import clean_body
from ..models.loaders import ModelBundle
from ..nlp.analyse import analyse

_SEP_OLD = "|||||"
_ALLSIDES_ITEM = re.compile(r"TITLE=>\s*(?P<title>.*?)\s*ARTICLE=>\s*(?P<body>.*)", re.S)


@dataclass(frozen=True)
class Cluster:
    documents: tuple[str, ...]
    reference: str


def detect_format(path: Path) -> str:
    """"multinews", "allsides" or "jsonl", from the name and, failing that, the first line."""
    if path.suffix in (".source", ".target") or (
        not path.exists() and path.with_name(path.name + ".source").is_file()
    ):
        return "allsides"
    if path.is_dir():
        raise ConfigError(f"{path} is a folder: eval needs a dataset file (.csv, .jsonl or X.source)")
    if not path.is_file():
        raise ConfigError(f"dataset not found: {path}")
    if path.suffix.lower() == ".csv":
        return "multinews"
    if path.suffix.lower() in (".jsonl", ".json"):
        return "jsonl"
    with open(path, encoding="utf-8", errors="replace") as fh:
        head = fh.readline(4096).lstrip("\ufeff").strip()
    if head.startswith("{"):
        return "jsonl"
    if head.replace(" ", "").startswith("documents,") or ",summary" in head:
        return "multinews"
    if head.startswith("TITLE=>") and path.with_suffix(".target").is_file():
        return "allsides"
    raise ConfigError(
        f"cannot tell the format of {path}: expected a Multi-News CSV (documents,summary), "
        "AllSides X.source + X.target, or JSON lines of {\"documents\": [...], \"summary\": ...}"
    )


def load_clusters(path: Path | str, limit: int | None = None) -> tuple[str, list[Cluster]]:
    """The dataset's format and its clusters (the first `limit` of them)."""
    path = Path(path)
    fmt = detect_format(path)
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    with tempfile.TemporaryDirectory(prefix="newsdigest-datasets-") as cache:
        try:
            if fmt == "multinews":
                ds = datasets.Dataset.from_csv(str(path), keep_in_memory=True, cache_dir=cache)
            elif fmt == "jsonl":
                ds = datasets.Dataset.from_json(str(path), keep_in_memory=True, cache_dir=cache)
            else:
                source, target = _allsides_pair(path)
                ds = datasets.Dataset.from_generator(
                    _allsides_rows, gen_kwargs={"source": str(source), "target": str(target)},
                    keep_in_memory=True, cache_dir=cache,
                )
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001 - any parse failure is a bad dataset file
            cause = exc.__cause__ or exc
            if isinstance(cause, ConfigError):
                raise cause from None
            raise ConfigError(f"cannot read {path} as {fmt}: {type(cause).__name__}: {cause}") from None
    missing = {"documents", "summary"} - set(ds.column_names)
    if missing:
        raise ConfigError(f"{path} ({fmt}) lacks the column(s) {', '.join(sorted(missing))}")
    if limit is not None:
        ds = ds.select(range(min(limit, len(ds))))
    clusters = []
    for i, row in enumerate(ds):
        docs = _documents(row["documents"], f"{path} row {i + 1}")
        clusters.append(Cluster(tuple(docs), _reference(row["summary"] or "")))
    if not clusters:
        raise NoUsableInputError(f"no clusters in {path}")
    return fmt, clusters


def _allsides_pair(path: Path) -> tuple[Path, Path]:
    stem = path.with_suffix("") if path.suffix in (".source", ".target") else path
    source, target = stem.with_name(stem.name + ".source"), stem.with_name(stem.name + ".target")
    for p in (source, target):
        if not p.is_file():
            raise ConfigError(f"AllSides data needs both {source.name} and {target.name}: {p} not found")
    return source, target


def _allsides_rows(source: str, target: str):
    with open(source, encoding="utf-8") as src, open(target, encoding="utf-8") as tgt:
        src_lines, tgt_lines = src.read().splitlines(), tgt.read().splitlines()
    if len(src_lines) != len(tgt_lines):
        raise ConfigError(f"{source} has {len(src_lines)} lines but {target} has {len(tgt_lines)}")
    for line, ref in zip(src_lines, tgt_lines):
        # The title is a headline, not reporting (summarise drops a file's title line too).
        docs = [_allsides_item(item)[1] for item in line.split(" [SEP] ")]
        yield {"documents": [d for d in docs if d], "summary": _allsides_item(ref)[1]}


def _allsides_item(text: str) -> tuple[str, str]:
    match = _ALLSIDES_ITEM.match(text.strip())
    return (match["title"], match["body"].strip()) if match else ("", text.strip())


def _documents(value: Any, where: str) -> list[str]:
    """Multi-News `documents`: a list, a Python-list literal, or the older `|||||` string."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                raise ConfigError(f"{where}: documents is not a valid list literal") from None
        else:
            value = text.replace("NEWLINE_CHAR", "\n").split(_SEP_OLD)
    if not isinstance(value, (list, tuple)) or not all(isinstance(d, str) for d in value):
        raise ConfigError(f"{where}: documents must be a list of article strings")
    return [d.strip() for d in value if d and d.strip()]


def _reference(summary: str) -> str:
    return re.sub(r"^\s*[–—-]\s+", "", summary.strip())


def articles_from_texts(texts: Sequence[str], models: ModelBundle, prefix: str = "doc") -> list[Article]:
    """Articles from plain texts (datasets, tests): the same cleaning and analysis as files get."""
    bodies = [clean_body(t) for t in texts]
    analysed = analyse(bodies, models.nlp)
    return [
        Article(id=f"{prefix}{i}", title=body.split("\n", 1)[0][:80], path=f"<{prefix}{i}>", sha256="", body=body,
                sentences=sentences)
        for i, (body, sentences) in enumerate(zip(bodies, analysed))
        if any(s.eligible for s in sentences)
    ]
