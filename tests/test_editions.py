"""Editions over a real store: a stream of four hourly runs where articles arrive in date order from three
feeds on a loopback server (tagged by lean) and from dated JSON files. Stories keep their ids, a late
article joins its story, two stories merge under the older id, and each edition marks exactly what is new.

Articles: three AllSides dev stories (left, center and right outlets), tests/data/editions/stream.json.
X = qualified immunity, Y = Social Security raise, P = land borders reopening. With the fake embedder
(bag of words) at group threshold 0.57, P-left and P-center are too far apart to share a story until
P-right arrives and links them (the test checks that premise in run 2).
"""

from __future__ import annotations

import email
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Settings
from pipeline.editions import assign_stories
from pipeline.ingest import StoreQuery
from pipeline.run import summarise_paths
from pipeline.store import open_store
from tests.loopback import Loopback, Reply, full, rss

STREAM = {a["key"]: a for a in json.loads((Path(__file__).parent / "data/editions/stream.json").read_text())}
T1 = datetime(2021, 10, 18, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
ATOM = "{http://www.w3.org/2005/Atom}"
# What arrives before each edition: (feed articles with their publication time, file articles likewise).
ARRIVALS = [
    ({"X-left": T1 - 2 * HOUR, "X-center": T1 - 3 * HOUR, "Y-left": T1 - HOUR, "P-left": T1 - HOUR / 2},
     {"Y-right": T1 - 1.5 * HOUR}),
    ({"Y-center": T1 + HOUR / 2, "P-center": T1 + HOUR * 0.9}, {}),
    # X-right is late: published before the first edition, it arrives for the third.
    ({"P-right": T1 + 1.8 * HOUR}, {"X-right": T1 - 5 * HOUR}),
    ({}, {}),
]
FORMATS = ["md", "json", "html", "atom", "jsonfeed", "eml"]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=900,1600"]
runner = CliRunner()


def _settings() -> Settings:
    # The fake embedder's bag-of-words vectors are what these stories are built on, so they are
    # grouped by vectors alone at a set threshold: the editions logic is under test, not grouping.
    return Settings.model_validate({
        "output": {"formats": FORMATS}, "stories": {"grouping": "embedding", "group_threshold": 0.57},
        "edition": {"timezone": "Europe/Paris", "mail_from": "Digest <digest@example.org>",
                    "mail_to": "reader@example.org"},
    })


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _feed_items(server: Loopback, arrived: dict[str, datetime], lean: str) -> bytes:
    items = [{"title": STREAM[k]["title"], "link": server.url(f"/a/{k}"), "guid": k, "text": full(STREAM[k]),
              "date": moment.strftime("%a, %d %b %Y %H:%M:%S +0000")}
             for k, moment in arrived.items() if STREAM[k]["lean"] == lean]
    return rss(f"{lean.title()} wire", items)


@pytest.fixture(scope="module")
def stream(tmp_path_factory, nlp):
    """Four editions, run in order; returns [(report, run folder)] and the paths used."""
    from pipeline.models.loaders import ModelBundle
    from tests.fakes import FakeEmbedder, FakeGenerator

    bundle = ModelBundle(embedder=FakeEmbedder(), nlp=nlp, generator=FakeGenerator())
    root = tmp_path_factory.mktemp("editions")
    server = Loopback()
    server.routes["/robots.txt"] = Reply(404)
    sources = root / "sources.toml"
    sources.write_text("".join(
        f'[[feed]]\nname = "{lean.title()} wire"\nurl = "{server.url(f"/{lean}.xml")}"\n'
        f'tags = {{ lean = "{lean}" }}\nfull_text = "never"\nmin_interval = 0\n\n'
        for lean in ("left", "center", "right")))
    store, files, out = root / "store.sqlite", root / "files", root / "out"
    files.mkdir()
    arrived: dict[str, datetime] = {}
    editions = []
    try:
        for number, (feed_news, file_news) in enumerate(ARRIVALS):
            until = T1 + number * HOUR
            arrived.update(feed_news)
            for lean in ("left", "center", "right"):
                server.routes[f"/{lean}.xml"] = Reply(200, _feed_items(server, arrived, lean),
                                                      {"Content-Type": "application/rss+xml"})
            if file_news:
                records = [{"id": k, "title": STREAM[k]["title"], "text": "\n\n".join(STREAM[k]["paragraphs"]),
                            "source": STREAM[k]["outlet"], "published": _iso(moment), "url": STREAM[k]["url"]}
                           for k, moment in file_news.items()]
                (files / f"edition{number}.json").write_text(json.dumps(records))
            fetched = runner.invoke(app, ["fetch", "--sources", str(sources), "--store", str(store),
                                          "--set", "fetch.host_delay=0.01", "--quiet"])
            assert fetched.exit_code == 0, fetched.output
            result = summarise_paths([files], _settings(), out, bundle, keep=10,
                                     store=StoreQuery(store, _iso(until - 7 * 24 * HOUR), _iso(until)))
            editions.append((result.report, result.run_dir))
    finally:
        server.close()
    return editions, out, store


def _story_with(report, key_prefix: str):
    """The story holding articles whose title is one of that AllSides story's titles."""
    titles = {a["title"] for a in STREAM.values() if a["story"] == key_prefix}
    ids = {a.id for a in report.articles if a.title in titles}
    found = [s for s in report.stories if ids & set(s.article_ids)]
    assert len(found) == 1, f"{key_prefix} is split over {len(found)} stories"
    return found[0]


def _keys(report, article_ids) -> set[str]:
    by_title = {a["title"]: k for k, a in STREAM.items()}
    title = {a.id: a.title for a in report.articles}
    return {by_title[title[i]] for i in article_ids}


def test_story_ids_stay_stable_and_late_articles_join_their_story(stream):
    editions, _, _ = stream
    reports = [r for r, _ in editions]
    x_ids = [_story_with(r, "X").id for r in reports]
    y_ids = [_story_with(r, "Y").id for r in reports]
    assert len(set(x_ids)) == 1 and len(set(y_ids)) == 1 and x_ids[0] != y_ids[0]
    assert _keys(reports[1], _story_with(reports[1], "X").article_ids) == {"X-left", "X-center"}
    # The late X-right (published 5 h before the first edition) joined X in the third.
    assert _keys(reports[2], _story_with(reports[2], "X").article_ids) == {"X-left", "X-center", "X-right"}
    assert _keys(reports[3], _story_with(reports[3], "Y").article_ids) == {"Y-left", "Y-center", "Y-right"}


def test_two_stories_merge_under_the_older_id(stream):
    editions, _, store_path = stream
    reports = [r for r, _ in editions]
    older = _story_with(reports[0], "P").id
    second = reports[1]
    p_stories = {s.id: _keys(second, s.article_ids) for s in second.stories if _keys(second, s.article_ids) & {"P-left", "P-center"}}
    assert p_stories[older] == {"P-left"} and len(p_stories) == 2, "premise: P-left and P-center apart in run 2"
    [younger] = [s for s in p_stories if s != older]
    merged = _story_with(reports[2], "P")
    assert merged.id == older and merged.merged_ids == [younger]
    assert _keys(reports[2], merged.article_ids) == {"P-left", "P-center", "P-right"}
    assert _story_with(reports[3], "P").id == older and _story_with(reports[3], "P").merged_ids == [younger]
    store = open_store(store_path)
    try:
        assert set(store.story_of([a.id for a in reports[2].articles if a.id in merged.article_ids]).values()) == {older}
    finally:
        store.close()


def test_new_markers_are_exactly_right(stream):
    editions, _, _ = stream
    reports = [r for r, _ in editions]
    first, second, third, fourth = reports
    assert first.edition.previous is None
    assert second.edition.previous == "2021-10-18T14:00:00+02:00"  # Europe/Paris, summer time
    assert fourth.edition.until == "2021-10-18T17:00:00+02:00"
    expected_new = [
        {"X": {"X-left", "X-center"}, "Y": {"Y-left", "Y-right"}, "P": {"P-left"}},
        {"X": set(), "Y": {"Y-center"}},
        {"X": {"X-right"}, "Y": set(), "P": {"P-right"}},  # P-center was shown (in the story merged in)
        {"X": set(), "Y": set(), "P": set()},
    ]
    for report, expected in zip(reports, expected_new):
        for story_key, keys in expected.items():
            assert _keys(report, _story_with(report, story_key).new_article_ids) == keys, (report.edition, story_key)
    # Sentences and divergences: new exactly when the previous edition did not show them in that story.
    for before, after in zip(reports, reports[1:]):
        for story in after.stories:
            previous = [s for s in before.stories if s.id == story.id or s.id in story.merged_ids]
            shown = {s.text for p in previous for s in p.digest.sentences}
            kinds = {(d.kind, d.topic) for p in previous for d in p.divergences}
            assert [s.new for s in story.digest.sentences] == [s.text not in shown for s in story.digest.sentences]
            assert [d.new for d in story.divergences] == [(d.kind, d.topic) not in kinds for d in story.divergences]
    assert not any(s.new for story in fourth.stories for s in story.digest.sentences)
    assert any(s.new for s in _story_with(second, "Y").digest.sentences)


def test_a_story_without_new_articles_is_not_updated_and_news_comes_first(stream):
    editions, _, _ = stream
    reports = [r for r, _ in editions]
    x = [_story_with(r, "X") for r in reports]
    assert [s.updated for s in x] == ["2021-10-18T14:00:00+02:00", "2021-10-18T14:00:00+02:00",
                                      "2021-10-18T16:00:00+02:00", "2021-10-18T16:00:00+02:00"]
    assert all(s.first_seen == "2021-10-18T14:00:00+02:00" for s in x)
    for report in reports:
        flags = [bool(s.new_article_ids) for s in report.stories]
        assert flags == sorted(flags, reverse=True), "stories with news first"
    assert reports[1].stories[0].id == _story_with(reports[1], "Y").id or reports[1].stories[0].new_article_ids


def test_atom_entry_ids_are_stable_and_updated_moves_only_on_change(stream):
    editions, _, _ = stream
    def entry_with(run_dir: Path, key: str) -> tuple[str, str]:
        """(id, updated) of the feed entry that links the article `key` (found by link, not by story id)."""
        feed = ET.fromstring((run_dir / "feed.atom").read_text())
        found = [(e.findtext(f"{ATOM}id"), e.findtext(f"{ATOM}updated")) for e in feed.iter(f"{ATOM}entry")
                 if any(link.get("href", "").endswith(f"/a/{key}") for link in e.iter(f"{ATOM}link"))]
        assert len(found) == 1
        return found[0]

    x = [entry_with(run_dir, "X-left") for _, run_dir in editions]
    y = [entry_with(run_dir, "Y-left") for _, run_dir in editions]
    assert len({i for i, _ in x}) == 1 and len({i for i, _ in y}) == 1 and x[0][0] != y[0][0]
    assert [u for _, u in x] == ["2021-10-18T12:00:00Z", "2021-10-18T12:00:00Z",
                                 "2021-10-18T14:00:00Z", "2021-10-18T14:00:00Z"]
    assert [u for _, u in y] == ["2021-10-18T12:00:00Z", "2021-10-18T13:00:00Z",
                                 "2021-10-18T13:00:00Z", "2021-10-18T13:00:00Z"]
    # JSON Feed: the same ids, and date_modified moves exactly as Atom's updated does.
    for (_, run_dir), x_entry in zip(editions, x):
        items = json.loads((run_dir / "feed.json").read_text())["items"]
        [item] = [i for i in items if any(src["url"].endswith("/a/X-left") for src in i["_newsdigest"]["sources"])]
        assert (item["id"], item["date_modified"]) == x_entry


def test_markdown_shows_new_markers_timeline_and_coverage_by_tag(stream):
    editions, _, _ = stream
    report, run_dir = editions[2]
    text = (run_dir / "digest.md").read_text()
    assert "previous edition 2021-10-18 15:00" in text and "new since 15:00" in text
    assert "**Updated**: 1 new article, new since 15:00." in text
    assert "Timeline:" in text
    x = _story_with(report, "X")
    timeline = text.split(f"## {x.title}")[1].split("Timeline:")[1].split("\n## ")[0]
    lines = [ln for ln in timeline.splitlines() if ln.startswith("- ")]
    # In time order: the late X-right (09:00 Paris) first, and marked new.
    assert len(lines) == 3 and "2021-10-18 09:00" in lines[0] and lines[0].endswith("**[new]**")
    # X-right came from a file, without tags: right-leaning feeds (with articles in the window) missed X.
    assert "*Coverage by lean: center 1 · left 1 · right 0 · blind spot: right*" in text


def test_blind_spots_and_coverage_sides_name_the_tags(stream):
    editions, _, _ = stream
    first = editions[0][0]
    [lean] = _story_with(first, "X").coverage
    # No right-leaning feed had an article in the first window: "right" is not a value yet.
    assert lean.counts == {"center": 1, "left": 1} and lean.blind_spots == []
    [lean] = _story_with(first, "Y").coverage
    assert lean.counts == {"center": 0, "left": 1} and lean.blind_spots == []  # two sources: no blind spot
    third = editions[2][0]
    [lean] = _story_with(third, "X").coverage
    assert lean.counts == {"center": 1, "left": 1, "right": 0} and lean.blind_spots == ["right"]
    p = _story_with(third, "P")
    assert p.coverage[0].counts == {"center": 1, "left": 1, "right": 1} and p.coverage[0].blind_spots == []
    items = [d for s in third.stories for d in s.divergences if d.kind == "coverage"]
    assert items, "no coverage divergence to check"
    tags = {a.id: a.tags.get("lean") for a in third.articles}
    for item in items:
        carry = {tags[a] for p in item.positions if p.citations for a in p.article_ids} - {None}
        omit = {tags[a] for p in item.positions if not p.citations for a in p.article_ids} - {None}
        assert item.tag_sides.get("carry", {}).get("lean", []) == sorted(carry)
        assert item.tag_sides.get("omit", {}).get("lean", []) == sorted(omit)
        if carry:
            assert f"Carried by lean {', '.join(sorted(carry))}" in item.summary
        if omit:
            assert f"left out by lean {', '.join(sorted(omit))}" in item.summary.replace("Left out", "left out")
    assert any(item.tag_sides for item in items)


def test_blind_spot_on_a_story_three_sources_covered():
    from pipeline.editions import tag_coverage
    from pipeline.report.schema import ArticleModel, DigestModel, DigestReport, StoryModel

    def article(i: str, source: str, lean: str) -> ArticleModel:
        return ArticleModel(id=i, title=i, path=i, sha256=i, source=source, tags={"lean": lean},
                            digest=DigestModel(text="", sentences=[]), sentences=[])

    articles = [article("a", "A", "left"), article("b", "B", "left"), article("c", "C", "center"),
                article("d", "D", "right")]
    stories = [StoryModel(id="s1", title="", article_ids=["a", "b", "c"], digest=DigestModel(text="", sentences=[]),
                          divergences=[]),
               StoryModel(id="s2", title="", article_ids=["d"], digest=DigestModel(text="", sentences=[]),
                          divergences=[])]
    report = tag_coverage(DigestReport(generated_at="2026-12-02T10:00:00Z", models={}, articles=articles,
                                       stories=stories, warnings=[], timings={}))
    assert report.stories[0].coverage[0].counts == {"center": 1, "left": 2, "right": 0}
    assert report.stories[0].coverage[0].blind_spots == ["right"]
    assert report.stories[1].coverage[0].blind_spots == []


def test_eml_parses_into_text_and_html_parts(stream):
    editions, _, _ = stream
    report, run_dir = editions[1]
    message = email.message_from_bytes((run_dir / "digest.eml").read_bytes())
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == f"News digest: {len(report.stories)} stories, 2021-10-18 15:00"
    assert message["From"] == "Digest <digest@example.org>" and message["To"] == "reader@example.org"
    assert message["Date"] == "Mon, 18 Oct 2021 15:00:00 +0200" and message["Message-ID"].endswith("@example.org>")
    assert "20211018T130000Z" in message["Message-ID"]
    parts = {p.get_content_type(): p.get_payload(decode=True).decode(p.get_content_charset()) for p in message.walk()
             if not p.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}
    assert parts["text/plain"] == (run_dir / "digest.md").read_text()
    html = parts["text/html"]
    assert "<script" not in html.lower() and "<style" not in html.lower() and "<link" not in html.lower()
    assert 'class="new" style="' in html and "background: #ffd600" in html.replace("background-color", "background")
    assert "http://" not in html.split("<body")[0] and "src=" not in html


def test_archive_lists_every_kept_edition_and_pages_link_the_previous(stream):
    editions, out, _ = stream
    archive = (out / "archive.html").read_text()
    folders = [run_dir.name for _, run_dir in editions]
    assert folders == ["20211018T120000Z", "20211018T130000Z", "20211018T140000Z", "20211018T150000Z"]
    positions = [archive.index(f'href="runs/{f}/index.html"') for f in folders]
    assert positions == sorted(positions, reverse=True), "newest first"
    assert "4 editions kept" in archive
    for (_, before), (_, after) in zip(editions, editions[1:]):
        page = (after / "index.html").read_text()
        assert f'href="../{before.name}/index.html" rel="prev"' in page
        assert (after / f"../{before.name}/index.html").resolve().exists()
    assert 'href="../../archive.html"' in (editions[0][1] / "index.html").read_text()
    assert 'rel="prev"' not in (editions[0][1] / "index.html").read_text()


def test_top_page_is_the_latest_edition_with_links_that_resolve_as_a_browser_resolves_them(stream):
    """A browser resolves links by the page's URL, not through the `latest` symlink: the run folder's
    page opened as latest/index.html points one folder too high; OUT/index.html must not."""
    from urllib.parse import urljoin, urlsplit

    editions, out, _ = stream
    top = (out / "index.html").read_text()
    latest_report, latest_dir = editions[-1]

    def hrefs(page: str, base: Path) -> dict[str, Path]:
        found: dict[str, Path] = {}
        links = [p for p in re.findall(r'<p class="edition">(.*?)</p>', page, re.S) if "href=" in p]
        for link in re.findall(r'href="([^"]+)"', links[0]):
            found[link] = Path(urlsplit(urljoin(base.as_uri() + "/", link)).path)
        return found

    top_links = hrefs(top, out)
    assert top_links == {f"runs/{editions[-2][1].name}/index.html": editions[-2][1] / "index.html",
                         "archive.html": out / "archive.html"}
    assert all(path.exists() for path in top_links.values())
    for story in latest_report.stories:
        assert f'id="{story.id}"' in top
    # The run folder's own page, opened through latest/, is what the top page exists for.
    through_latest = hrefs((out / "latest" / "index.html").read_text(), out / "latest")
    assert not any(path.exists() for path in through_latest.values())


def test_index_anchors_are_the_story_ids(stream):
    editions, _, _ = stream
    for report, run_dir in editions:
        page = (run_dir / "index.html").read_text()
        for story in report.stories:
            assert f'<section class="story" id="{story.id}">' in page and f'href="#{story.id}"' in page


def test_assign_stories_keeps_articles_and_merges_under_the_oldest():
    known = {"a": "s_old", "b": "s_young", "c": "s_other", "d": "s_other"}
    first_seen = {"s_old": "2026-12-01T00:00:00Z", "s_young": "2026-12-02T00:00:00Z",
                  "s_other": "2026-11-30T00:00:00Z"}
    groups = [["x", "b", "a"], ["c"], ["y"], ["z", "d"]]
    assigned = assign_stories(groups, known, first_seen, lambda ids: "new_" + "_".join(sorted(ids)))
    assert [(s.id, s.article_ids, s.merged_ids) for s in assigned] == [
        ("s_old", ("x", "b", "a"), ("s_young",)),
        ("s_other", ("c", "z", "d"), ()),
        ("new_y", ("y",), ()),
    ]


def test_store_default_window_is_edition_window():
    from pipeline.cli.summarise import _store_query

    settings = Settings.model_validate({"edition": {"window": "6h"}})
    query = _store_query(Path("s.sqlite"), None, "2026-12-02T12:00:00Z", settings)
    assert (query.since, query.until) == ("2026-12-02T06:00:00Z", "2026-12-02T12:00:00Z")


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("Chromium is not installed: run `make test` (apt-get install -y chromium)", pytrace=False)


def _marker_pixels(png: Path) -> int:
    """Pixels of the "new" marker's yellow (#ffd600) in a screenshot."""
    from PIL import Image

    with Image.open(png) as image:
        rgb = image.convert("RGB")
        return sum(1 for r, g, b in rgb.get_flattened_data() if r > 240 and 200 <= g <= 225 and b < 30)


def test_each_edition_in_chromium_runs_no_script_and_shows_new_markers(stream, tmp_path):
    editions, _, _ = stream
    chromium = _chromium()
    common = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    seen = []
    for number, (report, run_dir) in enumerate(editions):
        page = run_dir / "index.html"
        dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                             timeout=90, check=True).stdout
        assert "<script" not in dom.lower() and report.stories[0].title.split()[0] in dom
        assert dom.count('class="new"') == len(_new_markers(report))
        shot = tmp_path / f"shot{number}.png"
        subprocess.run([*common, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=90, check=True)
        seen.append(_marker_pixels(shot))
    # First edition: nothing to compare with, no markers; the second and third have news at the top.
    assert seen[0] == 0 and seen[3] == 0
    assert seen[1] > 200 and seen[2] > 200


def _new_markers(report) -> list[str]:
    """Every place index.html should put a "new" marker, from the report alone."""
    if report.edition.previous is None:
        return []
    marks = ["header"] if any(s.new_article_ids for s in report.stories) else []
    for story in report.stories:
        if story.new_article_ids:
            marks += ["toc", "story"] + ["source"] * len(story.new_article_ids) + ["timeline"] * len(story.new_article_ids)
        marks += ["sentence" for s in story.digest.sentences if s.new]
        marks += ["divergence" for d in story.divergences if d.new]
    return marks


def test_plain_files_are_no_edition(tmp_path, fake_bundle):
    """Without a store: no edition, nothing marked new, no archive of editions in the JSON, no timeline."""
    from tests.conftest import SEEDS

    settings = Settings.model_validate({"output": {"formats": ["md", "json", "html"]}})
    result = summarise_paths([SEEDS], settings, tmp_path / "out", fake_bundle)
    report = result.report
    assert report.edition is None and report.schema_version == 3
    assert all(not s.new_article_ids and s.first_seen is None and s.updated is None and not s.merged_ids
               and not s.coverage for s in report.stories)
    assert not any(x.new for s in report.stories for x in s.digest.sentences)
    assert not any(x.new for a in report.articles for x in a.digest.sentences)
    assert "Timeline" not in result.markdown and "[new]" not in result.markdown
    page = (result.run_dir / "index.html").read_text()
    assert 'class="new"' not in page and 'rel="prev"' not in page
    assert not (tmp_path / "out" / "archive.html").exists() and 'archive.html' not in page
    assert {p.name for p in result.run_dir.iterdir()} == {"digest.md", "digest.json", "index.html"}


def test_archive_lists_only_the_kept_editions_newest_first(tmp_path):
    from pipeline.publish import prune_runs, run_folders
    from pipeline.report.archive import render_archive

    runs = tmp_path / "runs"
    for hour in range(5):
        folder = runs / f"20211018T{10 + hour:02d}0000Z"
        folder.mkdir(parents=True)
        (folder / "index.html").write_text("page")
        (folder / "edition.json").write_text(json.dumps(
            {"time": f"2021-10-18T{10 + hour:02d}:00:00Z", "label": f"18 Oct {10 + hour}:00", "stories": hour,
             "articles": 2 * hour, "with_news": 1}))
    removed = prune_runs(tmp_path, 3)
    page = render_archive(run_folders(tmp_path))
    assert [p.name for p in removed] == ["20211018T100000Z", "20211018T110000Z"]
    hrefs = re.findall(r'href="(runs/[^"]+)"', page)
    assert hrefs == [f"runs/20211018T{h}0000Z/index.html" for h in (14, 13, 12)]
    assert "18 Oct 14:00" in page and "4 stories, 8 articles, 1 with news" in page and "3 editions kept" in page
    assert "<script" not in page
