"""One resolved film as plain rows for the knowledge database (picklable across worker processes)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bot.ingest.extract import Claim, Extraction, passages
from bot.ingest.resolve import FilmResult, Resolved, Vote
from bot.ingest.resolve.spoilers import has_cue
from bot.ingest.values import show_date, slug_pattern
from bot.storage.models import Spoil

# Fields shown as they were voted; labels are what /sources calls them.
LABELS: dict[str, str] = {
    "title": "Title",
    "year": "Year",
    "genre": "Genre",
    "director": "Director",
    "writers": "Writers",
    "producers": "Producers",
    "composer": "Music",
    "cinematographer": "Cinematography",
    "editor": "Editing",
    "companies": "Production companies",
    "distributor": "Distributor",
    "runtime": "Runtime",
    "country": "Country",
    "language": "Language",
    "trailer": "Trailer",
    "premiere_date": "Premiere date",
    "premiere_venue": "Premiere venue",
    "release_date": "Release date",
    "release_region": "Release region",
    "featured": "Featured music",
    "consensus": "Critics' consensus",
    "rotten_tomatoes": "Rotten Tomatoes",
    "metacritic": "Metacritic",
    "metacritic_count": "Metacritic critics",
    "metacritic_verdict": "Metacritic verdict",
    "imdb": "IMDb",
    "streaming": "Where to watch",
}
DATE_FIELDS = frozenset({"trailer", "premiere_date", "release_date"})

Row = tuple[object, ...]
Show = Callable[[Claim], str]


@dataclass
class FilmRows:
    """Everything one film contributes to the database, as plain rows."""

    slug: str
    title: str
    year: int | None
    premise: str
    plot_document: str | None
    plot_continued_from: str | None
    tables: dict[str, Sequence[Row]]
    warnings: list[str]


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _fact_row(
    field_: str, label: str, r: Resolved, value: str, spoil: Spoil = Spoil.SAFE, show: Show | None = None
) -> Row:
    """A facts row: the winning value with its provenance, its supporters, and the losing values shown."""
    c = r.winner.claim
    fmt = show or (lambda c: c.value)
    alternatives = _json([[fmt(alt), list(docs)] for alt, docs in r.alternatives])
    return (
        field_,
        label,
        value,
        int(spoil),
        r.winner.document,
        c.start,
        c.end,
        c.sentence,
        _json(list(r.supporters)),
        alternatives,
    )


def _show(field_: str, c: Claim) -> str:
    if field_ in DATE_FIELDS:
        return show_date(c.value)
    if field_ == "rotten_tomatoes":
        parts = [f"{c.extra['count']} reviews"] if "count" in c.extra else []
        parts += [f"average {c.extra['average']}"] if "average" in c.extra else []
        return f"{c.value} ({', '.join(parts)})" if parts else c.value
    return c.value


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


def _facts(result: FilmResult) -> list[Row]:
    f = result.facts
    facts: list[Row] = []
    for field_, r in sorted(f.items()):
        if field_ == "rotten_tomatoes":
            r = _with_counts(f)
        if field_ in LABELS:
            value = r.winner.claim.value if field_ == "rotten_tomatoes" else _show(field_, r.winner.claim)
            spoil = Spoil.MAJOR if has_cue(r.winner.claim.value) else Spoil.SAFE
            facts.append(_fact_row(field_, LABELS[field_], r, value, spoil, functools.partial(_show, field_)))
    # Composite facts for the overview, built from the voted parts.
    if "premiere_date" in f:
        venue = f" at {f['premiere_venue'].winner.claim.value}" if "premiere_venue" in f else ""
        r = f["premiere_date"]
        facts.append(
            _fact_row(
                "premiere",
                "Premiere",
                r,
                show_date(r.winner.claim.value) + venue,
                show=lambda c: show_date(c.value),
            )
        )
    if "release_date" in f:
        r = f["release_date"]
        where = f" ({f['release_region'].winner.claim.value})" if "release_region" in f else ""
        by = f" by {f['distributor'].winner.claim.value}" if "distributor" in f else ""
        facts.append(
            _fact_row(
                "release",
                "Release",
                r,
                show_date(r.winner.claim.value) + where + by,
                show=lambda c: show_date(c.value),
            )
        )
    return facts


def _figures(extractions: list[Extraction], result: FilmResult, facts: list[Row]) -> list[Row]:
    f = result.facts
    figures: list[Row] = []
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
                facts.append(_fact_row(name, f"Reviewer's rating ({x.doc.name})", single, claim.value))
                figures.append(("reviewer", f"Reviewer ({x.doc.name})", name, None, "", None, None))
    return [(i, *row) for i, row in enumerate(figures)]


def _passages(result: FilmResult) -> list[Row]:
    """Search passages of independent documents (a copy's garbled text is never a hit)."""
    told = {(d, s.start) for d, spans in result.narrative.items() for s in spans}
    rows: list[Row] = []
    for d in result.docs:
        if result.copies.is_copy(d.name):
            continue
        starts = sorted(s for doc, s in told if doc == d.name)
        hidden = frozenset(s for doc, s in result.unsearchable if doc == d.name)
        for section, span in passages(d, leave_out=hidden):
            narrative = any(span.start <= s < span.end for s in starts)
            spoiling = section == "plot" or narrative or result.is_spoiler(span.text, d.name)
            rows.append(
                (
                    d.name,
                    section,
                    span.text,
                    int(Spoil.MAJOR if spoiling else Spoil.SAFE),
                    span.start,
                    span.end,
                )
            )
    return rows


def film_rows(
    slug: str, extractions: list[Extraction], result: FilmResult, hashes: dict[str, str], warnings: list[str]
) -> FilmRows:
    facts = _facts(result)
    credits: list[Row] = []
    for i, c in enumerate(result.credits):
        name = f"credit:{i}:actor"
        facts.append(_fact_row(name, f"{c.character} (actor)", c.actor, c.actor.winner.claim.value))
        adult = c.adult_index + 1 if c.adult_index is not None else None
        credits.append(
            (
                i + 1,
                c.actor.winner.claim.value,
                c.character,
                c.note,
                c.note_spoiler,
                adult,
                c.credited_as,
                name,
                _json(list(c.documents)),
            )
        )
    songs: list[Row] = []
    for i, s in enumerate(result.songs):
        name = f"song:{i}:title"
        facts.append(_fact_row(name, f"Song {i + 1} title", s.title, s.title.winner.claim.value))
        songs.append((i, name, s.performer, _json(list(s.writers)), _json(list(s.documents))))
    figures = _figures(extractions, result, facts)
    story = result.story
    beats = [(i, b.text, int(b.spoil), b.part, b.document, b.start, b.end) for i, b in enumerate(story.beats)]
    quotes = [
        (i, q.critic, q.outlet, q.grade, q.text, int(spoil), doc, q.start, q.end, q.sentence)
        for i, (doc, q, spoil) in enumerate(result.quotes)
    ]
    timeline = [
        (i, t.when, t.sort_key, t.text, doc, t.start, t.end) for i, (doc, t) in enumerate(result.timeline)
    ]
    left_out = [(doc, s.start, s.end, s.text) for doc, s in story.left_out]
    garbles = [(g.document, g.original, g.what, g.value, g.garbled) for g in result.garbles]
    contributed = _contributions(result, facts, beats, quotes)
    doc_warnings = {
        d.name: [w for w in warnings if w.split(": ", 1)[0].endswith("/" + d.name)] for d in result.docs
    }
    documents = [
        (
            d.name,
            hashes[d.name],
            d.shape,
            d.markup,
            d.why,
            result.copies.witness[d.name],  # a witness is named after the original text
            result.copy_of[d.name],
            round(result.reliability[d.name], 4),
            _json(result.reasons(d.name)),
            _json(contributed[d.name]),
            _json(doc_warnings[d.name]),
            d.text,
        )
        for d in result.docs
    ]
    f = result.facts
    title = f["title"].winner.claim.value if "title" in f else _spelled(slug, result)
    year = int(f["year"].winner.claim.value) if "year" in f else None
    tables: dict[str, Sequence[Row]] = {
        "documents": documents,
        "facts": facts,
        "credits": credits,
        "beats": beats,
        "rejected": left_out,
        "garbles": garbles,
        "songs": songs,
        "figures": figures,
        "quotes": quotes,
        "timeline": timeline,
        "passages": _passages(result),
    }
    premise = " ".join(b.text for b in story.premise)
    return FilmRows(slug, title, year, premise, story.document, story.continued_from, tables, warnings)


def _spelled(slug: str, result: FilmResult) -> str:
    """No document names its title plainly: the folder's name, spelled as the documents most often spell it."""
    pattern = slug_pattern(slug)
    found = [m.group(0) for d in result.docs for m in pattern.finditer(d.text)] if pattern else []
    spellings = [s for s in found if s[:1].isupper()] or found
    if not spellings:
        return slug.replace("-", " ").title()
    return max(sorted(set(spellings)), key=spellings.count)


def _contributions(
    result: FilmResult, facts: Sequence[Row], beats: Sequence[Row], quotes: Sequence[Row]
) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {d.name: {} for d in result.docs}

    def add(doc: str, kind: str) -> None:
        out[doc][kind] = out[doc].get(kind, 0) + 1

    for row in facts:
        field_ = str(row[0])
        kind = (
            "credits" if field_.startswith("credit:") else "songs" if field_.startswith("song:") else "facts"
        )
        for doc in json.loads(str(row[8])):
            add(doc, kind)
    for row in beats:
        add(str(row[4]), "plot beats")
    for row in quotes:
        add(str(row[6]), "critic quotes")
    for doc, _ in result.timeline:
        add(doc, "timeline")
    for g in result.garbles:
        add(g.document, "garbles")
    return out
