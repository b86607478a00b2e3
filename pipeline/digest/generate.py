"""Generated digests: hybrid rewriting of extractive sentences and abstractive summaries, each
generated sentence kept only if the guard finds its facts in the sentences it cites."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..config import Budget, SummaryConfig
from ..domain import Article, Digest, DigestSentence
from . import guard
from .pool import SAME_CLAIM, Pool
from .select import extractive

if TYPE_CHECKING:
    from spacy.language import Language

    from ..models import Embedder, Generator


def hybrid(
    pool: Pool, budget: Budget, cfg: SummaryConfig, keep_source_order: bool,
    generator: Generator, embedder: Embedder, nlp: Language,
) -> Digest:
    """The extractive digest, each sentence rewritten by the generator where the guard allows."""
    return rewrite_guarded([extractive(pool, budget, cfg, keep_source_order)], cfg, generator, embedder, nlp)[0]


def rewrite_guarded(
    digests: Sequence[Digest], cfg: SummaryConfig, generator: Generator, embedder: Embedder, nlp: Language,
) -> list[Digest]:
    """Each long enough sentence of each digest rewritten, all in shared generator batches;
    a rewrite stands only if it is acceptable and the guard finds all its facts in its source."""
    todo = [(d, i) for d, digest in enumerate(digests) for i, s in enumerate(digest.sentences)
            if len(s.text.split()) >= cfg.rewrite_min_words]
    sources = [digests[d].sentences[i] for d, i in todo]
    replies = generator.rewrite_batch(
        [[s.text] for s in sources], [len(s.text.split()) for s in sources], batch_size=cfg.generator_batch,
    ) if todo else []
    out = [list(digest.sentences) for digest in digests]
    rejected = [0] * len(digests)
    for (d, i), source, reply in zip(todo, sources, replies):
        candidate = first_sentence(reply, nlp)
        if _acceptable(candidate, source.text, embedder) and guard.check(candidate, [source.text], nlp).ok:
            out[d][i] = DigestSentence(candidate, source.citations, "generated")
        else:
            rejected[d] += 1
    return [Digest(tuple(sentences), rejected=r) for sentences, r in zip(out, rejected)]


def abstractive(
    articles: Sequence[Article], pool: Pool, budget: Budget, cfg: SummaryConfig,
    generator: Generator, embedder: Embedder, nlp: Language,
) -> Digest:
    """The generator reads the articles (in chunks that fit its context); the guard vets each sentence."""
    text = summarise_long([a.body for a in articles], generator, budget.max_words)
    generated = [s.text.strip() for s in nlp(text).sents if s.text.strip()]
    if not generated or not pool.sentences:
        return extractive(pool, budget, cfg, keep_source_order=len(articles) == 1)
    sims = embedder.embed(generated) @ pool.vectors.T
    out: list[DigestSentence] = []
    used: set[int] = set()
    rejected = 0
    words = 0
    for row, sentence in zip(sims, generated):
        cited = [int(i) for i in np.argsort(-row)[:2]]
        if row[cited[0]] >= SAME_CLAIM and guard.check(sentence, [pool.sentences[i].text for i in cited], nlp).ok:
            item = DigestSentence(sentence, tuple(pool.citation(i) for i in cited), "generated")
        else:
            rejected += 1
            if cited[0] in used:
                continue
            item = DigestSentence(pool.sentences[cited[0]].text, (pool.citation(cited[0]),), "extractive")
        n = len(item.text.split())
        if len(out) >= budget.max_sentences or words + n > budget.max_words:
            break
        used.update(c for c in cited[:1])
        out.append(item)
        words += n
    return Digest(tuple(out), rejected=rejected)


def summarise_long(texts: Sequence[str], generator: Generator, max_words: int, depth: int = 0) -> str:
    """Map-reduce over chunks that fit the model's context: never silently truncate."""
    chunks = chunk_texts(texts, generator)
    if len(chunks) == 1 or depth >= 3:
        return " ".join(generator.summarise(c, max_words) for c in chunks)
    partials = [generator.summarise(c, max_words) for c in chunks]
    return summarise_long(partials, generator, max_words, depth + 1)


def chunk_texts(texts: Sequence[str], generator: Generator) -> list[str]:
    """Group paragraphs into chunks under the model's input limit; split long paragraphs by sentence."""
    limit = generator.max_input_tokens
    pieces: list[str] = []
    for text in texts:
        for para in (p for p in text.split("\n") if p.strip()):
            if generator.count_tokens(para) <= limit:
                pieces.append(para)
            else:
                pieces.extend(_split_long(para, generator, limit))
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for piece in pieces:
        n = generator.count_tokens(piece)
        if current and size + n > limit:
            chunks.append("\n".join(current))
            current, size = [], 0
        current.append(piece)
        size += n
    if current:
        chunks.append("\n".join(current))
    return chunks or [""]


def _split_long(para: str, generator: Generator, limit: int) -> list[str]:
    words, out, current = para.split(), [], []
    for word in words:
        current.append(word)
        if generator.count_tokens(" ".join(current)) > limit:
            current.pop()
            out.append(" ".join(current))
            current = [word]
    if current:
        out.append(" ".join(current))
    return out


_PREAMBLE = re.compile(r"^(here is|here's|sure|rewritten|summary|answer|sentence)[^:]{0,60}:\s*", re.I)


def first_sentence(text: str, nlp: Language) -> str:
    """The model's answer as one clean, finished sentence, without chatty preambles or quotes."""
    lines = [line.strip() for line in text.strip().split("\n") if line.strip()]
    if lines and _PREAMBLE.match(lines[0]) and not _PREAMBLE.sub("", lines[0]).strip():
        lines = lines[1:]  # "Here is the rewritten sentence:" on a line of its own
    text = _PREAMBLE.sub("", lines[0]).strip().strip('"').strip() if lines else ""
    sentences = [s.text.strip() for s in nlp(text).sents] if text else []
    first = sentences[0] if sentences else ""
    return first if re.search(r"[.!?][\"'”’)]?$", first) else ""


# A rewrite must keep the meaning of its source: below this cosine it says something else.
_SAME_MEANING = 0.8


def _acceptable(candidate: str, source: str, embedder: Embedder) -> bool:
    """A real sentence, no longer than what it replaces, and still saying the same thing."""
    n = len(candidate.split())
    if not (5 <= n <= len(source.split()) and candidate[0].isupper()):
        return False
    vectors = embedder.embed([candidate, source])
    return float(vectors[0] @ vectors[1]) >= _SAME_MEANING
