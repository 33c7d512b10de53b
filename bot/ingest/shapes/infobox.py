"""Key/value rows written as text: "Directed by: Jordan Peele" lines, however a page was copied.

An infobox copied from a browser keeps one row per label, but a value that was a list in the page comes out
as one name per line, and a label too long for its cell comes out over two lines:

    Produced by: Frank Marshall        (a tab became ": " in `text.normalise`)
    Kathleen Kennedy
    Barry Mendel
    Production
    companies: Hollywood Pictures

A line without a colon right after a row continues that row's value (a list, one name a line); a row whose
label starts in lower case finishes a label begun on the line above. Rows end at a blank line.

Copied another way, each label stands on a line of its own, with its values on the lines below:

    Directed by
    David Fincher
    Produced by
    Scott Rudin
    Dana Brunetti

A line that is an infobox label (`labels.is_label`) followed by a value line opens a row there.
"""

from __future__ import annotations

import re

from bot.ingest.labels import is_label
from bot.ingest.text import Span

_ROW = re.compile(r"^[ ]*[-*•]?[ ]*([A-Za-z][A-Za-z ()/]{1,40}?)[ ]*:[ ]+(\S[^\n]*?)[ ]*$")
_LINE = re.compile(r"^[ ]*(\S[^\n]*?)[ ]*$", re.MULTILINE)
# A value is names, dates and numbers: a run of four lower-case words is a sentence ("Mad Max: Fury Road is a
# 2015 action film directed by ..."), not a row.
_PROSE = re.compile(r"\b[a-z]+[ ,]+[a-z]+[ ,]+[a-z]+[ ,]+[a-z]+\b")
# A continued value is a name or two, not a sentence: at most this many words, and no sentence's end.
VALUE_LINE_MAX_WORDS = 6


def _value_line(line: str) -> bool:
    return (
        len(line.split()) <= VALUE_LINE_MAX_WORDS
        and line[-1:] not in ".!?:"
        and not line.startswith(("-", "*", "•", "#", "="))
    )


def text_rows(text: str, start: int, end: int) -> list[tuple[str, Span]]:
    """The (lower-cased label, value span) rows written as lines of text[start:end]. A value continued over
    several lines spans them all (its text keeps the line breaks, which separate list items)."""
    rows: list[tuple[str, Span]] = []
    label: str | None = None  # the open row's label
    value: Span | None = None  # ... and its value so far
    last: Span | None = None  # the line just read, if it was a short line that is not a row
    previous_end = -1

    def close() -> None:
        nonlocal label, value
        if label is not None and value is not None:
            rows.append((label, value))
        label = value = None

    lines = list(_LINE.finditer(text, start, end))
    for i, m in enumerate(lines):
        line = m.group(1)
        if previous_end >= 0 and text.count("\n", previous_end, m.start()) > 1:  # a blank line between
            close()
            last = None
        previous_end = m.end()
        if ":" not in line and _labels_next(text, lines, i):  # "Directed by" alone, its values below
            close()
            label, value, last = line.lower(), None, None
            continue
        if label is not None and value is None:  # the first value under a label standing alone
            value = Span(m.start(1), m.end(1), line)
            last = None
            continue
        row = _ROW.match(line)
        if row and not row.group(2).endswith("?") and not _PROSE.search(row.group(2)):
            key = row.group(1).strip()
            head = ""
            if key[:1].islower():
                if last is None:  # a lower-case label that finishes nothing is prose ("note: ...")
                    close()
                    continue
                head = last.text + " "
                if value is not None and value.end == last.end:  # it was read as the row above's value
                    value = _without_last_line(text, value)
            close()
            at = m.start(1) + row.start(2)
            label, value = (head + key).lower(), Span(at, m.end(1), row.group(2))
            last = None
            continue
        span = Span(m.start(1), m.end(1), line)
        if value is not None and _value_line(line):
            value = Span(value.start, span.end, text[value.start : span.end])
        else:
            close()
        last = span if _value_line(line) else None
    close()
    return rows


def _labels_next(text: str, lines: list[re.Match[str]], i: int) -> bool:
    """Whether line i is a label standing alone: an infobox label with a value line right below it."""
    if not is_label(lines[i].group(1)) or i + 1 >= len(lines):
        return False
    below = lines[i + 1]
    near = text.count("\n", lines[i].end(), below.start()) == 1
    # "Production" over "companies: Hollywood Pictures" is a label broken over two lines, not a label alone.
    return near and _value_line(below.group(1)) and not _ROW.match(below.group(1))


def _without_last_line(text: str, value: Span) -> Span | None:
    cut = text.rfind("\n", value.start, value.end)
    if cut < 0:
        return None
    end = cut
    while end > value.start and text[end - 1] == " ":
        end -= 1
    return Span(value.start, end, text[value.start : end])
