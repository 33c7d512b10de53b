"""One film's answers from the knowledge database: plain functions of a connection and a film, rows read by
name. The caller (reader.py) caches them per film and generation."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from bot.storage.fields import FIELDS, show
from bot.storage.models import (
    Alternative,
    Beat,
    Credit,
    Fact,
    Figure,
    FilmRef,
    Garbled,
    Overview,
    Plot,
    Provenance,
    Quote,
    Reception,
    Song,
    Soundtrack,
    SourceInfo,
    Sources,
    Spoil,
    TimelineEntry,
)

TOP_BILLED = 5


def _rows(conn: sqlite3.Connection, sql: str, *args: object) -> list[sqlite3.Row]:
    return conn.execute(sql, args).fetchall()


def _grouped(rows: Sequence[sqlite3.Row], key: str, value: str) -> dict[object, list[object]]:
    out: dict[object, list[object]] = defaultdict(list)
    for row in rows:
        out[row[key]].append(row[value])
    return out


def facts(conn: sqlite3.Connection, film_id: int) -> dict[str, tuple[Fact, str]]:
    """Every fact of the film by field, with its label."""
    items = _grouped(
        _rows(conn, "SELECT field, item FROM fact_items WHERE film_id = ? ORDER BY field, idx", film_id),
        "field",
        "item",
    )
    support: dict[tuple[str, int], list[str]] = defaultdict(list)
    for row in _rows(
        conn,
        "SELECT field, rank, document FROM fact_support WHERE film_id = ? ORDER BY field, rank, idx",
        film_id,
    ):
        support[(row["field"], row["rank"])].append(row["document"])
    alternatives: dict[str, list[Alternative]] = defaultdict(list)
    for row in _rows(
        conn,
        "SELECT field, rank, value FROM fact_alternatives WHERE film_id = ? ORDER BY field, rank",
        film_id,
    ):
        alternatives[row["field"]].append(
            Alternative(row["value"], tuple(support[(row["field"], row["rank"])]))
        )
    out: dict[str, tuple[Fact, str]] = {}
    for row in _rows(conn, "SELECT * FROM facts WHERE film_id = ? ORDER BY field", film_id):
        name = row["field"]
        listed = tuple(str(i) for i in items.get(name, ()))
        fact = Fact(
            field=name,
            value=show(name, row["text"], row["number"], row["date"], listed),
            documents=tuple(support[(name, 0)]),
            provenance=Provenance(row["document"], row["start"], row["end"], row["sentence"]),
            alternatives=tuple(alternatives.get(name, ())),
            spoil=Spoil(row["spoil"]),
            items=listed,
            number=row["number"],
        )
        out[name] = (fact, row["label"])
    return out


def _film_row(conn: sqlite3.Connection, film_id: int) -> sqlite3.Row:
    return conn.execute("SELECT * FROM films WHERE id = ?", (film_id,)).fetchone()


def overview(
    conn: sqlite3.Connection,
    film_id: int,
    ref: FilmRef,
    known: dict[str, tuple[Fact, str]],
    cast: Sequence[Credit],
) -> Overview:
    film = _film_row(conn, film_id)
    timeline = _rows(conn, "SELECT * FROM timeline WHERE film_id = ? ORDER BY idx", film_id)
    streaming = known.get("streaming")
    return Overview(
        film=ref,
        facts={name: known[name][0] for name, _ in FIELDS if name in known},
        premise=film["premise"],
        top_cast=tuple(c for c in cast if c.adult_of is None)[:TOP_BILLED],
        where_to_watch=streaming[0].items if streaming else (),
        timeline=tuple(
            TimelineEntry(
                t["when_text"],
                t["sort_key"],
                t["text"],
                Provenance(t["document"], t["start"], t["end"], t["text"]),
            )
            for t in timeline
        ),
        runtime_minutes=film["runtime_minutes"],
    )


def credits(conn: sqlite3.Connection, film_id: int, known: dict[str, tuple[Fact, str]]) -> tuple[Credit, ...]:
    """Every credit in billing order; younger versions also appear nested under their adult role."""
    rows = _rows(conn, "SELECT * FROM credits WHERE film_id = ? ORDER BY billing", film_id)
    documents = _grouped(
        _rows(
            conn,
            "SELECT billing, document FROM credit_support WHERE film_id = ? ORDER BY billing, idx",
            film_id,
        ),
        "billing",
        "document",
    )
    by_billing = {row["billing"]: row for row in rows}
    young: dict[int, list[Credit]] = {}
    flat: list[Credit] = []
    for row in rows:
        adult = row["adult_billing"]
        actor_fact = known.get(row["fact"])
        credit = Credit(
            billing=row["billing"],
            actor=row["actor"],
            character=row["character"],
            note=row["note"],
            note_spoiler=row["note_spoiler"],
            documents=tuple(str(d) for d in documents.get(row["billing"], ())),
            actor_alternatives=actor_fact[0].alternatives if actor_fact else (),
            adult_of=by_billing[adult]["character"] if adult in by_billing else None,
            credited_as=row["credited_as"],
        )
        flat.append(credit)
        if adult in by_billing:
            young.setdefault(adult, []).append(credit)
    return tuple(replace(c, younger=tuple(young[c.billing])) if c.billing in young else c for c in flat)


def plot(conn: sqlite3.Connection, film_id: int, ref: FilmRef) -> Plot:
    film = _film_row(conn, film_id)
    beats = _rows(conn, "SELECT * FROM beats WHERE film_id = ? ORDER BY idx", film_id)
    rejected = _rows(
        conn, "SELECT text, document FROM rejected WHERE film_id = ? ORDER BY document, start", film_id
    )
    return Plot(
        film=ref,
        premise=film["premise"],
        beats=tuple(
            Beat(
                b["idx"],
                b["text"],
                Spoil(b["spoil"]),
                b["part"],
                Provenance(b["document"], b["start"], b["end"], b["text"]),
            )
            for b in beats
        ),
        document=film["plot_document"],
        rejected=tuple(Alternative(r["text"], (r["document"],)) for r in rejected),
        continued_from=film["plot_continued_from"],
    )


def soundtrack(
    conn: sqlite3.Connection, film_id: int, ref: FilmRef, known: dict[str, tuple[Fact, str]]
) -> Soundtrack:
    rows = _rows(conn, "SELECT * FROM songs WHERE film_id = ? ORDER BY idx", film_id)
    writers = _grouped(
        _rows(conn, "SELECT song, name FROM song_writers WHERE film_id = ? ORDER BY song, idx", film_id),
        "song",
        "name",
    )
    documents = _grouped(
        _rows(conn, "SELECT song, document FROM song_support WHERE film_id = ? ORDER BY song, idx", film_id),
        "song",
        "document",
    )
    songs = []
    for row in rows:
        title = known[row["title_fact"]][0]
        songs.append(
            Song(
                title=title.value,
                performer=row["performer"],
                writers=tuple(str(w) for w in writers.get(row["idx"], ())),
                documents=tuple(str(d) for d in documents.get(row["idx"], ())),
                title_alternatives=title.alternatives,
            )
        )
    composer, featured = known.get("composer"), known.get("featured")
    return Soundtrack(
        film=ref,
        composer=composer[0] if composer else None,
        featured=featured[0].items if featured else (),
        songs=tuple(songs),
    )


def reception(
    conn: sqlite3.Connection, film_id: int, ref: FilmRef, known: dict[str, tuple[Fact, str]]
) -> Reception:
    figures = [
        (
            row["kind"],
            Figure(
                row["aggregator"],
                known[row["fact"]][0],
                row["count"],
                row["count_label"],
                row["average"],
                row["verdict"],
            ),
        )
        for row in _rows(conn, "SELECT * FROM figures WHERE film_id = ? ORDER BY idx", film_id)
    ]
    quotes = _rows(conn, "SELECT * FROM quotes WHERE film_id = ? ORDER BY idx", film_id)
    consensus = known.get("consensus")
    return Reception(
        film=ref,
        figures=tuple(f for kind, f in figures if kind == "aggregate"),
        consensus=consensus[0] if consensus else None,
        quotes=tuple(
            Quote(
                q["critic"],
                q["outlet"],
                q["grade"],
                q["text"],
                Spoil(q["spoil"]),
                Provenance(q["document"], q["start"], q["end"], q["sentence"]),
            )
            for q in quotes
        ),
        reviewer_ratings=tuple(f for kind, f in figures if kind == "reviewer"),
    )


def sources(
    conn: sqlite3.Connection, film_id: int, ref: FilmRef, known: dict[str, tuple[Fact, str]]
) -> Sources:
    notes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in _rows(
        conn,
        "SELECT document, kind, text FROM document_notes WHERE film_id = ? ORDER BY document, kind, idx",
        film_id,
    ):
        notes[(row["document"], row["kind"])].append(row["text"])
    contributed: dict[str, dict[str, int]] = defaultdict(dict)
    for row in _rows(
        conn,
        "SELECT document, kind, count FROM document_contributions WHERE film_id = ? ORDER BY document, kind",
        film_id,
    ):
        contributed[row["document"]][row["kind"]] = row["count"]
    documents = _rows(
        conn,
        "SELECT name, shape, reliability, witness, copy_of, markup, shape_reason FROM documents WHERE film_id = ? ORDER BY name",
        film_id,
    )
    garbles = _rows(conn, "SELECT * FROM garbles WHERE film_id = ? ORDER BY document, idx", film_id)
    return Sources(
        film=ref,
        documents=tuple(
            SourceInfo(
                d["name"],
                d["shape"],
                d["reliability"],
                d["witness"],
                d["copy_of"],
                contributed.get(d["name"], {}),
                tuple(notes[(d["name"], "warning")]),
                d["markup"],
                d["shape_reason"],
                tuple(notes[(d["name"], "reason")]),
            )
            for d in documents
        ),
        garbles=tuple(
            Garbled(g["document"], g["original"], g["what"], g["value"], g["garbled"]) for g in garbles
        ),
        disputed=tuple(  # field holds the human label here ("Year", "Theis (actor)")
            replace(fact, field=label) for fact, label in known.values() if fact.alternatives
        ),
    )


def document_text(conn: sqlite3.Connection, film_id: int, document: str) -> str | None:
    row = conn.execute(
        "SELECT text FROM documents WHERE film_id = ? AND name = ?", (film_id, document)
    ).fetchone()
    return None if row is None else str(row["text"])
