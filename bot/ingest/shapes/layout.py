"""What every markup becomes before its shape is recognised: plain text plus the structure read from it.

A `Layout` is the document's text (the text offsets everywhere refer to), its headings, its key/value rows
(infobox lines or two-cell table rows), an explicit title where the markup marks one, and front matter.
Renderers for HTML and Markdown produce the text; plain text is its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.ingest.text import Span


@dataclass(frozen=True)
class Heading:
    level: int  # 1 for a title, 2 for a section, 3+ for subsections
    start: int  # the heading line
    end: int
    text: str


@dataclass
class Layout:
    text: str
    markup: str  # "plain" | "wiki" | "markdown" | "html"
    headings: list[Heading] = field(default_factory=list)
    pairs: list[tuple[str, Span]] = field(default_factory=list)  # (lower-cased key, value span)
    title: Span | None = None
    frontmatter: dict[str, Span] = field(default_factory=dict)
    body_start: int = 0


class Writer:
    """Builds rendered text line by line, remembering where each piece landed."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.headings: list[Heading] = []
        self.pairs: list[tuple[str, Span]] = []
        self.title: Span | None = None

    def _put(self, text: str) -> int:
        start = self.size
        self.parts.append(text)
        self.size += len(text)
        return start

    def blank(self) -> None:
        if self.parts and not "".join(self.parts[-2:]).endswith("\n\n"):
            self._put("\n")

    def line(self, text: str, prefix: str = "") -> Span | None:
        text = " ".join(text.split())
        if not text:
            return None
        start = self._put(prefix) + len(prefix)
        self._put(text + "\n")
        return Span(start, start + len(text), text)

    def paragraph(self, text: str) -> None:
        self.blank()
        self.line(text)
        self.blank()

    def heading(self, level: int, text: str) -> None:
        self.blank()
        span = self.line(text)
        if span is None:
            return
        if level == 1 and self.title is None:
            self.title = span
        self.headings.append(Heading(level, span.start, span.end, span.text))
        self.blank()

    def pair(self, key: str, value: str, prefix: str = "- ") -> None:
        key, value = " ".join(key.split()).rstrip(":"), " ".join(value.split())
        if not key or not value:
            return
        span = self.line(f"{key}: {value}", prefix)
        if span is not None:
            start = span.start + len(key) + 2
            self.pairs.append((key.lower(), Span(start, span.end, value)))

    def text(self) -> str:
        return "".join(self.parts).rstrip("\n") + "\n"
