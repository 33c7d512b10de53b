"""Typed answers of the query layer. Plain data: no Discord types, no SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class Spoil(IntEnum):
    """How much a piece of text gives away. Anything above SAFE is shown only inside spoiler tags."""

    SAFE = 0  # the premise, metadata
    MILD = 1  # setup beyond the premise
    MAJOR = 2  # twists, reveals
    ENDING = 3  # how it ends


@dataclass(frozen=True)
class Provenance:
    """Where a value was read: document file name, character offsets into the normalised text, sentence."""

    document: str
    start: int
    end: int
    sentence: str


@dataclass(frozen=True)
class Alternative:
    """A value some sources give that lost to the best-supported one."""

    value: str
    documents: tuple[str, ...]


@dataclass(frozen=True)
class Fact:
    """One resolved value with its support; `alternatives` non-empty means the sources differ."""

    field: str
    value: str
    documents: tuple[str, ...]
    provenance: Provenance
    alternatives: tuple[Alternative, ...] = ()
    spoil: Spoil = Spoil.SAFE

    @property
    def disputed(self) -> bool:
        return bool(self.alternatives)


@dataclass(frozen=True)
class FilmRef:
    slug: str
    title: str
    year: int | None


@dataclass(frozen=True)
class Credit:
    billing: int  # 1-based, across the merged cast list
    actor: str
    character: str
    note: str  # spoiler-free part of the role note ("" if none)
    note_spoiler: str  # part of the role note that spoils ("" if none)
    documents: tuple[str, ...]
    actor_alternatives: tuple[Alternative, ...] = ()
    younger: tuple[Credit, ...] = ()  # younger versions of this role
    adult_of: str | None = None  # for a younger version: the adult character's name
    credited_as: str | None = None


@dataclass(frozen=True)
class Beat:
    index: int  # 0-based order in the plot
    text: str
    spoil: Spoil
    part: str  # "beginning" | "middle" | "end"
    provenance: Provenance


@dataclass(frozen=True)
class Plot:
    film: FilmRef
    premise: str  # spoiler-free; "" if the documents give none
    beats: tuple[Beat, ...]
    document: str | None  # the document the told plot comes from
    rejected: tuple[Alternative, ...] = ()  # other documents' sentences the told plot does not support
    continued_from: str | None = None  # where `document` stops, the story goes on from this one


@dataclass(frozen=True)
class Song:
    title: str
    performer: str
    writers: tuple[str, ...]
    documents: tuple[str, ...]
    title_alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True)
class Soundtrack:
    film: FilmRef
    composer: Fact | None
    featured: tuple[str, ...]  # pre-existing music the film features (composers or performers)
    songs: tuple[Song, ...]


@dataclass(frozen=True)
class Figure:
    """An aggregator figure such as Rotten Tomatoes approval 70% of 98 reviews."""

    aggregator: str  # "Rotten Tomatoes" | "Metacritic" | "IMDb" | a reviewer's site
    fact: Fact  # value is the display value, e.g. "70%", "60/100", "6.2/10"
    count: int | None  # reviews / critics counted
    count_label: str  # "reviews" | "critics" | ""
    average: str | None = None  # e.g. "6.58/10"
    verdict: str | None = None  # e.g. "mixed or average reviews"


@dataclass(frozen=True)
class Quote:
    critic: str
    outlet: str
    grade: str | None
    text: str
    spoil: Spoil
    provenance: Provenance


@dataclass(frozen=True)
class Reception:
    film: FilmRef
    figures: tuple[Figure, ...]
    consensus: Fact | None
    quotes: tuple[Quote, ...]
    reviewer_ratings: tuple[Figure, ...] = ()


@dataclass(frozen=True)
class SearchHit:
    film: FilmRef
    document: str
    section: str
    snippet: str  # plain text; matched terms are NOT marked up (presentation escapes and wraps)
    spoil: Spoil
    start: int
    end: int


@dataclass(frozen=True)
class SourceInfo:
    document: str
    shape: str  # "encyclopedia" | "qa" | "blog" | "rewrite" | "review" | "unknown"
    reliability: float  # 0..1, learned from agreement with the other sources
    witness: str  # documents sharing a witness id are copies of one text
    copy_of: str | None  # the document this one is a near-copy of, if any
    contributed: dict[str, int] = field(default_factory=dict)  # kind of fact -> how many won
    warnings: tuple[str, ...] = ()
    markup: str = "plain"  # "plain" | "wiki" | "markdown" | "html"
    shape_reason: str = ""  # what in its structure made it that shape
    reasons: tuple[str, ...] = ()  # why its reliability is what it is


@dataclass(frozen=True)
class Garbled:
    """A near-copy's word substitution of another document's value: never a fact or an alternative."""

    document: str  # the near-copy
    original: str  # the document it garbles
    what: str  # e.g. "Theis (actor)", "Song title"
    value: str  # the original's words
    garbled: str  # the copy's words


@dataclass(frozen=True)
class Sources:
    film: FilmRef
    documents: tuple[SourceInfo, ...]
    disputed: tuple[Fact, ...]
    garbles: tuple[Garbled, ...] = ()


@dataclass(frozen=True)
class TimelineEntry:
    when: str  # e.g. "October 2017" as written, plus ISO in `sort_key`
    sort_key: str
    text: str
    provenance: Provenance


@dataclass(frozen=True)
class Overview:
    film: FilmRef
    facts: dict[str, Fact]  # keyed by field name, see FIELDS
    premise: str
    top_cast: tuple[Credit, ...]
    where_to_watch: tuple[str, ...]
    timeline: tuple[TimelineEntry, ...] = ()


# Field names of Overview.facts, in display order, with their labels.
FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "Title"),
    ("year", "Year"),
    ("genre", "Genre"),
    ("director", "Director"),
    ("writers", "Writers"),
    ("producers", "Producers"),
    ("composer", "Music"),
    ("cinematographer", "Cinematography"),
    ("editor", "Editing"),
    ("companies", "Production companies"),
    ("distributor", "Distributor"),
    ("premiere", "Premiere"),
    ("release", "Release"),
    ("trailer", "Trailer"),
    ("runtime", "Runtime"),
    ("country", "Country"),
    ("language", "Language"),
)
