"""From a `Layout` to a `Doc`: named sections, the infobox, the title, and the shape with the reason for it.

Shapes, decided in this order, by structure only:
- review: front matter that rates the film, or front matter over an unsectioned body;
- qa: at least two questions standing as headings (a fan site's "What is the plot?");
- rewrite: a numbered table of contents whose entries come back as headings (a spun copy of an article);
- encyclopedia: named sections (Plot, Cast, ...) under a lead that has an infobox or defines the film
  ("X is a 2014 American drama film");
- blog: prose paragraphs, with or without subheadings;
- unknown: none of these (skipped with a warning).
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import replace

from bot.ingest.shapes import plain
from bot.ingest.shapes.doc import PLOT_FALLBACK, Doc, Section, canonical_section, opening_end
from bot.ingest.shapes.infobox import text_rows
from bot.ingest.shapes.layout import Layout
from bot.ingest.text import Span, iter_sentences, paragraphs

log = logging.getLogger(__name__)

# "X is a 2014 American drama film", or in apposition at a paragraph's start: "X, American drama film, ...".
_DEFINES_FILM = re.compile(
    r"\bis an? (?:(?:19|20)\d{2} )?[^.\n]{0,80}?\b(?:film|movie)\b"
    r"|^[A-Z][^,.\n]{0,80}, (?:an? )?(?:(?:19|20)\d{2} )?(?:[A-Z][a-z]+ )?(?:[a-z-]+ ){0,4}(?:film|movie)\b",
    re.MULTILINE,
)
_RATING_KEYS = frozenset({"rating", "score", "stars", "grade", "verdict"})
# An infobox is several key/value rows; one or two "Key: value" lines are just prose with a colon.
INFOBOX_MIN_ROWS = 3
# Prose: a paragraph of at least two sentences and this many characters (a caption or byline is shorter).
PROSE_MIN_CHARS = 150


def _sections(read: Layout) -> list[Section]:
    """Each heading (below the title) opens a section running to the next heading; a subsection whose own
    heading names nothing belongs to its parent's section."""
    heads = [h for h in read.headings if h.level >= 2]
    first = heads[0].start if heads else len(read.text)
    out = [Section("lead", "", read.body_start, first)]
    parent = "other"
    for i, h in enumerate(heads):
        end = heads[i + 1].start if i + 1 < len(heads) else len(read.text)
        name = canonical_section(h.text)
        if h.level == min(x.level for x in heads):
            parent = name
        elif name == "other":
            name = parent
        out.append(Section(name, h.text, h.end, end))
    if not any(s.name == "plot" for s in out):
        for i, s in enumerate(out):
            if PLOT_FALLBACK.match(s.heading):
                log.debug("section %r tells the plot (no other section names it)", s.heading)
                out[i] = replace(s, name="plot")
    return out


def _infobox(read: Layout, sections: list[Section]) -> list[tuple[str, Span]]:
    """The markup's key/value rows, and rows written as text in the document's opening: the lead and any
    unnamed sections before the first named one (a tagline such as "From the free encyclopedia" standing
    alone can look like a heading above the infobox)."""
    lead = sections[0]
    opening = opening_end(sections, len(read.text))
    rows = list(read.pairs)
    seen = {span.start for _, span in rows}
    rows += [row for row in text_rows(read.text, lead.start, opening) if row[1].start not in seen]
    rows.sort(key=lambda row: row[1].start)
    return rows if len(rows) >= INFOBOX_MIN_ROWS else [r for r in rows if r[1].start < lead.end]


def _prose(text: str) -> int:
    return sum(
        1
        for p in paragraphs(text)
        if len(p.text) >= PROSE_MIN_CHARS
        and len(list(itertools.islice(iter_sentences(p.text), 2))) == 2  # (a paragraph's split is not kept)
        and not p.text.lstrip().startswith("-")
    )


def _first_line(text: str, start: int = 0) -> Span | None:
    match = re.compile(r"^[ ]*(\S[^\n]*?)\s*$", re.MULTILINE).search(text, start)
    return Span(match.start(1), match.end(1), match.group(1)) if match else None


def _shape(read: Layout, sections: list[Section], infobox: list[tuple[str, Span]]) -> tuple[str, str]:
    named = sorted({s.name for s in sections} - {"lead", "other"})
    lead = sections[0]
    if read.frontmatter:
        rated = sorted(_RATING_KEYS & set(read.frontmatter))
        if rated or not named:
            return "review", f"front matter ({', '.join(rated) or 'no sections'})"
    questions = [h for h in read.headings if h.text.rstrip().endswith("?")]
    if len(questions) >= 2:
        return "qa", f"{len(questions)} questions as headings"
    toc = plain.table_of_contents(read.text) if read.markup == "plain" else []
    if len(toc) >= plain.TOC_MIN_ENTRIES:
        return "rewrite", f"a numbered table of contents of {len(toc)} entries repeated as headings"
    # the opening: the lead and unnamed sections before the first named one ("American film [1994]" may
    # stand alone as a subheading above the defining paragraph)
    defines = _DEFINES_FILM.search(read.text, lead.start, opening_end(sections, len(read.text)))
    if named and (len(infobox) >= INFOBOX_MIN_ROWS or defines):
        box = f"an infobox of {len(infobox)} rows" if infobox else "a lead that defines the film"
        return "encyclopedia", f"{read.markup} headings naming {', '.join(named)}, and {box}"
    prose = _prose(read.text)
    if prose >= 2 or (prose and named):
        return "blog", f"{prose} prose paragraphs" + (
            f" under headings naming {', '.join(named)}" if named else ""
        )
    if named and infobox:
        return "encyclopedia", f"headings naming {', '.join(named)} and {len(infobox)} infobox rows"
    if named:
        return "unknown", f"headings ({', '.join(named)}) with no prose under them and no infobox"
    return "unknown", "no headings naming a section, no infobox and no paragraphs of prose"


def _details(
    read: Layout, sections: list[Section], infobox: list[tuple[str, Span]]
) -> list[tuple[str, Span]]:
    """Key/value rows written as text after the opening, in blocks of at least INFOBOX_MIN_ROWS (a blog's
    "Crew and numbers" list at its end), outside the story."""
    start = opening_end(sections, len(read.text))
    seen = {span.start for _, span in infobox}
    rows = [r for r in text_rows(read.text, start, len(read.text)) if r[1].start not in seen]
    blocks: list[list[tuple[str, Span]]] = []
    for row in rows:
        near = blocks and read.text.count("\n", blocks[-1][-1][1].end, row[1].start) <= 1
        if near:
            blocks[-1].append(row)
        else:
            blocks.append([row])
    plot = [s for s in sections if s.name == "plot"]
    return [
        row
        for block in blocks
        if len(block) >= INFOBOX_MIN_ROWS
        for row in block
        if not any(s.start <= row[1].start < s.end for s in plot)
    ]


def build_doc(name: str, read: Layout) -> Doc:
    sections = _sections(read)
    infobox = _infobox(read, sections)
    shape, why = _shape(read, sections, infobox)
    title = read.title or read.frontmatter.get("title") or _first_line(read.text, read.body_start)
    return Doc(
        name,
        read.text,
        shape,
        read.markup,
        title,
        read.frontmatter,
        infobox,
        sections,
        read.body_start,
        why,
        read.title is not None,
        _details(read, sections, infobox),
    )
