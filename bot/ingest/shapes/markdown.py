"""Markdown (and the front matter of static-site pages) as a `Layout`.

Front matter (`---` lines of `key: value` at the very top) is kept as it was written, so its values keep
their offsets. The body is parsed with markdown-it-py (CommonMark, plus tables; inline HTML allowed, as in
Jekyll or Hugo pages) and rendered through the HTML reader, so `#`/`##` headings, `- **Actor** as Character`
lists, tables and emphasis read exactly as the same structure would in a web page.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from markdown_it import MarkdownIt

from bot.ingest.shapes import html
from bot.ingest.shapes.layout import Heading, Layout
from bot.ingest.text import Span

_FRONT = re.compile(r"\A---[ ]*\n((?:.*\n)*?)---[ ]*\n")
_FRONT_LINE = re.compile(r"^([A-Za-z_][\w-]*):[ ]*(.*?)\s*$", re.MULTILINE)
_MD = MarkdownIt("commonmark", {"html": True}).enable("table")
logging.getLogger("markdown_it").setLevel(logging.INFO)  # its DEBUG traces every block rule it tries


def frontmatter(text: str) -> tuple[dict[str, Span], int]:
    """`key: value` lines between `---` lines at the top; and where the body starts (0 without any)."""
    front = _FRONT.match(text)
    if not front:
        return {}, 0
    fields: dict[str, Span] = {}
    base = front.start(1)
    for m in _FRONT_LINE.finditer(front.group(1)):
        value, start = m.group(2), base + m.start(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value, start = value[1:-1], start + 1
        fields[m.group(1).lower()] = Span(start, start + len(value), value)
    return fields, front.end()


def render(text: str) -> Layout:
    fields, body_start = frontmatter(text)
    body = html.render(_MD.render(text[body_start:]))
    head = text[:body_start]
    shift = len(head)

    def moved(span: Span | None) -> Span | None:
        return None if span is None else Span(span.start + shift, span.end + shift, span.text)

    return Layout(
        text=head + body.text,
        markup="markdown",
        headings=[replace(h, start=h.start + shift, end=h.end + shift) for h in body.headings],
        pairs=[(key, Span(s.start + shift, s.end + shift, s.text)) for key, s in body.pairs],
        title=moved(body.title),
        frontmatter=fields,
        body_start=body_start,
    )


def looks_like_markdown(text: str) -> bool:
    """ATX headings, a table's separator row, bold list items or front matter: Markdown's own structure."""
    # Each pattern is tried only on a text holding the characters every match of it has.
    return bool(
        _FRONT.match(text)
        or ("#" in text and re.search(r"^#{1,6}[ \t]+\S", text, re.MULTILINE))
        or (
            "---" in text
            and "|" in text
            and re.search(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*\|", text, re.MULTILINE)
        )
        or ("**" in text and re.search(r"^[ \t]*[-*+][ \t]+\*\*[^*\n]+\*\*", text, re.MULTILINE))
    )


__all__ = ["Heading", "frontmatter", "looks_like_markdown", "render"]
