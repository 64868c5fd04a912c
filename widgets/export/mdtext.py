"""Markdown escaping: data text as literal Markdown, links, table cells, fences."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import quote as _url_quote

from sitmon.widgets.render_util import safe

from .safety import is_web_url

# --------------------------------------------------------------------------- Markdown text

_MD_ESCAPE = re.compile(r"([\\`*_\[\]<>|~$])")
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# Characters kept as they are in a link destination; everything else is %-encoded
# (spaces, parentheses, angle brackets, `|`, backslashes, quotes, non-ASCII).
_URL_SAFE = "-._~:/?#[]@!$&'*+,;=%"


def _md(text: str, ascii: bool) -> str:
    """Data text as literal Markdown, on one line (no markup, no HTML, no links)."""
    text = _MD_ESCAPE.sub(r"\\\1", safe(text, ascii=ascii).strip())
    return _MD_ENTITY.sub(r"\\&", text)  # after: its backslash must not be escaped


def _md_url(url: str) -> str:
    return _url_quote(url, safe=_URL_SAFE)


def _md_link(label: str, url: str, ascii: bool) -> str:
    """``[label](url)`` for an http(s) URL; other URLs are not links (label only)."""
    text = _md(label, ascii)
    if is_web_url(url):
        return f"[{text}]({_md_url(url)})"
    return text


def _md_cell(text: str) -> str:
    """Already-escaped Markdown for a table cell: one line, never empty-looking broken."""
    return " ".join(text.split()) or " "


def _md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        assert len(row) == len(header)
        out.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    return out


def _fence(lines: list[str], info: str = "text") -> list[str]:
    longest = 0
    for line in lines:
        for run in re.findall(r"`+", line):
            longest = max(longest, len(run))
    fence = "`" * max(3, longest + 1)
    return [fence + info, *lines, fence]
