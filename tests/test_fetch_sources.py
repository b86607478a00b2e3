"""The sources file (clear errors naming key and line) and safe feed parsing (entity bombs, external entities,
malformed XML, non-UTF-8, empty feeds) and feed discovery from a page."""

from __future__ import annotations

import pytest

from pipeline.config import parse_duration
from pipeline.errors import SourcesFileError
from pipeline.sources import load_sources
from pipeline.sources.feeds import discover_feeds, parse_feed
from tests.loopback import ARTICLES, full, page_html, rss


def _write(tmp_path, text):
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_sources_file_reads_feeds_with_tags_and_intervals(tmp_path):
    path = _write(tmp_path, '''
[[feed]]
name = "Example World"
url = "https://example.org/world/rss.xml"
tags = { lean = "center", country = "UK" }
min_interval = "30m"

[[feed]]
name = "Other"
url = "https://other.example/feed"
full_text = "never"
''')
    first, second = load_sources(path, default_min_interval_s=900)
    assert (first.name, first.tags, first.min_interval_s, first.full_text) == (
        "Example World", {"lean": "center", "country": "UK"}, 1800, "auto")
    assert (second.min_interval_s, second.full_text) == (900, "never")


def test_a_bad_value_names_the_key_and_its_line(tmp_path):
    path = _write(tmp_path, '[[feed]]\nname = "A"\nurl = "https://a.example/feed"\n\n[[feed]]\nname = "B"\n'
                            'url = "https://b.example/feed"\nfull_text = "sometimes"\n')
    with pytest.raises(SourcesFileError) as caught:
        load_sources(path, 900)
    message = str(caught.value)
    assert "line 8" in message and "full_text" in message and caught.value.exit_code == 2


def test_a_missing_url_and_an_unknown_key_are_named(tmp_path):
    path = _write(tmp_path, '[[feed]]\nname = "A"\nurll = "https://a.example/feed"\n')
    with pytest.raises(SourcesFileError) as caught:
        load_sources(path, 900)
    assert "'url'" in str(caught.value) and "'urll'" in str(caught.value) and "line 3" in str(caught.value)


def test_invalid_toml_gives_the_line(tmp_path):
    path = _write(tmp_path, '[[feed]]\nname = "A\n')
    with pytest.raises(SourcesFileError, match="line 2"):
        load_sources(path, 900)


def test_a_non_http_url_is_refused(tmp_path):
    path = _write(tmp_path, '[[feed]]\nname = "A"\nurl = "file:///etc/passwd"\n')
    with pytest.raises(SourcesFileError, match="line 3.*http"):
        load_sources(path, 900)


def test_durations():
    assert [parse_duration(v) for v in ("90m", "24h", "7d", "30", 15)] == [5400, 86400, 604800, 30, 15]
    with pytest.raises(ValueError):
        parse_duration("soon")


def _feed(n=2):
    return rss("Loopback News", [
        {"title": a["title"], "link": f"http://x.test/{i}", "guid": f"g{i}", "text": full(a)}
        for i, a in enumerate(ARTICLES[:n])
    ])


def test_a_feed_gives_items_with_paragraph_text():
    parsed = parse_feed(_feed(), "application/rss+xml", "test")
    assert parsed.warnings == [] and parsed.title == "Loopback News"
    assert [i.guid for i in parsed.items] == ["g0", "g1"]
    assert parsed.items[0].text.split("\n")[0] == ARTICLES[0]["paragraphs"][0]


def test_an_entity_bomb_is_defused_and_the_entries_kept():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
            + b"".join(b'<!ENTITY a%d "&a%s;&a%s;&a%s;&a%s;&a%s;&a%s;&a%s;&a%s;&a%s;&a%s;">' % ((i,) + (b"" if i == 1 else str(i - 1).encode(),) * 10) for i in range(1, 10))
            + b"]>")
    body = bomb + _feed().split(b"?>", 1)[1].replace(b"<title>Loopback News", b"<title>&a9;Loopback News")
    parsed = parse_feed(body, "application/rss+xml", "bomb")
    assert any("declares entities" in w for w in parsed.warnings)
    assert len(parsed.items) == 2
    assert "aaaaaaaaaa" * 10 not in parsed.title


def test_an_external_entity_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    body = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
            '<rss version="2.0"><channel><title>t</title><item><title>&x;</title><link>http://x.test/1</link>'
            '<description>Some text of the entry.</description></item></channel></rss>').encode()
    parsed = parse_feed(body, "", "xxe")
    assert parsed.items and all("TOP-SECRET" not in i.title + i.text for i in parsed.items)
    assert any("declares entities" in w for w in parsed.warnings)


def test_malformed_xml_keeps_what_can_be_recovered():
    body = _feed(3).replace(b"</channel></rss>", b"<item><title>broken")
    parsed = parse_feed(body, "", "bad")
    assert len(parsed.items) >= 3 and any("not well-formed" in w for w in parsed.warnings)


def test_a_latin1_feed_is_decoded_by_its_declaration():
    body = ('<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>Caf\xe9</title>'
            '<item><title>Caf\xe9 prices</title><link>http://x.test/1</link><description>Prices at the caf\xe9 rose.'
            '</description></item></channel></rss>').encode("latin-1")
    parsed = parse_feed(body, "", "latin")
    assert parsed.items[0].title == "Café prices"


def test_an_empty_feed_is_a_warning():
    parsed = parse_feed(rss("Nothing", []), "", "empty")
    assert parsed.items == [] and any("no entries" in w for w in parsed.warnings)


def test_discovery_finds_the_alternate_feed_link():
    page = page_html(ARTICLES[0], feed_url="/news/rss.xml")
    assert discover_feeds(page, "http://x.test/world/") == ["http://x.test/news/rss.xml"]
    assert discover_feeds(page_html(ARTICLES[0]), "http://x.test/") == []
