"""A parsed document: its text, shape, title, front matter, infobox and named sections."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.ingest.text import Span

# Canonical section names, recognised from heading words (headings, fan-site questions, contents entries).
SECTION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cast", ("cast", "characters", "who plays", "starring", "actors")),
    ("plot", ("plot", "synopsis", "story", "storyline", "premise", "ending", "what happens")),
    ("soundtrack", ("soundtrack", "music", "songs", "score")),
    ("reception", ("reception", "critic", "review", "rating", "audiences", "response", "accolades")),
    ("release", ("release", "premiere", "distribution", "box office")),
    ("production", ("production", "development", "filming", "casting", "background")),
    ("trailer", ("trailer",)),
)


def canonical_section(heading: str) -> str:
    low = heading.lower()
    for name, keys in SECTION_WORDS:
        if any(re.search(rf"\b{re.escape(k)}", low) for k in keys):
            return name
    return "other"


@dataclass(frozen=True)
class Section:
    name: str  # canonical name ("plot", "cast", ...) or "lead" / "other"
    heading: str
    start: int
    end: int


@dataclass
class Doc:
    name: str
    text: str
    shape: str  # "encyclopedia" | "qa" | "rewrite" | "review" | "blog" | "unknown"
    markup: str = "plain"  # "plain" | "wiki" | "markdown" | "html"
    title: Span | None = None
    frontmatter: dict[str, Span] = field(default_factory=dict)
    infobox: list[tuple[str, Span]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    body_start: int = 0
    why: str = ""  # why this shape: for the DEBUG log and /sources
    titled: bool = False  # the markup marks the title (h1, `= Title =`, <title>), not just a first line

    def section_spans(self, name: str) -> list[Section]:
        return [s for s in self.sections if s.name == name]

    def section_at(self, pos: int) -> str:
        for s in self.sections:
            if s.start <= pos < s.end:
                return s.name
        return "other"
