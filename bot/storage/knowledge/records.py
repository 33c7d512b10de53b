"""What the builder hands the knowledge database for one film: named, typed records (picklable, so a worker
process can build them). Each record's attribute names are its table's column names (see schema.py)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AlternativeRecord:
    value: str  # as shown
    documents: tuple[str, ...]


@dataclass(frozen=True)
class FactRecord:
    """The winning value of one field, typed by its kind (bot/storage/fields.py), with its provenance."""

    field: str
    label: str
    text: str | None
    number: int | None
    date: str | None
    items: tuple[str, ...]
    spoil: int
    document: str
    start: int
    end: int
    sentence: str
    documents: tuple[str, ...]
    alternatives: tuple[AlternativeRecord, ...] = ()


@dataclass(frozen=True)
class CreditRecord:
    billing: int
    actor: str
    character: str
    note: str
    note_spoiler: str
    adult_billing: int | None
    credited_as: str | None
    fact: str  # the facts row of the actor's name (its support and alternatives)
    documents: tuple[str, ...]


@dataclass(frozen=True)
class BeatRecord:
    idx: int
    text: str
    spoil: int
    part: str
    document: str
    start: int
    end: int


@dataclass(frozen=True)
class RejectedRecord:
    document: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class GarbleRecord:
    document: str
    original: str
    what: str
    value: str
    garbled: str


@dataclass(frozen=True)
class SongRecord:
    idx: int
    title_fact: str
    performer: str
    writers: tuple[str, ...]
    documents: tuple[str, ...]


@dataclass(frozen=True)
class FigureRecord:
    idx: int
    kind: str  # "aggregate" | "reviewer"
    aggregator: str
    fact: str
    count: int | None
    count_label: str
    average: str | None
    verdict: str | None


@dataclass(frozen=True)
class QuoteRecord:
    idx: int
    critic: str
    outlet: str
    grade: str | None
    text: str
    spoil: int
    document: str
    start: int
    end: int
    sentence: str


@dataclass(frozen=True)
class TimelineRecord:
    idx: int
    when_text: str
    sort_key: str
    text: str
    document: str
    start: int
    end: int


@dataclass(frozen=True)
class PassageRecord:
    document: str
    section: str
    text: str
    spoil: int
    start: int
    end: int


@dataclass(frozen=True)
class DocumentRecord:
    name: str
    sha256: str
    shape: str
    markup: str
    shape_reason: str
    witness: str
    copy_of: str | None
    reliability: float
    text: str
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    contributed: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class FilmRecord:
    """One film, everything it contributes. `key` is unique across the library (see FilmKey)."""

    key: str
    guild_id: int | None  # None: a shared film (FILMS_DIR)
    slug: str
    title: str
    year: int | None
    runtime_minutes: int | None
    premise: str
    plot_document: str | None
    plot_continued_from: str | None
    source_hash: str
    documents: tuple[DocumentRecord, ...] = ()
    facts: tuple[FactRecord, ...] = ()
    credits: tuple[CreditRecord, ...] = ()
    beats: tuple[BeatRecord, ...] = ()
    rejected: tuple[RejectedRecord, ...] = ()
    garbles: tuple[GarbleRecord, ...] = ()
    songs: tuple[SongRecord, ...] = ()
    figures: tuple[FigureRecord, ...] = ()
    quotes: tuple[QuoteRecord, ...] = ()
    timeline: tuple[TimelineRecord, ...] = ()
    passages: tuple[PassageRecord, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def fact(self, name: str) -> FactRecord | None:
        return next((f for f in self.facts if f.field == name), None)
