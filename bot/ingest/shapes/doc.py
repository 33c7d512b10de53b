"""A parsed document: its text, shape, title, front matter, infobox and named sections."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.ingest.text import Span

# Canonical section names, recognised from heading words (headings, fan-site questions, contents entries).
SECTION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cast", ("cast", "characters", "who plays", "starring", "actors")),
    (
        "plot",
        (
            "plot",
            "synopsis",
            "story",
            "storyline",
            "premise",
            "setup",
            "set-up",
            "ending",
            "what happens",
            "about?",
        ),
    ),
    ("soundtrack", ("soundtrack", "music", "songs", "score")),
    ("reception", ("reception", "critic", "review", "rating", "audiences", "response", "accolades")),
    ("release", ("release", "premiere", "distribution", "box office")),
    ("production", ("production", "development", "filming", "casting", "background")),
    ("trailer", ("trailer",)),
)


# A section headed "Summary" is the plot summary in a document that names no plot section otherwise (an
# encyclopedia's "Summary"); beside a "Plot" section it is the document summing itself up.
PLOT_FALLBACK = re.compile(r"^\W*summary\W*$", re.IGNORECASE)


# Each section's words as one pattern: a heading names the section when any of them starts a word in it.
_SECTION_PATTERNS = tuple(
    (name, re.compile("|".join(rf"\b{re.escape(k)}" for k in keys))) for name, keys in SECTION_WORDS
)


def canonical_section(heading: str) -> str:
    low = heading.lower()
    for name, pattern in _SECTION_PATTERNS:
        if pattern.search(low):
            return name
    return "other"


@dataclass(frozen=True)
class Section:
    name: str  # canonical name ("plot", "cast", ...) or "lead" / "other"
    heading: str
    start: int
    end: int


def opening_end(sections: list[Section], size: int) -> int:
    named = next((s for s in sections[1:] if s.name not in {"other", "lead"}), None)
    return named.start if named is not None else size


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
    details: list[tuple[str, Span]] = field(default_factory=list)  # key/value blocks after the opening

    def section_spans(self, name: str) -> list[Section]:
        return [s for s in self.sections if s.name == name]

    def opening_end(self) -> int:
        """Where the document's opening ends: at its first named section. The opening is the lead and any
        unnamed sections before that (a tagline standing alone may read as a heading above an infobox)."""
        return opening_end(self.sections, len(self.text))

    def section_at(self, pos: int) -> str:
        for s in self.sections:
            if s.start <= pos < s.end:
                return s.name
        return "other"
