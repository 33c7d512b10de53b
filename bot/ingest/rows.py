"""One resolved film as the knowledge database's records (bot/storage/knowledge/records.py): typed values by
each field's kind (bot/storage/fields.py), lists as items. Picklable, so worker processes can build them."""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bot.ingest.extract import Claim, Extraction, passages
from bot.ingest.resolve import FilmResult, Resolved, Vote
from bot.ingest.resolve.spoilers import has_cue
from bot.ingest.values import slug_pattern
from bot.storage.fields import (
    LABELS,
    LIST_FIELDS,
    credit_label,
    kind_of,
    reviewer_label,
    show_date,
    song_label,
)
from bot.storage.knowledge.records import (
    AlternativeRecord,
    BeatRecord,
    CreditRecord,
    DocumentRecord,
    FactRecord,
    FigureRecord,
    FilmRecord,
    GarbleRecord,
    PassageRecord,
    QuoteRecord,
    RejectedRecord,
    SongRecord,
    TimelineRecord,
)
from bot.storage.models import Spoil

Show = Callable[[Claim], str]
COMPOSITE = frozenset({"premiere", "release"})  # built here from their voted parts


@dataclass(frozen=True)
class Identity:
    """Which film the records are for: its library key, its server (None: shared), its slug, its sources."""

    key: str
    guild_id: int | None
    slug: str
    source_hash: str


def _number(text: str) -> int | None:
    head = text.split(" ", 1)[0]
    return int(head) if head.isdigit() else None


def _fact(
    field_: str, label: str, r: Resolved, value: str, spoil: Spoil = Spoil.SAFE, show: Show | None = None
) -> FactRecord:
    """The winning value, typed by its field's kind, with its provenance, supporters and the losing values."""
    c = r.winner.claim
    fmt = show or (lambda c: c.value)
    kind = kind_of(field_)
    number = _number(value) if kind == "number" else None
    date = c.value if kind == "date" else None
    items = tuple(value.split(LIST_FIELDS[field_])) if kind == "list" else ()
    typed = number is not None or date is not None or bool(items)
    return FactRecord(
        field=field_,
        label=label,
        text=None if typed else value,
        number=number,
        date=date,
        items=items,
        spoil=int(spoil),
        document=r.winner.document,
        start=c.start,
        end=c.end,
        sentence=c.sentence,
        documents=tuple(r.supporters),
        alternatives=tuple(AlternativeRecord(fmt(alt), tuple(docs)) for alt, docs in r.alternatives),
    )


def _show(field_: str, c: Claim) -> str:
    if kind_of(field_) == "date":
        return show_date(c.value)
    if field_ == "rotten_tomatoes":
        parts = [f"{c.extra['count']} reviews"] if "count" in c.extra else []
        parts += [f"average {c.extra['average']}"] if "average" in c.extra else []
        return f"{c.value} ({', '.join(parts)})" if parts else c.value
    return c.value


def _dated(c: Claim) -> str:
    return show_date(c.value)


def _with_counts(f: dict[str, Resolved]) -> Resolved:
    """The Rotten Tomatoes figure, with the review counts other sources give for it as alternatives
    ("90% (325 reviews)"), where they are not already shown with a percentage of their own."""
    r = f["rotten_tomatoes"]
    counts = f.get("rotten_tomatoes_count")
    if counts is None:
        return r
    shown = {d for _, docs in r.alternatives for d in docs}
    more = tuple(
        (
            Claim(
                "rotten_tomatoes",
                f"{c.extra.get('percent', '?')}%",
                c.key,
                c.start,
                c.end,
                c.sentence,
                c.extra,
            ),
            docs,
        )
        for c, docs in counts.alternatives
        if not set(docs) & shown
    )
    return replace(r, alternatives=r.alternatives + more)


def _facts(result: FilmResult) -> list[FactRecord]:
    f = result.facts
    facts: list[FactRecord] = []
    for field_, r in sorted(f.items()):
        if field_ == "rotten_tomatoes":
            r = _with_counts(f)
        if field_ in LABELS and field_ not in COMPOSITE:
            value = r.winner.claim.value if field_ == "rotten_tomatoes" else _show(field_, r.winner.claim)
            spoil = Spoil.MAJOR if has_cue(r.winner.claim.value) else Spoil.SAFE
            facts.append(_fact(field_, LABELS[field_], r, value, spoil, functools.partial(_show, field_)))
    # Composite facts for the overview, built from the voted parts.
    if "premiere_date" in f:
        venue = f" at {f['premiere_venue'].winner.claim.value}" if "premiere_venue" in f else ""
        r = f["premiere_date"]
        facts.append(
            _fact("premiere", LABELS["premiere"], r, show_date(r.winner.claim.value) + venue, show=_dated)
        )
    if "release_date" in f:
        r = f["release_date"]
        where = f" ({f['release_region'].winner.claim.value})" if "release_region" in f else ""
        by = f" by {f['distributor'].winner.claim.value}" if "distributor" in f else ""
        value = show_date(r.winner.claim.value) + where + by
        facts.append(_fact("release", LABELS["release"], r, value, show=_dated))
    return facts


def _figures(
    extractions: list[Extraction], result: FilmResult, facts: list[FactRecord]
) -> list[FigureRecord]:
    f = result.facts
    figures: list[tuple[str, str, str, int | None, str, str | None, str | None]] = []
    if "rotten_tomatoes" in f:
        extra = f["rotten_tomatoes"].winner.claim.extra
        counted = f.get("rotten_tomatoes_count")
        count = (
            int(counted.winner.claim.value) if counted else int(extra["count"]) if "count" in extra else None
        )
        figures.append(
            ("aggregate", "Rotten Tomatoes", "rotten_tomatoes", count, "reviews", extra.get("average"), None)
        )
    if "metacritic" in f:
        count = int(f["metacritic_count"].winner.claim.value) if "metacritic_count" in f else None
        verdict = f["metacritic_verdict"].winner.claim.value if "metacritic_verdict" in f else None
        figures.append(("aggregate", "Metacritic", "metacritic", count, "critics", None, verdict))
    if "imdb" in f:
        figures.append(("aggregate", "IMDb", "imdb", None, "", None, None))
    for x in extractions:
        for claim in x.claims:
            if claim.field == "reviewer_rating":
                name = f"reviewer:{x.doc.name}"
                single = Resolved(name, Vote(claim, x.doc.name), False, (x.doc.name,), ())
                facts.append(_fact(name, reviewer_label(x.doc.name), single, claim.value))
                figures.append(("reviewer", f"Reviewer ({x.doc.name})", name, None, "", None, None))
    return [FigureRecord(i, *row) for i, row in enumerate(figures)]


def _passages(result: FilmResult) -> list[PassageRecord]:
    """Search passages of independent documents (a copy's garbled text is never a hit)."""
    told = {(d, s.start) for d, spans in result.narrative.items() for s in spans}
    rows: list[PassageRecord] = []
    for d in result.docs:
        if result.copies.is_copy(d.name):
            continue
        starts = sorted(s for doc, s in told if doc == d.name)
        hidden = frozenset(s for doc, s in result.unsearchable if doc == d.name)
        for section, span in passages(d, leave_out=hidden):
            first = bisect.bisect_left(starts, span.start)
            narrative = first < len(starts) and starts[first] < span.end
            spoiling = section == "plot" or narrative or result.is_spoiler(span.text, d.name)
            spoil = int(Spoil.MAJOR if spoiling else Spoil.SAFE)
            rows.append(PassageRecord(d.name, section, span.text, spoil, span.start, span.end))
    return rows


def film_record(
    film: Identity,
    extractions: list[Extraction],
    result: FilmResult,
    hashes: dict[str, str],
    warnings: list[str],
) -> FilmRecord:
    facts = _facts(result)
    credits: list[CreditRecord] = []
    for i, c in enumerate(result.credits):
        name = f"credit:{i}:actor"
        facts.append(_fact(name, credit_label(c.character), c.actor, c.actor.winner.claim.value))
        adult = c.adult_index + 1 if c.adult_index is not None else None
        actor = c.actor.winner.claim.value
        credits.append(
            CreditRecord(
                i + 1,
                actor,
                c.character,
                c.note,
                c.note_spoiler,
                adult,
                c.credited_as,
                name,
                tuple(c.documents),
            )
        )
    songs: list[SongRecord] = []
    for i, s in enumerate(result.songs):
        name = f"song:{i}:title"
        facts.append(_fact(name, song_label(i), s.title, s.title.winner.claim.value))
        songs.append(SongRecord(i, name, s.performer, tuple(s.writers), tuple(s.documents)))
    figures = _figures(extractions, result, facts)
    story = result.story
    beats = [
        BeatRecord(i, b.text, int(b.spoil), b.part, b.document, b.start, b.end)
        for i, b in enumerate(story.beats)
    ]
    quotes = [
        QuoteRecord(i, q.critic, q.outlet, q.grade, q.text, int(spoil), doc, q.start, q.end, q.sentence)
        for i, (doc, q, spoil) in enumerate(result.quotes)
    ]
    timeline = [
        TimelineRecord(i, t.when, t.sort_key, t.text, doc, t.start, t.end)
        for i, (doc, t) in enumerate(result.timeline)
    ]
    contributed = _contributions(result, facts, beats, quotes)
    documents = tuple(
        DocumentRecord(
            name=d.name,
            sha256=hashes[d.name],
            shape=d.shape,
            markup=d.markup,
            shape_reason=d.why,
            witness=result.copies.witness[d.name],  # a witness is named after the original text
            copy_of=result.copy_of[d.name],
            reliability=round(result.reliability[d.name], 4),
            text=d.text,
            reasons=tuple(result.reasons(d.name)),
            warnings=tuple(w for w in warnings if w.split(": ", 1)[0].endswith("/" + d.name)),
            contributed=tuple(sorted(contributed[d.name].items())),
        )
        for d in result.docs
    )
    f = result.facts
    runtime = next((fact.number for fact in facts if fact.field == "runtime"), None)
    return FilmRecord(
        key=film.key,
        guild_id=film.guild_id,
        slug=film.slug,
        title=f["title"].winner.claim.value if "title" in f else _spelled(film.slug, result),
        year=int(f["year"].winner.claim.value) if "year" in f else None,
        runtime_minutes=runtime,
        premise=" ".join(b.text for b in story.premise),
        plot_document=story.document,
        plot_continued_from=story.continued_from,
        source_hash=film.source_hash,
        documents=documents,
        facts=tuple(facts),
        credits=tuple(credits),
        beats=tuple(beats),
        rejected=tuple(RejectedRecord(doc, s.start, s.end, s.text) for doc, s in story.left_out),
        garbles=tuple(
            GarbleRecord(g.document, g.original, g.what, g.value, g.garbled) for g in result.garbles
        ),
        songs=tuple(songs),
        figures=tuple(figures),
        quotes=tuple(quotes),
        timeline=tuple(timeline),
        passages=tuple(_passages(result)),
        warnings=tuple(warnings),
    )


def _spelled(slug: str, result: FilmResult) -> str:
    """No document names its title plainly: the folder's name, spelled as the documents most often spell it."""
    pattern = slug_pattern(slug)
    found = [m.group(0) for d in result.docs for m in pattern.finditer(d.text)] if pattern else []
    spellings = [s for s in found if s[:1].isupper()] or found
    if not spellings:
        return slug.replace("-", " ").title()
    return max(sorted(set(spellings)), key=spellings.count)


def _contributions(
    result: FilmResult,
    facts: Sequence[FactRecord],
    beats: Sequence[BeatRecord],
    quotes: Sequence[QuoteRecord],
) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {d.name: {} for d in result.docs}

    def add(doc: str, kind: str) -> None:
        out[doc][kind] = out[doc].get(kind, 0) + 1

    for fact in facts:
        kind = (
            "credits"
            if fact.field.startswith("credit:")
            else "songs"
            if fact.field.startswith("song:")
            else "facts"
        )
        for doc in fact.documents:
            add(doc, kind)
    for beat in beats:
        add(beat.document, "plot beats")
    for quote in quotes:
        add(quote.document, "critic quotes")
    for doc, _ in result.timeline:
        add(doc, "timeline")
    for g in result.garbles:
        add(g.document, "garbles")
    return out
