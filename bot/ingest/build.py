"""Documents -> knowledge database. Deterministic, atomic (temp file, then rename), schema versioned."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bot.ingest.extract import Claim, Extraction, extract, passages, show_date
from bot.ingest.resolve import FilmResult, Resolved, Vote, resolve
from bot.ingest.shapes import parse
from bot.ingest.text import Unreadable, decode, normalise
from bot.storage.models import Spoil

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
PARSER_VERSION = 3  # bump when extraction or resolution changes, so the bot rebuilds on start

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE films (
    id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, title TEXT NOT NULL, year INTEGER,
    premise TEXT NOT NULL, plot_document TEXT
);
CREATE TABLE documents (
    film_id INTEGER NOT NULL REFERENCES films(id), name TEXT NOT NULL, sha256 TEXT NOT NULL,
    shape TEXT NOT NULL, witness TEXT NOT NULL, copy_of TEXT, reliability REAL NOT NULL,
    contributed TEXT NOT NULL, warnings TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (film_id, name)
);
CREATE TABLE facts (
    film_id INTEGER NOT NULL REFERENCES films(id), field TEXT NOT NULL, label TEXT NOT NULL,
    value TEXT NOT NULL, spoil INTEGER NOT NULL, document TEXT NOT NULL, start INTEGER NOT NULL,
    end INTEGER NOT NULL, sentence TEXT NOT NULL, documents TEXT NOT NULL, alternatives TEXT NOT NULL,
    PRIMARY KEY (film_id, field)
);
CREATE TABLE credits (
    film_id INTEGER NOT NULL REFERENCES films(id), billing INTEGER NOT NULL, actor TEXT NOT NULL,
    character TEXT NOT NULL, note TEXT NOT NULL, note_spoiler TEXT NOT NULL, adult_billing INTEGER,
    credited_as TEXT, fact TEXT NOT NULL, documents TEXT NOT NULL, PRIMARY KEY (film_id, billing)
);
CREATE TABLE beats (
    film_id INTEGER NOT NULL REFERENCES films(id), idx INTEGER NOT NULL, text TEXT NOT NULL,
    spoil INTEGER NOT NULL, part TEXT NOT NULL, document TEXT NOT NULL, start INTEGER NOT NULL,
    end INTEGER NOT NULL, PRIMARY KEY (film_id, idx)
);
CREATE TABLE rejected (
    film_id INTEGER NOT NULL REFERENCES films(id), document TEXT NOT NULL, start INTEGER NOT NULL,
    end INTEGER NOT NULL, text TEXT NOT NULL
);
CREATE TABLE songs (
    film_id INTEGER NOT NULL REFERENCES films(id), idx INTEGER NOT NULL, title_fact TEXT NOT NULL,
    performer TEXT NOT NULL, writers TEXT NOT NULL, documents TEXT NOT NULL, PRIMARY KEY (film_id, idx)
);
CREATE TABLE figures (
    film_id INTEGER NOT NULL REFERENCES films(id), idx INTEGER NOT NULL, kind TEXT NOT NULL,
    aggregator TEXT NOT NULL, fact TEXT NOT NULL, count INTEGER, count_label TEXT NOT NULL,
    average TEXT, verdict TEXT, PRIMARY KEY (film_id, idx)
);
CREATE TABLE quotes (
    film_id INTEGER NOT NULL REFERENCES films(id), idx INTEGER NOT NULL, critic TEXT NOT NULL,
    outlet TEXT NOT NULL, grade TEXT, text TEXT NOT NULL, spoil INTEGER NOT NULL, document TEXT NOT NULL,
    start INTEGER NOT NULL, end INTEGER NOT NULL, sentence TEXT NOT NULL, PRIMARY KEY (film_id, idx)
);
CREATE TABLE timeline (
    film_id INTEGER NOT NULL REFERENCES films(id), idx INTEGER NOT NULL, when_text TEXT NOT NULL,
    sort_key TEXT NOT NULL, text TEXT NOT NULL, document TEXT NOT NULL, start INTEGER NOT NULL,
    end INTEGER NOT NULL, PRIMARY KEY (film_id, idx)
);
CREATE TABLE passages (
    id INTEGER PRIMARY KEY, film_id INTEGER NOT NULL REFERENCES films(id), document TEXT NOT NULL,
    section TEXT NOT NULL, text TEXT NOT NULL, spoil INTEGER NOT NULL, start INTEGER NOT NULL,
    end INTEGER NOT NULL
);
CREATE VIRTUAL TABLE passages_fts USING fts5(
    text, content='passages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
"""

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
    "classical": "Classical composers",
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


@dataclass
class Summary:
    films: int = 0
    documents: int = 0
    facts: int = 0
    disputed: int = 0
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"films: {self.films}",
            f"documents: {self.documents}",
            f"facts: {self.facts}",
            f"disputed facts: {self.disputed}",
            f"warnings: {len(self.warnings)}",
        ]
        return out + [f"  - {w}" for w in self.warnings]


@dataclass
class FilmRows:
    """Everything one film contributes to the database, as plain rows (picklable across processes)."""

    slug: str
    title: str
    year: int | None
    premise: str
    plot_document: str | None
    tables: dict[str, Sequence[Row]]
    warnings: list[str]


# ---------------------------------------------------------------- reading documents


def film_folders(films_dir: Path) -> list[Path]:
    if not films_dir.is_dir():
        return []
    return sorted(p for p in films_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def document_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def corpus_hash(films_dir: Path) -> str:
    """Changes whenever any document, the schema or the parser changes."""
    digest = hashlib.sha256(f"schema={SCHEMA_VERSION};parser={PARSER_VERSION}".encode())
    for folder in film_folders(films_dir):
        for path in document_files(folder):
            digest.update(f"\0{folder.name}/{path.name}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _read(folder: Path) -> tuple[list[Extraction], dict[str, str], list[str]]:
    extractions: list[Extraction] = []
    hashes: dict[str, str] = {}
    warnings: list[str] = []
    for path in document_files(folder):
        where = f"{folder.name}/{path.name}"
        try:
            raw = path.read_bytes()
            text, notes = decode(raw)
        except Unreadable as err:
            warnings.append(f"{where}: skipped, {err}")
            continue
        except OSError as err:
            warnings.append(f"{where}: skipped, cannot read ({err.strerror})")
            continue
        warnings += [f"{where}: {note}" for note in notes]
        doc = parse(path.name, normalise(text))
        if doc.shape == "unknown":
            warnings.append(f"{where}: skipped, unrecognised document shape")
            continue
        hashes[path.name] = hashlib.sha256(raw).hexdigest()
        extractions.append(extract(doc))
    if not document_files(folder):
        warnings.append(f"{folder.name}/: no documents")
    return extractions, hashes, warnings


# ---------------------------------------------------------------- one film


def film_rows(folder: Path) -> FilmRows | list[str] | None:
    """Parse and resolve one film folder. Returns its rows, or its warnings when nothing could be extracted."""
    extractions, hashes, warnings = _read(folder)
    useful = [x for x in extractions if x.claims or x.credits or x.songs]
    if not useful:
        return [*warnings, f"{folder.name}/: nothing could be extracted; film left out"]
    result = resolve(extractions)
    return _rows(folder.name, extractions, result, hashes, warnings)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


Show = Callable[[Claim], str]


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


def _rows(
    slug: str, extractions: list[Extraction], result: FilmResult, hashes: dict[str, str], warnings: list[str]
) -> FilmRows:
    f = result.facts
    facts: list[Row] = []
    for field_, r in sorted(f.items()):
        if field_ in LABELS:
            spoil = Spoil.MAJOR if result.is_spoiler(r.winner.claim.value) else Spoil.SAFE
            facts.append(
                _fact_row(
                    field_,
                    LABELS[field_],
                    r,
                    r.winner.claim.value if field_ == "rotten_tomatoes" else _show(field_, r.winner.claim),
                    spoil,
                    functools.partial(_show, field_),
                )
            )
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

    figures: list[Row] = []
    if "rotten_tomatoes" in f:
        extra = f["rotten_tomatoes"].winner.claim.extra
        count = int(extra["count"]) if "count" in extra else None
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
                single = Resolved(name, Vote(claim, x.doc.name), (x.doc.name,), ())
                facts.append(_fact_row(name, f"Reviewer's rating ({x.doc.name})", single, claim.value))
                figures.append(("reviewer", f"Reviewer ({x.doc.name})", name, None, "", None, None))
    figures = [(i, *row) for i, row in enumerate(figures)]

    beats = [
        (i, b.text, int(b.spoil), b.part, b.document, b.start, b.end) for i, b in enumerate(result.beats)
    ]
    premise = " ".join(b.text for b in result.premise)
    quotes = [
        (i, q.critic, q.outlet, q.grade, q.text, int(spoil), doc, q.start, q.end, q.sentence)
        for i, (doc, q, spoil) in enumerate(result.quotes)
    ]
    timeline = [
        (i, t.when, t.sort_key, t.text, doc, t.start, t.end) for i, (doc, t) in enumerate(result.timeline)
    ]
    rejected = [(doc, s.start, s.end, s.text) for doc, s in result.rejected]
    told = {(d, s.start) for d, spans in result.narrative.items() for s in spans}
    passage_rows: list[Row] = []
    for d in result.docs:
        for section, span in passages(d):
            narrative = any((d.name, s) in told for s in range(span.start, span.end))
            spoil = (
                Spoil.MAJOR if section == "plot" or narrative or result.is_spoiler(span.text) else Spoil.SAFE
            )
            passage_rows.append((d.name, section, span.text, int(spoil), span.start, span.end))

    contributed = _contributions(result, facts, beats, quotes)
    doc_warnings = {
        d.name: [w for w in warnings if w.split(": ", 1)[0].endswith("/" + d.name)] for d in result.docs
    }
    documents = [
        (
            d.name,
            hashes[d.name],
            d.shape,
            result.copy_of[d.name] or d.name,  # a witness is named after the original text
            result.copy_of[d.name],
            round(result.reliability[d.name], 4),
            _json(contributed[d.name]),
            _json(doc_warnings[d.name]),
            d.text,
        )
        for d in result.docs
    ]
    title = f["title"].winner.claim.value if "title" in f else slug.replace("-", " ").title()
    year = int(f["year"].winner.claim.value) if "year" in f else None
    tables: dict[str, Sequence[Row]] = {
        "documents": documents,
        "facts": facts,
        "credits": credits,
        "beats": beats,
        "rejected": rejected,
        "songs": songs,
        "figures": figures,
        "quotes": quotes,
        "timeline": timeline,
        "passages": passage_rows,
    }
    return FilmRows(slug, title, year, premise, result.plot_document, tables, warnings)


def _contributions(
    result: FilmResult,
    facts: Sequence[Row],
    beats: Sequence[Row],
    quotes: Sequence[Row],
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
    return out


# ---------------------------------------------------------------- the database


INSERTS: dict[str, str] = {
    "documents": "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "facts": "INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "credits": "INSERT INTO credits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "beats": "INSERT INTO beats VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "rejected": "INSERT INTO rejected VALUES (?, ?, ?, ?, ?)",
    "songs": "INSERT INTO songs VALUES (?, ?, ?, ?, ?, ?)",
    "figures": "INSERT INTO figures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "quotes": "INSERT INTO quotes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "timeline": "INSERT INTO timeline VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "passages": "INSERT INTO passages (film_id, document, section, text, spoil, start, end) VALUES (?, ?, ?, ?, ?, ?, ?)",
}


def _write(path: Path, films: list[FilmRows], digest: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        conn = sqlite3.connect(tmp)
        try:
            conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
            conn.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("schema_version", str(SCHEMA_VERSION)),
                    ("parser_version", str(PARSER_VERSION)),
                    ("corpus_hash", digest),
                ],
            )
            for film_id, film in enumerate(films, start=1):
                conn.execute(
                    "INSERT INTO films VALUES (?, ?, ?, ?, ?, ?)",
                    (film_id, film.slug, film.title, film.year, film.premise, film.plot_document),
                )
                for table, rows in film.tables.items():
                    conn.executemany(INSERTS[table], [(film_id, *row) for row in rows])
            conn.execute("INSERT INTO passages_fts(passages_fts) VALUES ('rebuild')")
            conn.commit()
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        finally:
            conn.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def build(films_dir: Path, db_path: Path, workers: int | None = None) -> Summary:
    """Ingest every film folder under films_dir into db_path. The previous database survives any failure."""
    summary = Summary()
    folders = film_folders(films_dir)
    if not folders:
        summary.warnings.append(f"{films_dir}: no film folders")
    digest = corpus_hash(films_dir)
    workers = workers if workers is not None else (min(os.cpu_count() or 1, 8) if len(folders) > 8 else 1)
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(film_rows, folders, chunksize=max(1, len(folders) // (workers * 8))))
    else:
        results = [film_rows(folder) for folder in folders]
    films: list[FilmRows] = []
    for res in results:
        if isinstance(res, list):
            summary.warnings += res
        elif res is not None:
            films.append(res)
            summary.warnings += res.warnings
    _write(db_path, films, digest)
    summary.films = len(films)
    summary.documents = sum(len(f.tables["documents"]) for f in films)
    summary.facts = sum(len(f.tables["facts"]) for f in films)
    summary.disputed = sum(1 for f in films for row in f.tables["facts"] if row[-1] != "[]")
    return summary


def built_hash(db_path: Path) -> str | None:
    """The corpus hash recorded in an existing database, or None if it is missing or unreadable."""
    if not db_path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'corpus_hash'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def ensure_built(films_dir: Path, db_path: Path) -> Summary | None:
    """Rebuild when the documents (or the parser) changed since the last build; None when up to date."""
    if built_hash(db_path) == corpus_hash(films_dir):
        return None
    return build(films_dir, db_path)
