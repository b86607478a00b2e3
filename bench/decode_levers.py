"""One-sequence decoding of the default generator (SmolLM2-135M, converted weights from the
newsdigest cache) with and without a static KV cache and torch.compile.

Usage: python bench/decode_levers.py dynamic|static|static_compile [float32|bfloat16] [--cache DIR]

Prints the warm-up time (for static_compile: the compilation) and the decode tokens per second
(64 new tokens minus 1, prefill cancelled out, best of 3), plus the start of the reply so runs
can be checked for equal output.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as newsdigest runs it; before torch loads

import torch  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402
from transformers.generation.configuration_utils import CompileConfig  # noqa: E402

PROMPT = ("Rewrite in fewer words: The council approved the budget on Tuesday after a long debate "
          "about school funding and road repairs.")


def converted_weights(cache: Path) -> Path:
    found = sorted((cache / "models").glob("SmolLM2-135M-Instruct*"))
    if not found:
        raise SystemExit(f"no converted SmolLM2 weights under {cache}/models: run `make run` once first")
    return found[-1]


def generate_kwargs(variant: str) -> dict:
    kwargs: dict = {"do_sample": False}
    if variant in ("static", "static_compile"):
        kwargs["cache_implementation"] = "static"
    if variant == "static_compile":
        # transformers compiles the forward pass on its own only on accelerators; ask for it here.
        config = CompileConfig(mode="default", fullgraph=False, dynamic=False)
        config._compile_all_devices = True
        kwargs["compile_config"] = config
    return kwargs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("variant", choices=["dynamic", "static", "static_compile"])
    parser.add_argument("dtype", nargs="?", default="float32", choices=["float32", "bfloat16"])
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                        / "newsdigest")
    args = parser.parse_args()
    path = converted_weights(args.cache)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=getattr(torch, args.dtype)).eval()
    tok = AutoTokenizer.from_pretrained(path)
    ids = tok.apply_chat_template([{"role": "user", "content": PROMPT}], add_generation_prompt=True,
                                  return_tensors="pt", return_dict=True)
    kwargs = generate_kwargs(args.variant)

    def timed(n: int) -> tuple[float, torch.Tensor]:
        best, out = float("inf"), None
        for _ in range(3):
            t0 = time.perf_counter()
            with torch.inference_mode():
                out = model.generate(**ids, max_new_tokens=n, min_new_tokens=n, **kwargs)
            best = min(best, time.perf_counter() - t0)
        return best, out

    t0 = time.perf_counter()
    timed(4)
    print(f"warm-up {time.perf_counter() - t0:.1f} s")
    one, _ = timed(1)
    many, out = timed(64)
    print(f"{args.variant} {args.dtype}: {63 / (many - one):.1f} tok/s, {torch.get_num_threads()} threads")
    print(repr(tok.decode(out[0, ids["input_ids"].shape[1]:])[:100]))


if __name__ == "__main__":
    main()
