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

    _special_tokens: bool = True  # whether the tokenizer adds BOS/EOS around an input

    def _rewrite_text(self, sentences: Sequence[str]) -> str:
        raise NotImplementedError

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
        return self._generate(inputs, max_new_tokens)[0]

    def _generate(self, inputs: dict[str, torch.Tensor], max_new_tokens: int) -> list[str]:
        inputs = {k: v.to(self.model.device) for k, v in inputs.items()}
        with torch.inference_mode():
            out = self.model.generate(
                **inputs, max_new_tokens=max_new_tokens, do_sample=False,
                repetition_penalty=1.1, pad_token_id=self._pad_id(),
            )
        start = 0 if self.model.config.is_encoder_decoder else inputs["input_ids"].shape[1]
        return [text.strip() for text in self.tokenizer.batch_decode(out[:, start:], skip_special_tokens=True)]

    def _pad_id(self) -> int:
        return self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id

    def rewrite(self, sentences: Sequence[str], max_words: int) -> str:
        return self.rewrite_batch([sentences], [max_words], batch_size=1)[0]

    def rewrite_batch(self, requests: Sequence[Sequence[str]], max_words: Sequence[int], batch_size: int = 8) -> list[str]:
        """`rewrite` for many requests, `batch_size` per generate() call, similar lengths together
        so that little of each batch is padding."""
        texts = [self._rewrite_text(sentences) for sentences in requests]
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = [""] * len(texts)
        for start in range(0, len(order), batch_size):
            group = order[start:start + batch_size]
            cap = max(self._token_cap(max_words[i]) for i in group)
            for i, reply in zip(group, self._generate(self._batch_inputs([texts[i] for i in group]), cap)):
                out[i] = reply
        return out

    def _batch_inputs(self, texts: list[str]) -> dict[str, torch.Tensor]:
        # Decoder-only models continue from the last position: pad on the left.
        self.tokenizer.padding_side = "right" if self.model.config.is_encoder_decoder else "left"
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        return self.tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=self._special_tokens)

    def _token_cap(self, max_words: int) -> int:
        # About 1.4 tokens a word in English news, plus slack to end the sentence.
        return min(self.max_new_tokens, int(max_words * 1.6) + 8)


class CausalGenerator(_TransformersGenerator):
    @property
    def _special_tokens(self) -> bool:
        # A chat template already writes the special tokens the model expects.
        return not getattr(self.tokenizer, "chat_template", None)

    def _prompt_text(self, prompt: str) -> str:
        if getattr(self.tokenizer, "chat_template", None):
            return self.tokenizer.apply_chat_template(
                [{"role": "user", "content": prompt}], add_generation_prompt=True, tokenize=False,
            )
        return prompt + "\n\nAnswer:"

    def _prompt_inputs(self, prompt: str) -> dict[str, torch.Tensor]:
        return self.tokenizer(self._prompt_text(prompt), return_tensors="pt", add_special_tokens=self._special_tokens)

    def _rewrite_text(self, sentences: Sequence[str]) -> str:
        return self._prompt_text(_REWRITE_PROMPT.format(text=" ".join(sentences)))

    def summarise(self, text: str, max_words: int) -> str:
        prompt = _SUMMARISE_PROMPT.format(words=max_words, text=text)
        return self._decode_new(self._prompt_inputs(prompt), self._token_cap(max_words))


class Seq2SeqGenerator(_TransformersGenerator):
    """Summarisers such as BART or PEGASUS read the text itself, no instruction."""

    def _inputs(self, text: str) -> dict[str, torch.Tensor]:
        return self.tokenizer(text, return_tensors="pt", truncation=False)

    def _rewrite_text(self, sentences: Sequence[str]) -> str:
        return " ".join(sentences)

    def summarise(self, text: str, max_words: int) -> str:
        return self._decode_new(self._inputs(text), self._token_cap(max_words))
