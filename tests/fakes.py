"""Test doubles for the model seam: deterministic, fast, and they record what they were asked."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np


class FakeEmbedder:
    """Bag-of-words vectors hashed into a fixed space: shared words mean higher cosine."""

    name = "fake-embedder"

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out


class FakeGenerator:
    """Replies from a queue (or echoes the input when empty) and records every request."""

    name = "fake-generator"

    def __init__(self, replies: Sequence[str] = (), max_input_tokens: int = 10_000) -> None:
        self.replies = list(replies)
        self.max_input_tokens = max_input_tokens
        self.rewrites: list[list[str]] = []
        self.summaries: list[str] = []
        self.batches: list[int] = []  # size of each rewrite_batch request

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def rewrite(self, sentences: Sequence[str], max_words: int) -> str:
        self.rewrites.append(list(sentences))
        return self.replies.pop(0) if self.replies else " ".join(sentences)

    def rewrite_batch(self, requests: Sequence[Sequence[str]], max_words: Sequence[int], batch_size: int = 8) -> list[str]:
        self.batches.append(len(requests))
        return [self.rewrite(sentences, words) for sentences, words in zip(requests, max_words)]

    def summarise(self, text: str, max_words: int) -> str:
        self.summaries.append(text)
        return self.replies.pop(0) if self.replies else " ".join(text.split()[:max_words])
