"""Peers measured beside the system on the same clusters and budget: lead, LexRank (sumy) and
the raw generator (no guard)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from ..config import Budget
from ..digest.generate import summarise_long
from ..domain import Article
from ..ingest.clean import clean_body
from ..models.loaders import ModelBundle

PEERS = ("lead", "lexrank", "generator")
DEFAULT_PEERS = ("lead", "lexrank")


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
    text = summarise_long([clean_body(d) for d in documents], models.generator, max_words)
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
