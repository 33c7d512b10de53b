"""Documents -> knowledge database. Deterministic, atomic (temp file, then rename), schema versioned."""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bot.ingest.extract import Extraction, extract
from bot.ingest.resolve import resolve
from bot.ingest.rows import FilmRows
from bot.ingest.rows import film_rows as rows_of
from bot.ingest.shapes import parse
from bot.ingest.text import ENGLISH_MIN_SHARE, Unreadable, decode, english_share, normalise

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
PARSER_VERSION = 4  # bump when extraction or resolution changes, so the bot rebuilds on start
# A document's text (after markup is dropped) longer than this is not one film's page: the longest
# encyclopedia articles about a film run to about 100,000 characters.
MAX_TEXT_CHARS = 200_000

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE films (
    id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, title TEXT NOT NULL, year INTEGER,
    premise TEXT NOT NULL, plot_document TEXT, plot_continued_from TEXT
);
CREATE TABLE documents (
    film_id INTEGER NOT NULL REFERENCES films(id), name TEXT NOT NULL, sha256 TEXT NOT NULL,
    shape TEXT NOT NULL, markup TEXT NOT NULL, shape_reason TEXT NOT NULL, witness TEXT NOT NULL, copy_of TEXT,
    reliability REAL NOT NULL, reliability_reasons TEXT NOT NULL, contributed TEXT NOT NULL,
    warnings TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (film_id, name)
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
CREATE TABLE garbles (
    film_id INTEGER NOT NULL REFERENCES films(id), document TEXT NOT NULL, original TEXT NOT NULL,
    what TEXT NOT NULL, value TEXT NOT NULL, garbled TEXT NOT NULL
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


def _document(folder: Path, path: Path, seen: dict[str, str]) -> tuple[Extraction | None, str, list[str]]:
    """One document read, parsed and extracted; or None and the warnings saying why not."""
    where = f"{folder.name}/{path.name}"
    try:
        raw = path.read_bytes()
        text, notes = decode(raw)
    except Unreadable as err:
        return None, "", [f"{where}: skipped, {err}"]
    except OSError as err:
        return None, "", [f"{where}: skipped, cannot read ({err.strerror})"]
    warnings = [f"{where}: {note}" for note in notes]
    text = normalise(text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    if digest in seen:
        warnings.append(f"{where}: an exact duplicate of {seen[digest]}; one witness with it, never two")
    seen.setdefault(digest, path.name)
    try:
        doc = parse(path.name, text)
        if len(doc.text) > MAX_TEXT_CHARS:
            return (
                None,
                "",
                [
                    *warnings,
                    f"{where}: skipped, too large ({len(doc.text):,} characters of text; the limit is {MAX_TEXT_CHARS:,})",
                ],
            )
        if not doc.text.strip():
            return (
                None,
                "",
                [*warnings, f"{where}: skipped, no readable text (only markup, scripts or styles)"],
            )
        if doc.shape == "unknown":
            return None, "", [*warnings, f"{where}: skipped, unrecognised document shape ({doc.why})"]
        share = english_share(doc.text)
        if share is not None and share < ENGLISH_MIN_SHARE:
            return (
                None,
                "",
                [*warnings, f"{where}: skipped, not in English ({share:.0%} English function words)"],
            )
        return extract(doc, folder.name), hashlib.sha256(raw).hexdigest(), warnings
    except Unreadable as err:
        return None, "", [*warnings, f"{where}: skipped, {err}"]
    except Exception as err:  # a parser bug must not stop the other documents and films from being read
        log.exception("%s: could not be parsed", where)
        return None, "", [*warnings, f"{where}: skipped, could not be parsed ({type(err).__name__}: {err})"]


def _read(folder: Path) -> tuple[list[Extraction], dict[str, str], list[str]]:
    extractions: list[Extraction] = []
    hashes: dict[str, str] = {}
    warnings: list[str] = []
    seen: dict[str, str] = {}
    files = document_files(folder)
    for path in files:
        extraction, digest, notes = _document(folder, path, seen)
        warnings += notes
        if extraction is not None:
            hashes[path.name] = digest
            extractions.append(extraction)
    if not files:
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
    for doc, found in sorted(result.contradictions.items()):
        warnings.append(f"{folder.name}/{doc}: contradicts itself ({'; '.join(found)}); not counted there")
    return rows_of(folder.name, extractions, result, hashes, warnings)


# ---------------------------------------------------------------- the database


INSERTS: dict[str, str] = {
    "documents": "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "facts": "INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "credits": "INSERT INTO credits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "beats": "INSERT INTO beats VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "rejected": "INSERT INTO rejected VALUES (?, ?, ?, ?, ?)",
    "garbles": "INSERT INTO garbles VALUES (?, ?, ?, ?, ?, ?)",
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
                    "INSERT INTO films VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        film_id,
                        film.slug,
                        film.title,
                        film.year,
                        film.premise,
                        film.plot_document,
                        film.plot_continued_from,
                    ),
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
