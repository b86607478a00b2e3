"""Real generators on transformers: causal instruction models and seq2seq summarisers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

# Changing a prompt? Bump PROMPT_VERSION in base.py so cached generations are redone.
_REWRITE_PROMPT = (
    "Rewrite the text below as one short, plain news sentence. Use only facts, names and "
    "numbers that appear in the text. Do not add anything.\n\nText: {text}"
)
_SUMMARISE_PROMPT = (
    "Summarise the news text below in at most {words} words. Use only facts, names and "
    "numbers that appear in the text.\n\nText: {text}"
)


class _TransformersGenerator:
    """Shared decoding: greedy (deterministic, so runs are idempotent) with a token cap."""

    def __init__(self, name: str, model: Any, tokenizer: Any, max_new_tokens: int) -> None:
        self.name = name
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.max_new_tokens = max_new_tokens
        limit = getattr(model.config, "max_position_embeddings", None) or 1024
        # Leave room for the prompt template and the answer.
        self.max_input_tokens = max(16, min(limit, 4096) - max_new_tokens - 64)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def _decode_new(self, inputs: dict[str, torch.Tensor], max_new_tokens: int) -> str:
        with torch.inference_mode():
            out = self.model.generate(
                **inputs, max_new_tokens=max_new_tokens, do_sample=False,
                repetition_penalty=1.1, pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
            )
        start = 0 if self.model.config.is_encoder_decoder else inputs["input_ids"].shape[1]
        return self.tokenizer.decode(out[0, start:], skip_special_tokens=True).strip()

    def _token_cap(self, max_words: int) -> int:
        # About 1.4 tokens a word in English news, plus slack to end the sentence.
        return min(self.max_new_tokens, int(max_words * 1.6) + 8)


class CausalGenerator(_TransformersGenerator):
    def _prompt_inputs(self, prompt: str) -> dict[str, torch.Tensor]:
        if getattr(self.tokenizer, "chat_template", None):
            return self.tokenizer.apply_chat_template(
                [{"role": "user", "content": prompt}], add_generation_prompt=True,
                return_tensors="pt", return_dict=True,
            )
        return self.tokenizer(prompt + "\n\nAnswer:", return_tensors="pt")

    def rewrite(self, sentences: Sequence[str], max_words: int) -> str:
        prompt = _REWRITE_PROMPT.format(text=" ".join(sentences))
        return self._decode_new(self._prompt_inputs(prompt), self._token_cap(max_words))

    def summarise(self, text: str, max_words: int) -> str:
        prompt = _SUMMARISE_PROMPT.format(words=max_words, text=text)
        return self._decode_new(self._prompt_inputs(prompt), self._token_cap(max_words))


class Seq2SeqGenerator(_TransformersGenerator):
    """Summarisers such as BART or PEGASUS read the text itself, no instruction."""

    def _inputs(self, text: str) -> dict[str, torch.Tensor]:
        return self.tokenizer(text, return_tensors="pt", truncation=False)

    def rewrite(self, sentences: Sequence[str], max_words: int) -> str:
        return self._decode_new(self._inputs(" ".join(sentences)), self._token_cap(max_words))

    def summarise(self, text: str, max_words: int) -> str:
        return self._decode_new(self._inputs(text), self._token_cap(max_words))
