"""`newsdigest eval`: score story digests against reference summaries, beside simple peers.

A dataset is a list of story clusters, each with a reference summary. Three formats are
read (all through `datasets`, in memory, with a throw-away cache folder):

* Multi-News CSV: `documents` (a Python-list literal of article strings, or the older
  `|||||`-separated string) and `summary` (starts with "– ");
* AllSides roundup pairs `X.source` + `X.target`: one cluster a line, source items
  `TITLE=> ... ARTICLE=> ...` joined by ` [SEP] `; the target is the editors' roundup;
* JSON lines of `{"documents": [...], "summary": "..."}`.

Each cluster goes through exactly the `summarise` code path for a merged story digest
(`run.articles_from_texts` + `run.story_digest`). Peers get the same clusters and the
same budget on each: `lead` (round-robin first sentences), `lexrank` (sumy) and
`generator` (the raw generator over all the articles, no guard).
"""

from __future__ import annotations

import ast
import json
import math
import os
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import guard, summarise
from .config import Budget, Settings
from .errors import ConfigError, NoUsableInputError
from .models.loaders import ModelBundle, apply_offline_policy, default_cache_dir, load_bundle
from .records import Article, Digest
from .run import articles_from_texts, story_digest
from .text import clean_body

if TYPE_CHECKING:
    from spacy.language import Language

Progress = Callable[[int, int], None]
Log = Callable[[str], None]

PEERS = ("lead", "lexrank", "generator")
DEFAULT_PEERS = ("lead", "lexrank")
ROUGE_KEYS = ("rouge1", "rouge2", "rougeL")
BOOTSTRAP_RESAMPLES = 1000
_EXAMPLES = 5  # unsupported facts quoted in the result, so a non-zero count can be checked
_SEP_OLD = "|||||"
_ALLSIDES_ITEM = re.compile(r"TITLE=>\s*(?P<title>.*?)\s*ARTICLE=>\s*(?P<body>.*)", re.S)


@dataclass(frozen=True)
class Cluster:
    documents: tuple[str, ...]
    reference: str


@dataclass
class _Scores:
    """Per-cluster numbers of one system or peer."""

    rouge: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in ROUGE_KEYS})
    unsupported: int = 0
    examples: list[str] = field(default_factory=list)
    generated: int = 0
    rejected: int = 0
    words: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


# --- datasets --------------------------------------------------------------

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


# --- scoring ---------------------------------------------------------------

def rouge_scores(prediction: str, reference: str, scorer: Any = None) -> dict[str, float]:
    """ROUGE-1/2/L F1 x100 (rouge_score, Porter stemmer)."""
    if scorer is None:
        scorer = _scorer()
    scores = scorer.score(reference, prediction)
    return {k: 100.0 * scores[k].fmeasure for k in ROUGE_KEYS}


def _scorer() -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(list(ROUGE_KEYS), use_stemmer=True)


def bootstrap_ci(values: Sequence[float], resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean (fixed seed: runs are repeatable)."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    # Float noise must not put the mean outside a degenerate interval.
    mean = float(data.mean())
    return (min(float(lo), mean), max(float(hi), mean))


def source_sentences(documents: Sequence[str], articles: Sequence[Article], prefix: str) -> list[str]:
    """All the cluster's source text as sentences (spaCy's split, so "Liberia.They" is two words).

    Documents that `articles_from_texts` dropped (no eligible sentence) still count as source.
    """
    by_id = {a.id: a for a in articles}
    out: list[str] = []
    for i, doc in enumerate(documents):
        article = by_id.get(f"{prefix}{i}")
        out += [s.text for s in article.sentences] if article else [clean_body(doc)]
    return out


def unsupported_facts(sentences: Sequence[str], sources: Sequence[str], nlp: Language) -> list[str]:
    """Numbers, names and quotes in `sentences` that appear nowhere in the cluster's sources."""
    return [fact for s in sentences if s.strip() for fact in guard.unsupported_facts(s, sources, nlp)]


def count_unsupported(sentences: Sequence[str], sources: Sequence[str], nlp: Language) -> int:
    return len(unsupported_facts(sentences, sources, nlp))


# --- peers -----------------------------------------------------------------

def _eligible(articles: Sequence[Article]) -> list[list[str]]:
    return [[s.text for s in a.sentences if s.eligible] for a in articles]


def lead_peer(articles: Sequence[Article], budget: Budget) -> list[str]:
    """First sentences of each article in turn (round-robin), whole sentences, within the budget."""
    per_article = _eligible(articles)
    order = [doc[rank] for rank in range(max(map(len, per_article), default=0))
             for doc in per_article if rank < len(doc)]
    return _fill(order, budget)


def lexrank_peer(articles: Sequence[Article], budget: Budget) -> list[str]:
    """sumy's LexRank over every sentence, best first into the budget, then in source order.

    Sentences are our spaCy split; words a regex: nothing needs NLTK data downloads.
    """
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    tokenizer = _RegexTokenizer()
    document = ObjectDocumentModel([
        Paragraph([Sentence(text, tokenizer) for text in doc]) for doc in _eligible(articles) if doc
    ])
    if not document.sentences:
        return []
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")

    def within_budget(ranked):  # sumy passes SentenceInfo best first; it re-sorts our pick by order
        if any(math.isnan(info.rating) for info in ranked):
            # Too few sentences for IDF (every weight log(N/(1+n)) <= 0): no graph, so source order.
            ranked = sorted(ranked, key=lambda info: info.order)
        keep = set(_fill([str(info.sentence) for info in ranked], budget))
        picked = []
        for info in ranked:  # a sentence repeated across articles is picked once
            if str(info.sentence) in keep:
                keep.discard(str(info.sentence))
                picked.append(info)
        return picked

    with np.errstate(invalid="ignore", divide="ignore"):
        return [str(s) for s in summarizer(document, within_budget)]


class _RegexTokenizer:
    language = "english"
    _WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")

    def to_words(self, text: str) -> tuple[str, ...]:
        return tuple(self._WORD.findall(text))


def generator_peer(documents: Sequence[str], models: ModelBundle, max_words: int) -> str:
    """The raw generator over all the articles (chunked, nothing cut), no guard; cut at the budget."""
    text = summarise.summarise_long([clean_body(d) for d in documents], models.generator, max_words)
    return " ".join(text.split()[:max_words])


def _fill(candidates: Sequence[str], budget: Budget) -> list[str]:
    """Whole sentences in the given order, skipping any that would overrun the word budget."""
    chosen: list[str] = []
    words_left = budget.max_words
    for text in candidates:
        if len(chosen) >= budget.max_sentences:
            break
        n = len(text.split())
        if n <= words_left and text not in chosen:
            chosen.append(text)
            words_left -= n
    return chosen


# --- the run ---------------------------------------------------------------

def cluster_budget(settings: Settings, reference: str, words: int | None, match_reference_length: bool) -> Budget:
    """The story budget of one cluster: configured, --words N, or the reference's length."""
    configured = settings.summary.story
    if match_reference_length:
        n = _clamp_words(len(reference.split()))
        return Budget(max_sentences=min(50, max(6, n // 15)), max_words=n)
    if words is not None:
        n = _clamp_words(words)
        return Budget(max_sentences=min(50, max(configured.max_sentences, n // 15)), max_words=n)
    return configured


def _clamp_words(n: int) -> int:
    return max(5, min(2000, n))


def evaluate(
    path: Path | str,
    settings: Settings,
    limit: int | None = None,
    words: int | None = None,
    match_reference_length: bool = False,
    peers: Sequence[str] = DEFAULT_PEERS,
    models: ModelBundle | None = None,
    progress: Progress | None = None,
    log: Log = lambda _msg: None,
) -> dict[str, Any]:
    """Score the system (and peers) on every cluster of `path`; returns the result dict."""
    if words is not None and match_reference_length:
        raise ConfigError("use either --words or --match-reference-length, not both")
    if words is not None and not 5 <= words <= 2000:
        raise ConfigError(f"--words must be between 5 and 2000, got {words}")
    if limit is not None and limit < 1:
        raise ConfigError(f"--limit must be at least 1, got {limit}")
    unknown = [p for p in peers if p not in PEERS]
    if unknown:
        raise ConfigError(f"unknown peer(s) {', '.join(unknown)}; choose from {', '.join(PEERS)}")
    peers = list(dict.fromkeys(peers))

    started = time.perf_counter()
    fmt, clusters = load_clusters(path, limit)
    log(f"{len(clusters)} clusters from {path} ({fmt})")
    if models is None:
        apply_offline_policy(settings.models.allow_download)
        models = load_bundle(settings.models, default_cache_dir(), settings.summary.max_new_tokens)
    # Models load lazily on first use: load them all now, so cluster timings exclude loading.
    t0 = time.perf_counter()
    models.nlp, models.embedder  # noqa: B018
    if settings.summary.mode != "extractive" or "generator" in peers:
        models.generator  # noqa: B018
    load_s = time.perf_counter() - t0

    scorer = _scorer()
    system = _Scores()
    peer_scores = {p: _Scores() for p in peers}
    budgets, ref_words = [], []
    if progress:
        progress(0, len(clusters))
    for n, cluster in enumerate(clusters, 1):
        budget = cluster_budget(settings, cluster.reference, words, match_reference_length)
        budgets.append(budget)
        ref_words.append(len(cluster.reference.split()))
        t0 = time.perf_counter()
        articles = articles_from_texts(cluster.documents, models, prefix=f"c{n}d")
        analyse_s = time.perf_counter() - t0
        sources = source_sentences(cluster.documents, articles, prefix=f"c{n}d")
        digest = _system_digest(articles, settings, budget, models)
        system_s = time.perf_counter() - t0
        sentences = [s.text for s in digest.sentences]
        generated = sum(s.method == "generated" for s in digest.sentences)
        _record(system, sentences, cluster, sources, models.nlp, scorer, system_s,
                generated=generated, rejected=digest.rejected)

        for peer in peers:
            t1 = time.perf_counter()
            if peer == "lead":
                out = lead_peer(articles, budget)
            elif peer == "lexrank":
                out = lexrank_peer(articles, budget)
            else:
                text = generator_peer(cluster.documents, models, budget.max_words)
                out = [s.text.strip() for s in models.nlp(text).sents if s.text.strip()]
            # lead and lexrank need the sentence split the system made: count it in their time.
            own_s = time.perf_counter() - t1 + (analyse_s if peer != "generator" else 0.0)
            _record(peer_scores[peer], out, cluster, sources, models.nlp, scorer, own_s)
        if progress:
            progress(n, len(clusters))

    return {
        "dataset": str(path),
        "format": fmt,
        "n": len(clusters),
        "mode": settings.summary.mode,
        "budget": _budget_summary(budgets, settings, words, match_reference_length),
        "reference_words": _mean(ref_words),
        "models": {
            "embedder": models.embedder.name,
            "generator": settings.models.generator
            if settings.summary.mode != "extractive" or "generator" in peers else None,
            "ner": settings.models.ner,
        },
        "system": _summary(system),
        "peers": {p: _summary(peer_scores[p]) for p in peers},
        "load_models_s": round(load_s, 2),
        "total_s": round(time.perf_counter() - started, 2),
    }


def _system_digest(articles: list[Article], settings: Settings, budget: Budget, models: ModelBundle) -> Digest:
    if not articles:
        return Digest(())
    cluster_settings = settings.model_copy(deep=True)
    cluster_settings.summary.story = budget
    return story_digest(articles, cluster_settings, models)


def _record(
    scores: _Scores, sentences: Sequence[str], cluster: Cluster, sources: Sequence[str],
    nlp: Language, scorer: Any, seconds: float, generated: int = 0, rejected: int = 0,
) -> None:
    text = " ".join(sentences)
    for key, value in rouge_scores(text, cluster.reference, scorer).items():
        scores.rouge[key].append(value)
    facts = unsupported_facts(sentences, sources, nlp)
    scores.unsupported += len(facts)
    scores.examples += facts[:_EXAMPLES - len(scores.examples)]
    scores.generated += generated
    scores.rejected += rejected
    scores.words.append(len(text.split()))
    scores.seconds.append(seconds)


def _summary(scores: _Scores) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ROUGE_KEYS:
        out[key] = round(_mean(scores.rouge[key]), 2)
    for key in ROUGE_KEYS:
        out[f"{key}_ci"] = [round(v, 2) for v in bootstrap_ci(scores.rouge[key])]
    attempted = scores.generated + scores.rejected
    s_per_cluster = _mean(scores.seconds)
    out.update(
        unsupported=scores.unsupported,
        unsupported_examples=scores.examples,
        # Share of generated sentences the guard replaced by their source (None: nothing generated).
        guard_replaced=round(scores.rejected / attempted, 3) if attempted else None,
        words=round(_mean(scores.words), 1),
        s_per_cluster=round(s_per_cluster, 3),
        clusters_per_min=round(60.0 / s_per_cluster, 1) if s_per_cluster > 0 else None,
    )
    return out


def _budget_summary(budgets: list[Budget], settings: Settings, words: int | None, match: bool) -> dict[str, Any]:
    if match:
        rule = "reference length (max_sentences = max(6, words // 15))"
    elif words is not None:
        rule = f"{words} words"
    else:
        rule = "configured story budget"
    return {
        "rule": rule,
        "max_words_mean": round(_mean([b.max_words for b in budgets]), 1),
        "max_sentences_mean": round(_mean([b.max_sentences for b in budgets]), 1),
    }


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if len(values) else 0.0


# --- report ----------------------------------------------------------------

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
        lines += [f"Unsupported facts flagged in {name} (up to {_EXAMPLES} shown): "
                  + ", ".join(f"`{fact}`" for fact in r["unsupported_examples"]) for name, r in flagged]
    return "\n".join(lines) + "\n"


def render_json(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=2)
