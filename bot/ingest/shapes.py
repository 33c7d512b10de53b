"""Recognise a document's shape from its structure, and find its title, front matter, infobox and sections.

Shapes (never decided by file name or by words about one film):
- review: YAML front matter between `---` lines;
- encyclopedia: `==Section==` headings, optionally a `= Title =` line and an infobox of `- Key: value` lines;
- qa: a fan-site page of questions ("What is ...?") with `Actor  as Character` lines;
- rewrite: a numbered table of contents and the title repeated between paragraphs (a spun copy of an article);
- blog: a title line followed by paragraphs of prose.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bot.ingest.text import Span, paragraphs

# Canonical section names, recognised from heading words.
SECTION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cast", ("cast", "characters", "who plays", "starring")),
    ("plot", ("plot", "synopsis", "story", "storyline")),
    ("soundtrack", ("soundtrack", "music", "songs", "score")),
    ("reception", ("reception", "critic", "review", "rating", "audiences")),
    ("release", ("release", "premiere", "distribution")),
    ("production", ("production", "development", "filming", "casting")),
    ("trailer", ("trailer",)),
)


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
    shape: str
    title: Span | None = None
    frontmatter: dict[str, Span] = field(default_factory=dict)
    infobox: list[tuple[str, Span]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    body_start: int = 0

    def section_spans(self, name: str) -> list[Section]:
        return [s for s in self.sections if s.name == name]

    def section_at(self, pos: int) -> str:
        for s in self.sections:
            if s.start <= pos < s.end:
                return s.name
        return "other"


_FRONT = re.compile(r"\A---\n((?:.*\n)*?)---\n")
_FRONT_LINE = re.compile(r"^([A-Za-z_][\w-]*):[ ]*(.*?)\s*$", re.MULTILINE)
_EQ_HEADING = re.compile(r"^(={2,})\s*([^=\n]+?)\s*\1\s*$", re.MULTILINE)
_EQ_TITLE = re.compile(r"\A\s*=\s*([^=\n]+?)\s*=\s*$", re.MULTILINE)
_INFOBOX = re.compile(r"^[-*]\s*([A-Z][A-Za-z ()/]{1,40}):\s*(\S.*?)\s*$", re.MULTILINE)
_QUESTION = re.compile(
    r"^(?:What|Who|When|Where|Which|How|Is|Are|Does|Do|Can|Will|Why)\b[^\n]{3,150}\?\s*$", re.MULTILINE
)
_CAST_GAP = re.compile(r"^\S[^\n]*?\S {2,}as \S", re.MULTILINE)
_TOC = re.compile(r"^[ ]+\d+\.[ ]+(\S[^\n]{0,40}?)\s*$", re.MULTILINE)


def canonical_section(heading: str) -> str:
    low = heading.lower()
    for name, keys in SECTION_WORDS:
        if any(re.search(rf"\b{re.escape(k)}", low) for k in keys):
            return name
    return "other"


def parse(name: str, text: str) -> Doc:
    """Recognise the shape and structure of a normalised document."""
    front = _FRONT.match(text)
    if front:
        return _review(name, text, front)
    if len(_EQ_HEADING.findall(text)) >= 2:
        return _encyclopedia(name, text)
    if len(_QUESTION.findall(text)) >= 2 and len(_CAST_GAP.findall(text)) >= 3:
        return _qa(name, text)
    toc = _toc(text)
    if len(toc) >= 3:
        return _rewrite(name, text, toc)
    return _blog_or_unknown(name, text)


def _first_line(text: str, start: int = 0) -> Span | None:
    match = re.compile(r"^[ ]*(\S[^\n]*?)\s*$", re.MULTILINE).search(text, start)
    return Span(match.start(1), match.end(1), match.group(1)) if match else None


def _review(name: str, text: str, front: re.Match[str]) -> Doc:
    fields: dict[str, Span] = {}
    base = front.start(1)
    for m in _FRONT_LINE.finditer(front.group(1)):
        value = m.group(2)
        vstart = base + m.start(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value, vstart = value[1:-1], vstart + 1
        fields[m.group(1).lower()] = Span(vstart, vstart + len(value), value)
    body = front.end()
    title = fields.get("title")
    doc = Doc(name, text, "review", title=title, frontmatter=fields, body_start=body)
    doc.sections = [Section("review", "", body, len(text))]
    return doc


def _cut(lead: Section, headings: list[tuple[int, int, str]], length: int) -> list[Section]:
    """Sections from heading positions: each runs from the end of its heading to the next heading."""
    sections = [lead]
    for i, (_, h_end, heading) in enumerate(headings):
        end = headings[i + 1][0] if i + 1 < len(headings) else length
        sections.append(Section(canonical_section(heading), heading, h_end, end))
    return sections


def _encyclopedia(name: str, text: str) -> Doc:
    title_match = _EQ_TITLE.search(text)
    title = (
        Span(title_match.start(1), title_match.end(1), title_match.group(1))
        if title_match
        else _first_line(text)
    )
    headings = [(m.start(), m.end(), m.group(2)) for m in _EQ_HEADING.finditer(text)]
    lead_end = headings[0][0] if headings else len(text)
    infobox = [
        (m.group(1).strip().lower(), Span(m.start(2), m.end(2), m.group(2)))
        for m in _INFOBOX.finditer(text, 0, lead_end)
    ]
    body = title_match.end() if title_match else 0
    sections = _cut(Section("lead", "", body, lead_end), headings, len(text))
    return Doc(name, text, "encyclopedia", title=title, infobox=infobox, sections=sections, body_start=body)


def _qa(name: str, text: str) -> Doc:
    headings = [(m.start(), m.end(), m.group(0).strip()) for m in _QUESTION.finditer(text)]
    sections = _cut(Section("lead", "", 0, headings[0][0]), headings, len(text))
    return Doc(name, text, "qa", title=_first_line(text), sections=sections)


def _toc(text: str) -> list[re.Match[str]]:
    """The longest run of consecutive numbered lines 1., 2., 3., ... near the top."""
    run: list[re.Match[str]] = []
    best: list[re.Match[str]] = []
    for m in _TOC.finditer(text, 0, min(len(text), 3000)):
        number = int(m.group(0).strip().split(".", 1)[0])
        run = [*run, m] if run and number == len(run) + 1 else ([m] if number == 1 else [])
        best = run if len(run) > len(best) else best
    return best


def _rewrite(name: str, text: str, toc: list[re.Match[str]]) -> Doc:
    # Lines that repeat a table-of-contents entry on their own are the only headings such a page keeps.
    entries = {m.group(1).strip().lower() for m in toc}
    body = toc[-1].end()
    headings = [
        (m.start(), m.end(), m.group(1))
        for m in re.finditer(r"^[ ]*(\S[^\n]*?)[ ]*$", text[body:], re.MULTILINE)
        if m.group(1).lower() in entries
    ]
    headings = [(s + body, e + body, h) for s, e, h in headings]
    first = headings[0][0] if headings else len(text)
    sections = _cut(Section("other", "", body, first), headings, len(text))
    sections.insert(0, Section("lead", "", 0, toc[0].start()))
    return Doc(name, text, "rewrite", title=_first_line(text), sections=sections)


def _blog_or_unknown(name: str, text: str) -> Doc:
    title = _first_line(text)
    prose = [p for p in paragraphs(text) if len(p.text) >= 200 and p.text.count(". ") >= 2]
    if title is None or len(title.text) > 120 or title.text.endswith(".") or len(prose) < 3:
        return Doc(name, text, "unknown", title=title)
    return Doc(name, text, "blog", title=title, sections=[Section("lead", "", 0, len(text))])


def repeated_lines(text: str) -> set[str]:
    """Short lines that occur three times or more (page furniture such as a repeated title)."""
    counts = Counter(line.strip() for line in text.splitlines() if 0 < len(line.strip()) < 80)
    return {line for line, n in counts.items() if n >= 3}
