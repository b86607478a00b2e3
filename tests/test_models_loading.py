"""The real model-loading code on tiny models built and saved by the tests themselves.

Nothing here is downloaded and nothing in transformers is mocked: each fixture builds a
random-weight model (a few hundred kB) plus a tokenizer trained on a few sentences, saves
them with `save_pretrained`, and the loaders read them back exactly as they would a real
checkpoint. The packaged SmolLM2 GGUF is too slow to de-quantise per test, so the GGUF
path is covered through its conversion cache with a dummy `.gguf` file.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pytest

from pipeline.config import ModelsConfig
from pipeline.errors import ModelUnavailableError
from pipeline.models import loaders
from pipeline.models.loaders import apply_offline_policy, converted_weights_dir, load_embedder, load_generator

MAX_NEW_TOKENS = 8
MAX_POSITIONS = 512

_CORPUS = [
    "the council approved the new budget on monday",
    "the mayor said the plan would cut costs by ten percent",
    "officials in the city confirmed the vote and the new rules",
    "rewrite the text below as one short plain news sentence",
    "use only facts names and numbers that appear in the text do not add anything",
    "summarise the news text below in at most words",
    "text answer user assistant",
    "a storm hit the coast and thousands lost power",
]
_SPECIALS = ["<pad>", "<unk>", "<s>", "</s>", "[CLS]", "[SEP]"]
_CHAT_TEMPLATE = (
    "{% for message in messages %}<s> {{ message['role'] }} {{ message['content'] }} </s> "
    "{% endfor %}{% if add_generation_prompt %}<s> assistant {% endif %}"
)

_ARTICLE = (
    "The council approved the new budget on Monday. The mayor said the plan would cut "
    "costs by ten percent. Officials in the city confirmed the vote."
)


def _tokenizer(chat_template: str | None = None):
    """A word-level fast tokenizer trained on a few sentences: no download needed."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(_CORPUS, trainers.WordLevelTrainer(special_tokens=_SPECIALS))
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>", bos_token="<s>",
        eos_token="</s>", cls_token="[CLS]", sep_token="[SEP]", model_max_length=MAX_POSITIONS,
    )
    if chat_template:
        fast.chat_template = chat_template
    return fast


def _save_tiny_causal(path: Path, chat_template: str | None = _CHAT_TEMPLATE) -> Path:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tokenizer = _tokenizer(chat_template)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=2, intermediate_size=64, max_position_embeddings=MAX_POSITIONS,
        pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def tiny_causal(tmp_path_factory) -> Path:
    return _save_tiny_causal(tmp_path_factory.mktemp("models") / "tiny-causal")


@pytest.fixture(scope="module")
def tiny_causal_no_template(tmp_path_factory) -> Path:
    return _save_tiny_causal(tmp_path_factory.mktemp("models") / "tiny-causal-plain", None)


def save_tiny_seq2seq(path: Path) -> Path:
    """A random-weight BART summariser and its tokenizer saved to `path` (also used by
    tests/test_readme_promises.py for abstractive mode end to end)."""
    import torch
    from transformers import BartConfig, BartForConditionalGeneration

    tokenizer = _tokenizer()
    config = BartConfig(
        vocab_size=len(tokenizer), d_model=32, encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
        decoder_ffn_dim=64, max_position_embeddings=MAX_POSITIONS,
        pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=tokenizer.eos_token_id,
        forced_eos_token_id=tokenizer.eos_token_id,
    )
    torch.manual_seed(0)
    model = BartForConditionalGeneration(config)
    # Real summarisers ship a minimum length in their generation config (bart-large-cnn: 56);
    # without one this random-weight model ends every answer at once, and an empty answer
    # would hide whether decoding works.
    model.generation_config.min_new_tokens = 4
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def tiny_seq2seq(tmp_path_factory) -> Path:
    return save_tiny_seq2seq(tmp_path_factory.mktemp("models") / "tiny-seq2seq")


@pytest.fixture(scope="module")
def tiny_sentence_transformer(tmp_path_factory) -> Path:
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel

    try:  # sentence-transformers >= 6 moved the modules; the old path still works, with a warning
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:  # pragma: no cover - older sentence-transformers
        from sentence_transformers.models import Pooling, Transformer

    root = tmp_path_factory.mktemp("models")
    bert = root / "tiny-bert"
    tokenizer = _tokenizer()
    config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=MAX_POSITIONS,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    BertModel(config).save_pretrained(bert)
    tokenizer.save_pretrained(bert)

    transformer = Transformer(str(bert), max_seq_length=128)
    pooling = Pooling(_dim(transformer, "get_word_embedding_dimension"), pooling_mode="mean")
    target = root / "tiny-st"
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(target))
    return target


def _dim(module, old_name: str) -> int:
    # sentence-transformers 6 renamed the dimension getters to get_embedding_dimension.
    getter = getattr(module, "get_embedding_dimension", None) or getattr(module, old_name)
    return getter()


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")


def _assert_actionable(err: ModelUnavailableError, spec: str, role: str) -> None:
    message = str(err)
    assert "\n" not in message
    assert spec in message
    assert f"models.{role}" in message
    # A hub id can be fixed by allowing a download; a local path by checking it.
    is_path = spec.startswith(("/", ".", "~"))
    assert ("check the path" if is_path else "allow_download") in message


def _assert_answer(reply: str, gen) -> None:
    """A generator returns the model's new tokens decoded: words of its vocabulary, at most
    max_new_tokens of them (one word per token with this tokenizer), never the prompt echoed
    back and no special tokens."""
    words = reply.split()
    assert 1 <= len(words) <= gen.max_new_tokens, reply
    assert set(words) <= set(gen.tokenizer.get_vocab()) - set(_SPECIALS), reply


# --- generators ------------------------------------------------------------

def test_causal_auto_loads_and_generates(tiny_causal, tmp_path):
    from pipeline.models.generators import CausalGenerator

    cache = tmp_path / "cache"
    gen = load_generator(ModelsConfig(generator=str(tiny_causal)), cache, MAX_NEW_TOKENS)

    assert isinstance(gen, CausalGenerator)
    assert gen.name == str(tiny_causal)
    assert 0 < gen.max_input_tokens < gen.model.config.max_position_embeddings
    assert gen.count_tokens("the council approved the budget") == 5
    assert gen.count_tokens("") == 0
    # Chat-template path: the template is used for the prompt.
    assert gen.tokenizer.chat_template
    rewritten = gen.rewrite(["The council approved the budget.", "The mayor agreed."], max_words=20)
    summary = gen.summarise(_ARTICLE, max_words=20)
    _assert_answer(rewritten, gen)
    _assert_answer(summary, gen)
    # Greedy decoding: the same input gives the same output.
    assert gen.summarise(_ARTICLE, max_words=20) == summary
    # Loading a local folder writes nothing to the cache.
    assert not cache.exists()


@pytest.mark.parametrize("fixture", ["tiny_causal", "tiny_causal_no_template", "tiny_seq2seq"])
def test_rewrite_batch_answers_each_request_in_order(fixture, request, tmp_path):
    gen = load_generator(ModelsConfig(generator=str(request.getfixturevalue(fixture))), tmp_path, MAX_NEW_TOKENS)
    short, long = ["The mayor agreed."], ["The council approved the budget for the next year after a long debate."]
    requests = [long, short, long, short, short]
    replies = gen.rewrite_batch(requests, [12, 5, 12, 5, 5], batch_size=4)
    assert len(replies) == 5
    for reply in replies:
        _assert_answer(reply, gen)
    # Batches are sorted by length and padded, yet each reply lands at its own request and is
    # deterministic: equal requests in one call get equal replies.
    assert replies[0] == replies[2] and replies[1] == replies[3] == replies[4]
    # Left padding and the attention mask keep a padded request's answer what it is alone.
    assert gen.rewrite_batch(requests, [12, 5, 12, 5, 5], batch_size=1) == replies


def test_device_auto_is_the_gpu_when_torch_sees_one_else_the_cpu():
    import torch

    from pipeline.models.loaders import resolve_device

    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    if torch.cuda.is_available():
        assert resolve_device("cuda") == "cuda"
    else:
        with pytest.raises(ModelUnavailableError, match="models.device"):
            resolve_device("cuda")


def test_causal_without_chat_template_uses_plain_prompt(tiny_causal_no_template, tmp_path):
    from pipeline.models.generators import CausalGenerator

    gen = load_generator(
        ModelsConfig(generator=str(tiny_causal_no_template)), tmp_path, MAX_NEW_TOKENS
    )
    assert isinstance(gen, CausalGenerator)
    assert not getattr(gen.tokenizer, "chat_template", None)
    _assert_answer(gen.rewrite(["The council approved the budget."], max_words=10), gen)
    _assert_answer(gen.summarise(_ARTICLE, max_words=10), gen)


def test_seq2seq_auto_detected(tiny_seq2seq, tmp_path):
    from pipeline.models.generators import Seq2SeqGenerator

    gen = load_generator(ModelsConfig(generator=str(tiny_seq2seq)), tmp_path, MAX_NEW_TOKENS)

    assert isinstance(gen, Seq2SeqGenerator)
    assert gen.model.config.is_encoder_decoder
    assert 0 < gen.max_input_tokens < gen.model.config.max_position_embeddings
    _assert_answer(gen.summarise(_ARTICLE, max_words=20), gen)
    _assert_answer(gen.rewrite(["The council approved the budget."], max_words=10), gen)
    assert gen.count_tokens("the mayor said") == 3


def test_forced_causal_kind(tiny_causal, tmp_path):
    from pipeline.models.generators import CausalGenerator, Seq2SeqGenerator

    gen = load_generator(
        ModelsConfig(generator=str(tiny_causal), generator_kind="causal"), tmp_path, MAX_NEW_TOKENS
    )
    assert isinstance(gen, CausalGenerator)
    assert not isinstance(gen, Seq2SeqGenerator)
    _assert_answer(gen.summarise(_ARTICLE, max_words=10), gen)


def test_bfloat16_dtype(tiny_causal, tmp_path):
    import torch

    gen = load_generator(
        ModelsConfig(generator=str(tiny_causal), dtype="bfloat16"), tmp_path, MAX_NEW_TOKENS
    )
    assert gen.model.dtype == torch.bfloat16
    assert all(p.dtype == torch.bfloat16 for p in gen.model.parameters())
    _assert_answer(gen.rewrite(["The council approved the budget."], max_words=10), gen)


def test_float32_is_the_default_dtype(tiny_causal, tmp_path):
    import torch

    gen = load_generator(ModelsConfig(generator=str(tiny_causal)), tmp_path, MAX_NEW_TOKENS)
    assert gen.model.dtype == torch.float32


# --- missing models --------------------------------------------------------

def test_missing_hub_generator_is_actionable(offline, tmp_path):
    spec = "no-such-org/no-such-model"
    with pytest.raises(ModelUnavailableError) as info:
        load_generator(ModelsConfig(generator=spec), tmp_path, MAX_NEW_TOKENS)
    _assert_actionable(info.value, spec, "generator")


def test_missing_local_generator_folder_is_actionable(offline, tmp_path):
    spec = str(tmp_path / "does-not-exist")
    with pytest.raises(ModelUnavailableError) as info:
        load_generator(ModelsConfig(generator=spec), tmp_path, MAX_NEW_TOKENS)
    _assert_actionable(info.value, spec, "generator")


def test_missing_embedder_is_actionable(offline):
    with pytest.raises(ModelUnavailableError) as info:
        load_embedder("/nonexistent")
    _assert_actionable(info.value, "/nonexistent", "embedder")


# --- embeddings ------------------------------------------------------------

def test_embedder_rows_are_normalised(tiny_sentence_transformer):
    embedder = load_embedder(str(tiny_sentence_transformer))
    dim = _dim(embedder.model, "get_sentence_embedding_dimension")
    assert dim == 32
    texts = ["The council approved the budget.", "A storm hit the coast.", "the mayor said"]

    rows = embedder.embed(texts)

    assert embedder.name == str(tiny_sentence_transformer)
    assert rows.shape == (3, dim)
    assert rows.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(embedder.embed(texts), rows, atol=1e-6)


def test_bfloat16_embedder_gives_float32_rows_close_to_float32(tiny_sentence_transformer):
    import torch

    texts = ["The council approved the budget.", "A storm hit the coast.", "the mayor said"]
    full = load_embedder(str(tiny_sentence_transformer), dtype="float32")
    half = load_embedder(str(tiny_sentence_transformer), dtype="bfloat16")
    assert next(half.model.parameters()).dtype == torch.bfloat16
    assert next(full.model.parameters()).dtype == torch.float32
    rows = half.embed(texts)
    assert rows.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-2)
    assert np.min(np.sum(rows * full.embed(texts), axis=1)) > 0.98


def test_auto_embedder_dtype_follows_the_cpu(tiny_sentence_transformer):
    import torch

    auto = load_embedder(str(tiny_sentence_transformer), dtype="auto")
    expected = torch.bfloat16 if torch.ops.mkldnn._is_mkldnn_bf16_supported() else torch.float32
    assert next(auto.model.parameters()).dtype == expected


def test_embedder_empty_input(tiny_sentence_transformer):
    embedder = load_embedder(str(tiny_sentence_transformer))
    empty = embedder.embed([])
    assert empty.shape == (0, 32)
    assert empty.dtype == np.float32


# --- GGUF conversion cache -------------------------------------------------

@pytest.fixture
def dummy_gguf(tmp_path) -> Path:
    # Its own folder: the loader reads the GGUF's parent as the model location.
    folder = tmp_path / "gguf"
    folder.mkdir()
    path = folder / "Tiny-Model.Q4_1.gguf"
    path.write_bytes(b"not really a gguf file")
    return path


@pytest.fixture
def from_pretrained_calls(monkeypatch) -> list[dict]:
    """Records where the loader reads weights from; the real loading still runs."""
    calls: list[dict] = []
    real = loaders._from_pretrained

    def spy(location, dtype, **kwargs):
        calls.append({"location": Path(location), **kwargs})
        return real(location, dtype, **kwargs)

    monkeypatch.setattr(loaders, "_from_pretrained", spy)
    return calls


def test_converted_weights_dir_is_stable_and_tracks_the_file(dummy_gguf, tmp_path):
    cache = tmp_path / "cache"
    first = converted_weights_dir(dummy_gguf, cache)

    assert first == converted_weights_dir(dummy_gguf, cache)
    assert first.parent == cache / "models"
    assert first.name.startswith(dummy_gguf.stem + "-")
    assert converted_weights_dir(dummy_gguf, tmp_path / "other") != first

    # Same size, new mtime.
    stat = dummy_gguf.stat()
    os.utime(dummy_gguf, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after_touch = converted_weights_dir(dummy_gguf, cache)
    assert after_touch != first

    # New size, mtime put back to the touched value.
    stat = dummy_gguf.stat()
    dummy_gguf.write_bytes(b"not really a gguf file, longer")
    os.utime(dummy_gguf, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert converted_weights_dir(dummy_gguf, cache) not in (first, after_touch)


def test_gguf_loads_from_conversion_cache(dummy_gguf, tmp_path, from_pretrained_calls):
    from pipeline.models.generators import CausalGenerator

    cache = tmp_path / "cache"
    converted = converted_weights_dir(dummy_gguf, cache)
    _save_tiny_causal(converted)

    gen = load_generator(ModelsConfig(generator=str(dummy_gguf)), cache, MAX_NEW_TOKENS)

    assert isinstance(gen, CausalGenerator)
    assert gen.name == str(dummy_gguf)
    assert from_pretrained_calls == [{"location": converted}]  # the cached folder, never the GGUF
    _assert_answer(gen.summarise(_ARTICLE, max_words=10), gen)
    assert (converted / "config.json").is_file()  # a good cache entry is kept


def test_gguf_cache_in_bfloat16(dummy_gguf, tmp_path):
    import torch

    cache = tmp_path / "cache"
    _save_tiny_causal(converted_weights_dir(dummy_gguf, cache))
    gen = load_generator(
        ModelsConfig(generator=str(dummy_gguf), dtype="bfloat16"), cache, MAX_NEW_TOKENS
    )
    assert gen.model.dtype == torch.bfloat16


def test_corrupt_conversion_cache_is_dropped(dummy_gguf, tmp_path, caplog, from_pretrained_calls):
    cache = tmp_path / "cache"
    converted = converted_weights_dir(dummy_gguf, cache)
    _save_tiny_causal(converted)
    weights = list(converted.glob("*.safetensors"))
    assert weights
    for w in weights:
        w.write_bytes(b"garbage, not safetensors")

    with caplog.at_level(logging.WARNING, logger="pipeline.models.loaders"):
        with pytest.raises(ModelUnavailableError) as info:
            load_generator(ModelsConfig(generator=str(dummy_gguf)), cache, MAX_NEW_TOKENS)

    assert any("unreadable" in r.getMessage() and str(converted) in r.getMessage()
               for r in caplog.records if r.levelno == logging.WARNING)
    assert not converted.exists()  # the broken entry is gone
    # First the cache, then (after dropping it) the GGUF itself.
    assert from_pretrained_calls == [
        {"location": converted},
        {"location": dummy_gguf.parent, "gguf_file": dummy_gguf.name},
    ]
    _assert_actionable(info.value, str(dummy_gguf), "generator")
    # The dummy GGUF could not be converted, so nothing new was cached.
    assert not any(p.name.startswith(dummy_gguf.stem) for p in (cache / "models").iterdir())


# --- offline policy --------------------------------------------------------

def test_offline_policy_sets_offline(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_NO_ADVISORY_WARNINGS", raising=False)

    apply_offline_policy(False)

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["HF_DATASETS_OFFLINE"] == "1"


def test_download_allowed_leaves_env_alone(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)

    apply_offline_policy(True)

    assert "HF_HUB_OFFLINE" not in os.environ
    assert "HF_DATASETS_OFFLINE" not in os.environ


def test_thread_wait_policy_is_passive_unless_the_user_chose_one(monkeypatch):
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    loaders.quiet_thread_waits()
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    loaders.quiet_thread_waits()
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"
