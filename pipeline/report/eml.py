"""digest.eml: the digest as one mail (MIME multipart/alternative: the Markdown as text, the page as HTML
with its CSS inlined), ready for `sendmail -t`."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import css_inline

from ..clock import parse_utc
from .edition import shown_time
from .schema import DigestReport

# Mail clients drop <style> and most of <head>; what must survive is inlined, the rest removed.
_CHECKBOX = re.compile(r"<input [^>]*>")
_META_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?')
_ROOT_VARS = re.compile(r":root\{([^}]*)\}")
_VAR = re.compile(r"var\((--[a-z-]+)\)")


def render_eml(report: DigestReport, markdown: str, html: str, mail_from: str, mail_to: str) -> str:
    """The mail; Date is the edition's time (the run's outside editions), Message-ID unique per edition."""
    # In the edition's zone (its `until` carries the offset), as a reader's mail client would show it.
    when = datetime.fromisoformat(report.edition.until) if report.edition else parse_utc(report.generated_at)
    stories = len(report.stories)
    message = EmailMessage()
    message["Subject"] = f"News digest: {stories} {'story' if stories == 1 else 'stories'}, {_date(report)}"
    message["From"] = mail_from
    message["To"] = mail_to
    message["Date"] = format_datetime(when)
    message["Message-ID"] = make_msgid(idstring=when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"), domain=_domain(mail_from))
    message.set_content(markdown)
    message.add_alternative(mail_html(html), subtype="html")
    return message.as_string()


def mail_html(html: str) -> str:
    """The page for a mail client: CSS moved into style attributes, no <style>, no form inputs (tapping a
    [n] needs CSS that mail clients drop; the title attribute still shows the cited sentence)."""
    inlined = css_inline.inline(_light_colours(_META_CSP.sub("", html)))
    return _CHECKBOX.sub("", inlined)


def _light_colours(html: str) -> str:
    """CSS variables replaced by the light theme's values: most mail clients resolve no var()."""
    found = _ROOT_VARS.search(html)
    if not found:
        return html
    values = dict(re.findall(r"(--[a-z-]+):([^;]+)", found[1]))
    return _VAR.sub(lambda m: values.get(m[1], m[0]), html)


def _date(report: DigestReport) -> str:
    stamp = report.edition.until if report.edition else report.generated_at
    return shown_time(stamp, report)


def _domain(address: str) -> str:
    match = re.search(r"@([A-Za-z0-9.-]+)", address)
    return match[1] if match else "localhost"
