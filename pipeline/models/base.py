"""What the core needs from models, and nothing more: tests swap in fakes here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

# Bump when a generator prompt changes: cached generations keyed on it become stale.
# It lives here, not beside the prompts, so that reading it never imports torch.
PROMPT_VERSION = "1"


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per text (so a dot product is a cosine)."""
        ...


class Generator(Protocol):
    name: str
    # Longest input, in the model's own tokens, that one call may take.
    max_input_tokens: int

    def count_tokens(self, text: str) -> int: ...

    def rewrite(self, sentences: Sequence[str], max_words: int) -> str:
        """One sentence that says what `sentences` say, shorter, in plain words."""
        ...

    def rewrite_batch(self, requests: Sequence[Sequence[str]], max_words: Sequence[int], batch_size: int = 8) -> list[str]:
        """`rewrite` of each request, `batch_size` at a time where the model can batch."""
        ...

    def summarise(self, text: str, max_words: int) -> str:
        """A summary of `text` of about `max_words` words."""
        ...
