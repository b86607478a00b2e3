"""The output folder's own pages: archive.html (every kept edition, newest first, each linking its page)
and index.html (the edition `latest` shows, linked from there); and the small summary (`edition.json`)
each run folder keeps so that the archive never reads whole reports."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from .edition import shown_time
from .html import render_html
from .schema import DigestReport
from .templating import env

SUMMARY_NAME = "edition.json"

_PAGE = env.from_string("""\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="newsdigest">
<title>News digest · all editions</title>
<style>
:root{color-scheme:light dark}
body{margin:0;font:17px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
.wrap{max-width:42rem;margin:0 auto;padding:1rem}
ol{list-style:none;padding:0}
li{padding:.5rem 0;border-bottom:1px solid #dadce0}
.meta{color:#5f6368;font-size:.9rem}
</style>
</head>
<body>
<div class="wrap">
<h1>News digest · all editions</h1>
<p class="meta">{{ entries | length }} {{ "edition" if entries | length == 1 else "editions" }} kept, newest first</p>
<ol>
{% for e in entries %}
<li><a href="{{ e.href }}">{{ e.label }}</a> <span class="meta">· {{ e.detail }}</span></li>
{% endfor %}
</ol>
</div>
</body>
</html>
""")


@dataclass(frozen=True)
class ArchiveEntry:
    href: str    # relative to the output folder: runs/<time>/index.html
    label: str   # the edition's time as shown
    detail: str  # "12 stories, 3 with news"


def edition_summary(report: DigestReport) -> str:
    """What the archive shows of one run, kept beside its report."""
    updated = sum(1 for s in report.stories if s.new_article_ids)
    when = report.edition.until if report.edition else report.generated_at
    return json.dumps({"time": when, "label": shown_time(when, report) if report.edition else when,
                       "stories": len(report.stories), "articles": len(report.articles),
                       "with_news": updated if report.edition else None}) + "\n"


def archive_entry(folder: str, files: Sequence[str], summary: Mapping[str, object] | None) -> ArchiveEntry:
    page = "index.html" if "index.html" in files else "digest.md" if "digest.md" in files else ""
    href = f"runs/{folder}/{page}" if page else f"runs/{folder}/"
    if not summary:
        return ArchiveEntry(href, folder, "")
    stories = int(summary.get("stories", 0))  # type: ignore[call-overload]
    detail = f"{stories} {'story' if stories == 1 else 'stories'}, {summary.get('articles', 0)} articles"
    if summary.get("with_news") is not None:
        detail += f", {summary['with_news']} with news"
    return ArchiveEntry(href, str(summary.get("label") or folder), detail)


def render_archive(run_folders: Sequence[Path]) -> str:
    """The page, from the kept run folders (oldest first, as publish lists them), newest first."""
    entries = []
    for folder in reversed(run_folders):
        try:
            summary = json.loads((folder / SUMMARY_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            summary = None  # a folder from before editions: listed by its name
        entries.append(archive_entry(folder.name, [p.name for p in folder.iterdir()], summary))
    return _PAGE.render(entries=entries)


def previous_page(run_folders: Sequence[Path], name: str) -> str | None:
    """`<folder>/index.html` of the run just before the one named `name`, when that run has a page."""
    earlier = [p for p in run_folders if p.name < name]
    return f"{earlier[-1].name}/index.html" if earlier and (earlier[-1] / "index.html").exists() else None


def folder_pages(report: DigestReport, run_folders: Sequence[Path], run_dir: Path | None,
                 settings: Settings) -> dict[str, str]:
    """For an edition with an HTML page: archive.html, and index.html, the page of the run just
    written with its links relative to the output folder. A run folder's own page links
    `../<previous>/` and `../../archive.html`, which a browser resolves wrongly when it opens the
    page through `latest/` (one folder less deep), so readers and web servers get this copy at the top."""
    if report.edition is None or "html" not in settings.output.formats or run_dir is None:
        return {}
    previous = previous_page(run_folders, run_dir.name)
    page = render_html(report, settings.divergence.markdown_items, previous and f"runs/{previous}", "archive.html")
    return {"index.html": page, "archive.html": render_archive(run_folders)}
