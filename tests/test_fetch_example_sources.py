"""The shipped sources example parses (every key it documents is one the reader accepts)."""

from pathlib import Path

from pipeline.sources import load_sources

ROOT = Path(__file__).resolve().parents[1]


def test_the_example_sources_file_is_valid():
    specs = load_sources(ROOT / "configs" / "sources.example.toml", default_min_interval_s=900)
    assert len(specs) == 5 and all(s.url.startswith("https://") and s.name for s in specs)
    assert {s.full_text for s in specs} == {"auto", "never"} and any(s.min_interval_s == 1800 for s in specs)
