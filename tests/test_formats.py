"""pipeline/formats.py: web pages, JSON / JSON lines, RSS and Atom into records.

Samples under tests/data/formats/ carry real article text (AllSides stories, the Discord
Questions recession set); each malformed one must give a warning naming the file and the
record, while the good records are still read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.ingest.markup import html_to_text, slug
from pipeline.domain import Article
from pipeline.ingest.read import read_one
from pipeline.ingest.records import SUPPORTED_SUFFIXES, read_records
from pipeline.urls import safe_url

SAMPLES = Path(__file__).resolve().parent / "data" / "formats"


def _read(name: str, as_name: str | None = None) -> tuple[list[Article], list[str]]:
    path = SAMPLES / name
    return read_records(path if as_name is None else path.with_name(as_name), path.read_bytes())


# One sample per input suffix the README lists (an .xml file that is a feed is read as one).
_SAMPLE_FOR_SUFFIX = {".html": "saved_page.html", ".htm": "saved_page.html", ".json": "recession.json",
                      ".jsonl": "records.jsonl", ".rss": "headlines.rss", ".atom": "molnupiravir.atom",
                      ".xml": "headlines.rss"}


@pytest.mark.parametrize("suffix", sorted(_SAMPLE_FOR_SUFFIX))
def test_each_structured_suffix_is_read_by_its_reader(tmp_path, suffix):
    sample = SAMPLES / _SAMPLE_FOR_SUFFIX[suffix]
    path = tmp_path / f"input{suffix}"
    path.write_bytes(sample.read_bytes())
    articles, warnings = read_one(path, 5.0)
    assert articles
    # The samples hold some bad records on purpose: warned about one by one, the rest read.
    assert all(any(w in warning for w in (" record ", " entry ", " line ")) for warning in warnings), warnings
    # Read as a page/records/feed, not as plain text whose first line is the title.
    first_line = sample.read_text(encoding="utf-8").lstrip().splitlines()[0]
    assert all(a.title and a.title != first_line.strip() and "<" not in a.title for a in articles)
    assert all("<" not in a.body and '"title":' not in a.body for a in articles)


def test_every_readable_suffix_is_tested_and_discovered_by_default():
    assert SUPPORTED_SUFFIXES == set(_SAMPLE_FOR_SUFFIX)
    assert SUPPORTED_SUFFIXES <= set(Settings().ingest.extensions)


# --- web pages --------------------------------------------------------------------------

def test_saved_page_keeps_the_article_and_drops_page_furniture():
    (article,), warnings = _read("saved_page.html")
    assert warnings == []
    assert article.id == "saved_page"
    assert article.title == "Judge dismisses FTC and state antitrust complaints against Facebook"
    assert (article.outlet, article.published) == ("CNBC", "2021-06-28")
    assert article.url == "https://www.cnbc.com/2021/06/28/judge-dismisses-ftc-antitrust-complaint-against-facebook.html"
    lines = article.body.split("\n")
    assert lines[0].startswith("A federal court on Monday dismissed the Federal Trade Commission’s antitrust complaint")
    assert len(lines) == 3  # the three paragraphs of the body, one per line
    for furniture in ("cookies", "Subscribe", "Sign Up", "newsletter", "By Lauren Feiner", "Markets",
                      "Investing Club", "Privacy Policy", "Related", "dataLayer", "All Rights Reserved"):
        assert furniture not in article.body, furniture


def test_broken_html_is_read_with_a_warning():
    (article,), warnings = _read("broken.html")
    assert len(warnings) == 1 and "broken.html" in warnings[0] and "cut off" in warnings[0]
    assert article.title == "Judge Throws Out State and Federal Cases Against Facebook"
    assert article.outlet == "The New York Times"
    assert article.body.startswith("In a stunning setback to regulators’ efforts to break up Facebook")
    assert "Letitia James" in article.body
    assert "Cecilia Kang" not in article.body and "cookies" not in article.body
    assert "Subscribe" not in article.body and "World" not in article.body


def test_page_without_an_article_is_a_warning():
    articles, warnings = _read("no_article.html")
    assert articles == []
    assert warnings == [f"skipped {SAMPLES / 'no_article.html'}: no article text found in the page"]


def test_html_suffix_htm_and_garbage_bytes(tmp_path):
    articles, _ = _read("saved_page.html", "copy.htm")
    assert [a.id for a in articles] == ["copy"]
    articles, warnings = read_records(tmp_path / "junk.html", b"\xff\xfe<<<>>>\x00\x01 not a page")
    assert articles == [] and len(warnings) == 1 and "junk.html" in warnings[0]


# --- JSON lines and JSON ------------------------------------------------------------------

def test_jsonl_reads_good_lines_and_warns_per_bad_line():
    articles, warnings = _read("records.jsonl")
    path = SAMPLES / "records.jsonl"
    assert [a.id for a in articles] == [
        "washtimes-2021-06-08",
        "what-we-know-and-dont-know-about-mercks-new-covid-19-pill",
        "what-we-know-and-dont-know-about-mercks-new-covid-19-pill-2",
    ]
    assert len(warnings) == 3
    assert warnings[0].startswith(f"skipped {path} line 3: not valid JSON")
    assert warnings[1].startswith(f'skipped {path} line 4 ("LISTEN: A recession may be the only way')
    assert "no article text" in warnings[1]
    assert warnings[2] == f"skipped {path} line 5: a list, not an object"

    times, stat, stat_again = articles
    assert times.outlet == "Washington Times" and times.published == "2021-06-08T16:15:00-07:00"
    assert times.url.startswith("https://www.washingtontimes.com/")
    assert times.body.count("\n") == 3
    # `content` holding HTML: tags gone, paragraphs kept; `source` as a NewsAPI-style object.
    assert stat.outlet == "STAT" and "<p>" not in stat.body and stat.body.count("\n") == 1
    assert stat_again.url == ""  # a javascript: URL is dropped


def test_json_list_of_records():
    articles, warnings = _read("recession.json")
    assert [a.id for a in articles] == ["62dbf742b03a36944c182e69", "62e355df6134dc31786db836"]
    assert [a.outlet for a in articles] == ["theweek.com", "nytimes.com"]
    assert articles[1].title == "Opinion | How Goes the War on Inflation?"
    assert articles[1].body.startswith("The U.S. economy is not currently in a recession.")
    assert articles[1].body.count("\n") == 2  # blank-line paragraphs become lines
    assert len(warnings) == 1 and 'record 3 ("LISTEN: A recession' in warnings[0]


def test_json_shapes(tmp_path):
    def read(value, name="x.json"):
        return read_records(tmp_path / name, json.dumps(value).encode())

    one = {"title": "Rates", "body": ["First paragraph about rates.", "Second one."], "date": "2022-07-28"}
    (article,), _ = read(one)
    assert article.id == "rates" and article.body == "First paragraph about rates.\nSecond one."
    assert article.published == "2022-07-28"
    articles, _ = read({"articles": [one, {**one, "title": "Rates"}]})
    assert [a.id for a in articles] == ["rates", "rates-2"]
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Desk",
            "items": [{"id": "1", "title": "T", "content_html": "<p>Body text here.</p>",
                       "url": "https://example.org/1"}]}
    (article,), _ = read(feed)
    assert (article.id, article.outlet, article.body, article.url) == ("1", "Desk", "Body text here.", "https://example.org/1")
    articles, warnings = read({"unrelated": True})
    assert articles == [] and "no article records" in warnings[0]


def test_json_errors_name_the_place(tmp_path):
    articles, warnings = read_records(tmp_path / "bad.json", b'[{"title": "a", "text": "b"')
    assert articles == [] and warnings[0].startswith(f"skipped {tmp_path / 'bad.json'}: not valid JSON")
    # JSON lines saved as .json are still read line by line.
    lines = b'{"title": "One", "text": "Alpha."}\n{"title": "Two", "text": "Beta."}\n'
    articles, warnings = read_records(tmp_path / "lines.json", lines)
    assert [a.title for a in articles] == ["One", "Two"] and warnings == []
    # Windows-1252 bytes: read, with a warning.
    articles, warnings = read_records(tmp_path / "old.jsonl", '{"title": "Caf\u00e9", "text": "Na\u00efve."}'.encode("cp1252"))
    assert articles[0].title == "Café" and "Windows-1252" in warnings[0]


def test_record_ids_are_sanitised_and_unique(tmp_path):
    records = [
        {"id": "../../etc/passwd", "title": "a", "text": "x"},
        {"id": 42, "title": "b", "text": "x"},
        {"title": "<script>alert(1)</script> Héllo, Wörld!", "text": "x"},
        {"title": "<script>alert(1)</script> Héllo, Wörld!", "text": "x"},
        {"id": "!!!", "title": "", "text": "Only text, no title at all in this record."},
    ]
    articles, _ = read_records(tmp_path / "ids.jsonl", "\n".join(map(json.dumps, records)).encode())
    assert [a.id for a in articles] == [
        "etc-passwd", "42", "script-alert-1-script-hello-world", "script-alert-1-script-hello-world-2",
        "only-text-no-title-at-all-in-this-record",
    ]
    assert articles[4].title == "Only text, no title at all in this record."
    assert all(set(a.id) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") for a in articles)


# --- feeds --------------------------------------------------------------------------------

def test_rss_reads_good_items_and_warns_about_the_empty_one():
    articles, warnings = _read("headlines.rss")
    assert warnings == [f"skipped {SAMPLES / 'headlines.rss'} entry 2: no article text (empty content and description)"]
    huffpost, axios = articles
    assert huffpost.id == "biden-gop-infrastructure-talks-dead"
    assert huffpost.outlet == "HuffPost"  # the item's <source>, not the channel
    assert huffpost.published == "2021-06-08T23:02:00Z"
    assert huffpost.url.startswith("https://www.huffpost.com/entry/")
    # content:encoded wins over the one-line description; the embed script is gone.
    assert huffpost.body.count("\n") == 2 and "widgets.js" not in huffpost.body
    assert "<" not in axios.body and axios.body.startswith("Infrastructure negotiations between President Biden")
    assert "What we're hearing: When Biden and Capito spoke" in axios.body


def test_atom_reads_html_and_xhtml_content():
    articles, warnings = _read("molnupiravir.atom")
    assert len(warnings) == 1 and 'entry 2 ("Breaking: live updates")' in warnings[0]
    nypost, usatoday = articles
    assert nypost.outlet == "New York Post" and nypost.published == "2021-10-11T14:05:00Z"
    assert nypost.body.count("\n") == 2
    assert usatoday.title == "Drugmakers seek FDA emergency authorization for molnupiravir, antiviral pill to treat COVID-19"
    assert usatoday.outlet == "USA TODAY"
    assert "Merck & Co." in usatoday.body


def test_xml_is_sniffed(tmp_path):
    articles, warnings = _read("headlines.rss", "headlines.xml")
    assert len(articles) == 2 and len(warnings) == 1
    articles, warnings = _read("sitemap.xml")
    assert articles == [] and warnings == [f"skipped {SAMPLES / 'sitemap.xml'}: XML, but not an RSS or Atom feed"]


def test_xml_feed_sniff_ignores_case_as_fetch_does():
    # feedparser reads an upper-case root, and a fetched body with one is taken as a feed: a file on disk is too.
    upper = (SAMPLES / "headlines.rss").read_bytes().replace(b"<rss", b"<RSS").replace(b"</rss>", b"</RSS>")
    assert b"<RSS" in upper
    articles, _ = read_records(SAMPLES / "upper.xml", upper)
    assert [a.title for a in articles] == [a.title for a in _read("headlines.rss")[0]] and len(articles) == 2


def test_truncated_feed_keeps_the_entries_it_has(tmp_path):
    data = (SAMPLES / "headlines.rss").read_bytes()
    cut = data[: data.index(b"<title>Biden, Capito")]
    articles, warnings = read_records(tmp_path / "cut.rss", cut)
    assert [a.outlet for a in articles] == ["HuffPost"]
    assert warnings[0] == (f"{tmp_path / 'cut.rss'}: the feed is not well-formed (line 27, column 4: no element found); "
                           "read the entries that could be recovered")
    assert read_records(tmp_path / "empty.atom", b"") == ([], [f"skipped {tmp_path / 'empty.atom'}: the feed has no entries"])
    articles, warnings = read_records(tmp_path / "page.rss", b"<html>not a feed")
    assert articles == [] and warnings[0].startswith(f"skipped {tmp_path / 'page.rss'}: not a readable feed (line ")


# --- helpers --------------------------------------------------------------------------------

@pytest.mark.parametrize("url, expected", [
    ("https://example.org/a?b=c", "https://example.org/a?b=c"),
    ("http://example.org", "http://example.org"),
    ("javascript:alert(1)", None),
    ("JaVaScRiPt:alert(1)", None),
    ("java\nscript:alert(1)", None),
    ("data:text/html,<script>alert(1)</script>", None),
    ("/relative/path", None),
    ("https://exa mple.org", None),
    (None, None),
])
def test_safe_url(url, expected):
    assert safe_url(url) == expected


def test_slug_and_html_to_text():
    assert slug("Biden, Capito abandon infrastructure talks") == "biden-capito-abandon-infrastructure-talks"
    assert slug("¿¡!!") == ""
    assert len(slug("word " * 40)) <= 60
    text = html_to_text("<p>One <b>bold</b> line.</p><script>alert(1)</script><p>Two<br>Three</p>")
    assert [line.strip() for line in text.splitlines() if line.strip()] == ["One bold line.", "Two", "Three"]
