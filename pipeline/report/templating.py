"""The one Jinja environment: Markdown templates as written, HTML templates and snippets autoescaped."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

# Article text is untrusted: everything bound for HTML is escaped, Markdown is not.
env = Environment(
    loader=PackageLoader("pipeline.report", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
    undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
)
