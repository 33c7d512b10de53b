"""A document's shape and structure, recognised from its structure alone (never from its file name, nor from
words about one film).

First the markup is read into a `Layout` (text, headings, key/value rows, title): HTML (`html.py`),
Markdown or front matter (`markdown.py`), or plain text with its own heading conventions (`plain.py`).
Then the shape is decided from that structure (`genre.py`): encyclopedia, qa (fan site), rewrite (a spun
copy), review, blog; or unknown, which is skipped with a warning.
"""

from __future__ import annotations

import logging
import re

from bot.ingest.shapes import html, markdown, plain
from bot.ingest.shapes.doc import Doc, Section, canonical_section
from bot.ingest.shapes.genre import build_doc
from bot.ingest.shapes.layout import Layout

log = logging.getLogger(__name__)

_HTML = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<(?:p|div|h[1-6]|li|table|span|a|br)\b[^>]*>", re.IGNORECASE)
# A text that is more markup than prose (a fragment without <html>): at least this many block or inline tags
# per thousand characters. Prose that quotes a tag or two (the bundled review has two) stays far below.
HTML_TAGS_PER_1000 = 5.0


def looks_like_html(text: str) -> bool:
    if _HTML.match(text):
        return True
    return (
        len(_TAGS.findall(text)) * 1000 / max(1, len(text)) >= HTML_TAGS_PER_1000 and text.lstrip()[:1] == "<"
    )


def layout(text: str) -> Layout:
    """The document's markup, read."""
    if looks_like_html(text):
        return html.render(text)
    if markdown.looks_like_markdown(text):
        return markdown.render(text)
    return plain.render(text)


def parse(name: str, text: str) -> Doc:
    """Recognise the shape and structure of a normalised document."""
    read = layout(text)
    doc = build_doc(name, read)
    log.debug("%s: %s (%s markup): %s", name, doc.shape, doc.markup, doc.why)
    return doc


__all__ = ["Doc", "Layout", "Section", "canonical_section", "layout", "looks_like_html", "parse"]
