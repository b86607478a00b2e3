"""Every input format through a whole run (fake embedder, real spaCy), and every output format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from pipeline.config import load_settings
from pipeline.run import summarise_paths
from tests.conftest import DATA

FORMATS = DATA / "formats"


def test_mixed_formats_are_read_warned_and_published(tmp_path, fake_bundle):
    settings = load_settings(overrides=['output.formats=["md","json","html","atom","jsonfeed"]'])
    result = summarise_paths([FORMATS], settings, tmp_path / "out", fake_bundle)
    report = result.report
    paths = {a.path.rsplit("/", 1)[-1] for a in report.articles}
    assert {"saved_page.html", "headlines.rss", "molnupiravir.atom", "records.jsonl", "recession.json"} <= paths
    # Bad records are named in warnings; the good records of the same files are kept.
    assert any("records.jsonl line" in w for w in report.warnings)
    assert any("sitemap.xml" in w for w in report.warnings)
    # Outlet, date and URL flow from the inputs into the report and beside each source.
    page = next(a for a in report.articles if a.path.endswith("saved_page.html"))
    assert page.outlet and page.url and page.url.startswith("https://")
    md = (result.run_dir / "digest.md").read_text()
    assert page.outlet in md and page.url in md
    files = {p.name for p in result.run_dir.iterdir()}
    assert files == {"digest.md", "digest.json", "index.html", "feed.atom", "feed.json"}
    atom = ET.parse(result.run_dir / "feed.atom").getroot()
    assert len(atom.findall("{http://www.w3.org/2005/Atom}entry")) == len(report.stories)
    assert len(json.loads((result.run_dir / "feed.json").read_text())["items"]) == len(report.stories)
