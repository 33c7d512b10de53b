"""Plain text as a `Layout`: the headings a text file marks with its own conventions.

- wiki markup: `== Section ==` headings and a `= Title =` line;
- a fan site's questions standing on their own line ("What is the plot?");
- a spun copy's numbered table of contents, whose entries reappear on their own lines as headings;
- a blog's subheadings: a short line on its own, without a sentence's final punctuation, before prose.
Whitespace inside lines never matters: one space or two, tabs or no-break spaces are all one space here.
"""

from __future__ import annotations

import re

from bot.ingest.shapes.doc import canonical_section
from bot.ingest.shapes.layout import Heading, Layout
from bot.ingest.text import Span

_EQ_HEADING = re.compile(r"^[ ]*(={2,6})[ ]*([^=\n]+?)[ ]*\1[ ]*$", re.MULTILINE)
_EQ_TITLE = re.compile(r"\A\s*=[ ]*([^=\n]+?)[ ]*=[ ]*$", re.MULTILINE)
# A question on a line of its own, perhaps marked as one ("Q: Who is in the cast?", "3. Is there a trailer?").
_QUESTION = re.compile(
    r"^[ ]*(?P<mark>(?:Q|Question[ ]?\d*)[ ]?[:.)][ ]*|\d{1,2}[.)][ ]+)?"
    r"((?:What|Who|When|Where|Which|How|Is|Are|Does|Do|Did|Can|Will|Why)\b[^\n]{3,150}\?)[ ]*$",
    re.MULTILINE,
)
_TOC = re.compile(r"^[ ]*(\d{1,2})[.)][ ]+(\S[^\n]{0,40}?)[ ]*$", re.MULTILINE)
# A section number before a heading's words: "1", "4.2", "3.", "IV." (a Roman numeral needs its stop).
_NUMBERED = re.compile(r"(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.)[ ]+(?=\S)")
# An encyclopedia page copied from a browser keeps its edit links after each heading: "Plot[edit]".
_EDIT = re.compile(r"\s*\[edit\]$")
_LINE = re.compile(r"^[ ]*(\S[^\n]*?)[ ]*$", re.MULTILINE)
# A table of contents lists at least three sections; two numbered lines are just a short list.
TOC_MIN_ENTRIES = 3
# A heading with its text right under it names the section in a few words.
SECTION_NAME_MAX_WORDS = 3
# A subheading is a few words: longer unpunctuated lines are captions, dates or bylines.
SUBHEAD_MAX_WORDS = 8


def render(text: str) -> Layout:
    wiki = list(_EQ_HEADING.finditer(text))
    if wiki:
        title = _EQ_TITLE.search(text)
        headings = [Heading(len(m.group(1)), m.start(), m.end(), m.group(2)) for m in wiki]
        span = Span(title.start(1), title.end(1), title.group(1)) if title else None
        return Layout(text, "wiki", headings, title=span, body_start=title.end() if title else 0)
    questions = [
        Heading(2, m.start(2), m.end(2), m.group(2))
        for m in _QUESTION.finditer(text)
        if m.group("mark") or _alone(text, m.start(), m.end())
    ]
    if len(questions) >= 2:
        return Layout(text, "plain", questions)
    toc = table_of_contents(text)
    if len(toc) >= TOC_MIN_ENTRIES:
        entries = {m.group(2).strip().lower() for m in toc}
        after = toc[-1].end()
        headings = [_heading(m) for m in _LINE.finditer(text, after) if m.group(1).strip().lower() in entries]
        return Layout(text, "plain", headings, body_start=0)
    return Layout(text, "plain", subheadings(text))


def _heading(m: re.Match[str]) -> Heading:
    return Heading(2, m.start(1), m.end(1), m.group(1))


def _alone(text: str, start: int, end: int) -> bool:
    """A line with a blank line (or the document's edge) before or after it: a heading, not prose."""
    before = text[:start].rstrip(" ")
    after = text[end:].lstrip(" ")
    return before.endswith("\n\n") or before == "" or after.startswith("\n\n") or after.strip() == ""


def table_of_contents(text: str) -> list[re.Match[str]]:
    """The longest run of numbered lines 1., 2., 3., ... (each entry a few words) standing together, with
    nothing but blank lines between them. Numbered headings each followed by their own paragraph (a
    listicle's "1. It almost didn't get made") are not a table of contents."""
    run: list[re.Match[str]] = []
    best: list[re.Match[str]] = []
    for m in _TOC.finditer(text):
        number = int(m.group(1))
        if len(m.group(2).split()) > SUBHEAD_MAX_WORDS or m.group(2).rstrip()[-1:] in ".!?":
            run = []
            continue
        together = bool(run) and not text[run[-1].end() : m.start()].strip()
        run = [*run, m] if together and number == len(run) + 1 else ([m] if number == 1 else [])
        best = run if len(run) > len(best) else best
    return best


def subheadings(text: str) -> list[Heading]:
    """Short lines standing alone (blank line before and after) that do not end like a sentence. A line that
    names a section ("Cast", "Plot[edit]", as copied from an encyclopedia page) needs a blank line before it
    only: its text may follow at once."""
    out: list[Heading] = []
    first = True
    for m in _LINE.finditer(text):
        line = m.group(1)
        if first:  # the first line is the document's title or headline, not a section
            first = False
            continue
        name = _EDIT.sub("", line)
        number = _NUMBERED.match(name)  # "1 Story", "4.2 Music", "II. Chiron": the words after the number
        words = (name[number.end() :] if number and number.end() < len(name) else name).split()
        if (
            words
            and len(words) <= SUBHEAD_MAX_WORDS
            and name[-1] not in ".!?,;:\"'"
            and words[0][:1].isupper()
            and not name.startswith(("-", "*", "•"))
            and ": " not in name
            and _blank_before(text, m.start())
            and (_blank_after(text, m.end()) or name != line or _names_section(words))
        ):
            out.append(Heading(2, m.start(1), m.end(1), name))
    return out


def _names_section(words: list[str]) -> bool:
    """'Cast', 'Critical response': a section's own name, a few words ("The cast trained for four months",
    a listicle's item, is not)."""
    return len(words) <= SECTION_NAME_MAX_WORDS and canonical_section(" ".join(words)) != "other"


def _blank_before(text: str, start: int) -> bool:
    return text[:start].rstrip(" ").endswith("\n\n")


def _blank_after(text: str, end: int) -> bool:
    rest = text[end:].lstrip(" ")
    return rest.startswith("\n\n") or not rest.strip()
