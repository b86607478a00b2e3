"""pipeline/feeds.py: index.html (safe, self-contained, phone-readable), feed.atom and feed.json.

The report is built directly (pydantic), so these tests need no models. One article is hostile:
its title, sentences and URL try to run script in the page. The last tests open the page in a
real headless Chromium.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.report.atom import render_atom
from pipeline.report.html import render_html
from pipeline.report.jsonfeed import render_jsonfeed
from pipeline.report.sources import entry_id
from pipeline.report.schema import DigestReport

ATOM = "{http://www.w3.org/2005/Atom}"
# Real text (AllSides story "Federal Court Dismisses Facebook Antitrust Lawsuits").
CNBC = [
    "A federal court on Monday dismissed the Federal Trade Commission’s antitrust complaint against Facebook, "
    "as well as a parallel case brought by 48 state attorneys general.",
    "Shares of Facebook rose more than 4% on Monday following the rulings, sending the social media company’s "
    "market capitalization above $1 trillion for the first time.",
]
NYT = [
    "In a stunning setback to regulators’ efforts to break up Facebook, a federal judge on Monday threw out "
    "antitrust lawsuits brought against the company by the Federal Trade Commission and more than 40 states.",
    "The judge, James E. Boasberg for the U.S. District Court for the District of Columbia, said that the case "
    "from the states needed to be dismissed because too much time had elapsed.",
]
# Each payload, if it ran, would leave a mark the DOM dump shows (`data-pwned` on <body>).
SCRIPT = "<script>document.body.dataset.pwned='script'</script>"
ONERROR = "<img src=x onerror=\"document.body.dataset.pwned='onerror'\">"
EVIL_TITLE = f"Facebook wins {SCRIPT} <script>alert(1)</script>"
EVIL_SENTENCES = [
    f"A federal court dismissed the FTC lawsuit against Facebook {ONERROR} <img src=x onerror=alert(1)>.",
    "The decision Monday marks a setback for the trade commission, the Washington Examiner reported.",
]
EVIL_URL = "javascript:document.body.dataset.pwned='link'"


def _digest(article: str, sentences: list[str], indexes: list[int]) -> dict:
    chosen = [{"text": sentences[i], "citations": [{"article": article, "sentence": i}], "method": "extractive"}
              for i in indexes]
    return {"text": " ".join(s["text"] for s in chosen), "sentences": chosen}


def make_report(generated_at: str = "2026-11-22T06:00:00Z") -> DigestReport:
    articles = [
        {"id": "cnbc", "title": "Judge dismisses FTC and state antitrust complaints against Facebook",
         "path": "news/cnbc.html", "sha256": "a" * 64, "outlet": "CNBC", "published": "2021-06-28",
         "url": "https://www.cnbc.com/2021/06/28/judge-dismisses-ftc-antitrust-complaint-against-facebook.html",
         "digest": _digest("cnbc", CNBC, [0, 1]), "sentences": CNBC},
        {"id": "nyt", "title": "Judge Throws Out State and Federal Cases Against Facebook",
         "path": "news/nyt.html", "sha256": "b" * 64, "outlet": "The New York Times",
         "published": "2021-06-28T16:39:00Z", "url": "https://www.nytimes.com/2021/06/28/technology/facebook-ftc-lawsuit.html",
         "digest": _digest("nyt", NYT, [0, 1]), "sentences": NYT},
        {"id": "evil", "title": EVIL_TITLE, "path": "news/evil\x0b.jsonl", "sha256": "c" * 64,
         "outlet": f"Examiner {ONERROR}", "published": None, "url": EVIL_URL,
         "digest": _digest("evil", EVIL_SENTENCES, [0]), "sentences": EVIL_SENTENCES},
        {"id": "solo", "title": "Merck asks FDA for emergency approval of its antiviral COVID-19 pill",
         "path": "news/nypost.atom", "sha256": "d" * 64,
         "digest": _digest("solo", ["Merck asked the FDA for emergency approval of its COVID-19 pill on Monday."], [0]),
         "sentences": ["Merck asked the FDA for emergency approval of its COVID-19 pill on Monday."]},
    ]
    story_digest = {
        "text": f"{NYT[0]} {EVIL_SENTENCES[0]}",
        "sentences": [
            {"text": NYT[0], "citations": [{"article": "nyt", "sentence": 0}, {"article": "cnbc", "sentence": 0}],
             "method": "extractive"},
            {"text": "The court dismissed the lawsuits on Monday.",
             "citations": [{"article": "evil", "sentence": 0}], "method": "generated"},
        ],
    }
    divergence = {
        "kind": "conflict", "topic": f"How many states sued {SCRIPT}",
        "summary": "CNBC counts 48 state attorneys general; The New York Times says more than 40 states.",
        "positions": [
            {"article_ids": ["cnbc"], "text": "48 state attorneys general", "citations": [{"article": "cnbc", "sentence": 0}]},
            {"article_ids": ["nyt", "evil"], "text": f"more than 40 states {ONERROR}",
             "citations": [{"article": "nyt", "sentence": 0}]},
        ],
        "confidence": 0.8,
    }
    return DigestReport.model_validate({
        "generated_at": generated_at,
        "models": {"embedder": "packaged:all-MiniLM-L6-v2", "generator": "none (extractive mode)"},
        "articles": articles,
        "stories": [
            {"id": "story_0f1e2d3c4b5a", "title": EVIL_TITLE, "article_ids": ["cnbc", "nyt", "evil"],
             "digest": story_digest, "divergences": [divergence]},
            {"id": "story_99aa88bb77cc", "title": articles[3]["title"], "article_ids": ["solo"],
             "digest": articles[3]["digest"], "divergences": [],
             "notes": ["one article: divergence needs two or more sources"]},
        ],
        "warnings": [f"skipped news/bad.jsonl line 3: not valid JSON {SCRIPT}"],
        "timings": {"total_s": 1.0},
    })


class _Elements(HTMLParser):
    """Every element with its attributes, and the markers with the text inside them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.markers: list[dict] = []
        self._marker_depth = 0
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag in ("input", "meta", "br", "img", "link", "hr"):
            return
        self._depth += 1
        if tag == "label" and "cite" in (attributes.get("class") or ""):
            self.markers.append({"title": attributes.get("title", ""), "text": ""})
            self._marker_depth = self._depth

    def handle_endtag(self, tag):
        if self._marker_depth and self._depth == self._marker_depth:
            self._marker_depth = 0
        self._depth -= 1

    def handle_data(self, data):
        if self._marker_depth:
            self.markers[-1]["text"] += data


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(make_report())


# --- index.html: safety --------------------------------------------------------------

def test_html_escapes_article_script_and_event_handlers(page):
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    elements = _parse(page).elements
    assert not [t for t, _ in elements if t in ("script", "img", "iframe", "object", "embed")]
    handlers = [(t, name) for t, attrs in elements for name in attrs if name.lower().startswith("on")]
    assert handlers == []


def test_html_links_only_http_urls_with_noopener(page):
    links = [attrs for tag, attrs in _parse(page).elements if tag == "a" and not attrs["href"].startswith("#")]
    assert {a["href"] for a in links} == {
        "https://www.cnbc.com/2021/06/28/judge-dismisses-ftc-antitrust-complaint-against-facebook.html",
        "https://www.nytimes.com/2021/06/28/technology/facebook-ftc-lawsuit.html",
    }
    assert all(a["rel"] == "noopener noreferrer" for a in links)
    assert "javascript:" not in page


def test_html_is_self_contained(page):
    elements = _parse(page).elements
    assert not [t for t, _ in elements if t in ("link", "script", "img", "iframe")]
    assert "@import" not in page and "url(" not in page
    csp = [a["content"] for t, a in elements if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0] and "script-src" not in csp[0]
    assert any(t == "meta" and a.get("name") == "viewport" for t, a in elements)


# --- index.html: content ----------------------------------------------------------------

def test_each_marker_carries_the_cited_sentence(page):
    report = make_report()
    markers = _parse(page).markers
    # Story 1: sentence 1 cites [1] and [2], sentence 2 cites [3]; divergence positions cite [1], [2];
    # story 2 cites [4].
    assert len(markers) == 6
    sentences = {a.id: a.sentences for a in report.articles}
    expected = [CNBC[0], NYT[0], EVIL_SENTENCES[0], CNBC[0], NYT[0], sentences["solo"][0]]
    for marker, sentence in zip(markers, expected):
        assert sentence in marker["text"]
        assert sentence in marker["title"]
    assert "[3] Examiner" in markers[2]["text"]


def test_sources_show_outlet_date_and_link(page):
    assert re.search(r'<span class="outlet">CNBC</span> · <span class="date">2021-06-28</span> · '
                     r'<a href="https://www.cnbc.com/[^"]+" rel="noopener noreferrer"[^>]*>cnbc.com</a>', page)
    assert '<span class="date">2021-06-28T16:39:00Z</span>' in page
    assert ">nytimes.com</a>" in page


def test_divergence_sides_are_side_by_side(page):
    assert page.count('<div class="side">') == 2
    assert ".sides{display:grid" in page
    assert "[2] The New York Times · [3] Examiner" in page


def test_single_article_story_and_warnings(page):
    assert "One article:" in page
    assert "one article: divergence needs two or more sources" in page
    assert "Skipped or changed input" in page
    assert "not valid JSON &lt;script&gt;" in page


def test_divergences_beyond_the_limit_fold_away():
    report = make_report()
    story = report.stories[0]
    story.divergences = [story.divergences[0].model_copy(update={"topic": f"topic {i}"}) for i in range(5)]
    html = render_html(report, divergence_limit=2)
    assert html.count('<div class="dv">') == 5
    assert '<summary>3 more</summary>' in html
    assert html.index("topic 1") < html.index("<summary>3 more</summary>") < html.index("topic 2")


# --- feed.atom ---------------------------------------------------------------------

def test_atom_is_valid_atom_with_one_entry_per_story():
    root = ET.fromstring(render_atom(make_report()))
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        for required in ("id", "title", "updated", "content", "summary"):  # summary: first sentence
            assert entry.find(f"{ATOM}{required}") is not None
        assert entry.find(f"{ATOM}updated").text == "2026-11-22T06:00:00Z"
        assert entry.find(f"{ATOM}content").get("type") == "html"
    assert entries[0].find(f"{ATOM}title").text == EVIL_TITLE
    related = [link.get("href") for link in entries[0].findall(f"{ATOM}link")]
    assert related and all(h.startswith("https://") for h in related)


def test_atom_entry_ids_are_stable_across_runs():
    first = ET.fromstring(render_atom(make_report("2026-11-22T06:00:00Z")))
    second = ET.fromstring(render_atom(make_report("2026-11-23T06:00:00Z")))
    ids = [[e.find(f"{ATOM}id").text for e in feed.findall(f"{ATOM}entry")] for feed in (first, second)]
    assert ids[0] == ids[1]
    assert len(set(ids[0])) == 2 and all(i.startswith("urn:uuid:") for i in ids[0])
    assert first.find(f"{ATOM}id").text == second.find(f"{ATOM}id").text
    assert first.find(f"{ATOM}updated").text != second.find(f"{ATOM}updated").text


def test_atom_content_escapes_article_markup_and_drops_illegal_characters():
    report = make_report()
    report.stories[0].title += " \x0b\x00end"
    xml = render_atom(report)
    root = ET.fromstring(xml)  # would raise on a raw control character
    entry = root.findall(f"{ATOM}entry")[0]
    assert entry.find(f"{ATOM}title").text.endswith(" end")
    content = entry.find(f"{ATOM}content").text
    # The HTML that feed readers render holds the payloads only as escaped text.
    assert "<script" not in content and "<img" not in content
    assert "&lt;script&gt;" in content and "javascript:" not in content


def test_atom_reads_back_with_feedparser():
    feedparser = pytest.importorskip("feedparser")
    parsed = feedparser.parse(render_atom(make_report()).encode())
    assert not parsed.bozo
    assert parsed.version == "atom10"
    assert [e.id for e in parsed.entries] == [entry_id(s) for s in make_report().stories]


# --- feed.json -------------------------------------------------------------------------

def test_jsonfeed_has_version_items_and_the_atom_ids():
    report = make_report()
    feed = json.loads(render_jsonfeed(report))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"  # what JSON Feed 1.1 readers look for
    assert feed["title"] and len(feed["items"]) == 2
    atom_ids = [e.find(f"{ATOM}id").text for e in ET.fromstring(render_atom(report)).findall(f"{ATOM}entry")]
    assert [i["id"] for i in feed["items"]] == atom_ids
    first = feed["items"][0]
    assert first["content_text"] == report.stories[0].digest.text
    assert first["date_modified"] == "2026-11-22T06:00:00Z"
    assert {"name": "CNBC"} in first["authors"]
    sources = first["_newsdigest"]["sources"]
    assert [s["number"] for s in sources] == [1, 2, 3]
    assert sources[2]["url"] is None  # the javascript: URL is not passed on
    assert "<script" not in first["content_html"]


# --- a real browser ----------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=412,900",
]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "Chromium is not installed, and the index.html browser test needs it: run `make test`, which "
        "installs it (apt-get update && apt-get install -y chromium)", pytrace=False,
    )


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory) -> tuple[str, Path, str]:
    """The page as Chromium sees it after loading (DOM dump), its phone-width screenshot, and the
    DOM of a control page where the payloads are raw markup (to prove the probe sees them run)."""
    chromium = _chromium()
    folder = tmp_path_factory.mktemp("browser")
    index = folder / "index.html"
    index.write_text(render_html(make_report()), encoding="utf-8")
    control = folder / "control.html"
    control.write_text(f"<!DOCTYPE html><html><body><p>{SCRIPT} {ONERROR}</p></body></html>", encoding="utf-8")
    common = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={folder / 'profile'}"]

    def dump(page: Path) -> str:
        return subprocess.run([*common, "--dump-dom", page.as_uri()],
                              capture_output=True, text=True, timeout=90, check=True).stdout

    shot = folder / "shot.png"
    subprocess.run([*common, f"--screenshot={shot}", index.as_uri()], capture_output=True, timeout=90, check=True)
    return dump(index), shot, dump(control)


def test_chromium_renders_the_page_and_runs_nothing_from_articles(browser_page):
    dom, _, control_dom = browser_page
    assert "data-pwned" in control_dom  # the probe works: raw payloads do run
    assert "Judge dismisses FTC and state antitrust complaints against Facebook" in dom
    assert "data-pwned" not in dom  # no payload ran (each would have set it on <body>)
    assert "<script" not in dom.lower()
    assert "&lt;script&gt;document.body.dataset.pwned='script'&lt;/script&gt;" in dom
    assert dom.count('class="cite"') == 6


def test_chromium_screenshot_at_phone_width(browser_page):
    _, shot, _ = browser_page
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (412, 900)
    assert len(data) > 10_000  # a rendered page, not a blank one


def test_missing_chromium_fails_with_the_fix(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(pytest.fail.Exception, match=r"run `make test`.*apt-get install -y chromium"):
        _chromium()


def test_markdown_and_feed_headings_end_a_topic_with_one_full_stop():
    from pipeline.report.markdown import render_markdown

    report = make_report()
    divergence = report.stories[0].divergences[0]
    divergence.topic = "Troops near the U.S."
    for text in (render_markdown(report), render_atom(report)):
        assert "Troops near the U.S.." not in text
        assert "Troops near the U.S." in text
