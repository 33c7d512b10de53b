"""What extractors produce: claims with the character offsets and sentence they were read from."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.ingest.shapes import Doc
from bot.ingest.text import Span, sentences


@dataclass(frozen=True)
class Claim:
    """A value one document gives for one field. `key` is what votes compare; `value` is what is shown."""

    field: str
    value: str
    key: str
    start: int
    end: int
    sentence: str
    extra: dict[str, str] = dataclasses.field(default_factory=dict, compare=False, hash=False)
    labelled: bool = dataclasses.field(default=False, compare=False)  # read from a labelled row (an infobox)


@dataclass(frozen=True)
class CreditClaim:
    actor: str
    character: str
    note: str
    credited_as: str | None
    nested_under: str | None  # actor of the line this one is indented under
    start: int
    end: int
    sentence: str


@dataclass(frozen=True)
class SongClaim:
    title: str
    performer: str
    writers: tuple[str, ...]
    start: int
    end: int
    sentence: str


@dataclass(frozen=True)
class QuoteClaim:
    critic: str
    outlet: str
    grade: str | None
    text: str
    start: int
    end: int
    sentence: str


@dataclass(frozen=True)
class TimelineClaim:
    when: str
    sort_key: str
    text: str
    start: int
    end: int


@dataclass
class Extraction:
    doc: Doc
    claims: list[Claim] = field(default_factory=list)
    credits: list[CreditClaim] = field(default_factory=list)
    songs: list[SongClaim] = field(default_factory=list)
    quotes: list[QuoteClaim] = field(default_factory=list)
    timeline: list[TimelineClaim] = field(default_factory=list)

    def add(
        self, field_: str, value: str, key: str, span: Span, sentence: Span | None = None, **extra: str
    ) -> None:
        value = value.strip()
        if value and key:
            where = sentence or span
            self.claims.append(Claim(field_, value, key, span.start, span.end, where.text, dict(extra)))

    def values(self, field_: str) -> list[str]:
        return [c.value for c in self.claims if c.field == field_]


def sub(sent: Span, m: re.Match[str], group: int | str) -> Span:
    """The span of a regex group matched inside a sentence, as offsets into the document."""
    return Span(sent.start + m.start(group), sent.start + m.end(group), m.group(group))


# A wiki page's category links ("Categories: 2007 films | Films directed by ...") are navigation: their
# phrases are labels of lists of films, not statements about this one.
_CATEGORIES = re.compile(r"^Categor(?:y|ies):")


def prose_sentences(doc: Doc) -> Iterator[tuple[Span, str]]:
    """Sentences outside plot sections and category links, with their section name."""
    for s in sentences(doc.text, doc.body_start):
        section = doc.section_at(s.start)
        if section != "plot" and not _CATEGORIES.match(s.text):
            yield s, section
