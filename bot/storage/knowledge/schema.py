"""The knowledge database's schema, in one place: tables, the schema version, film keys, and connections.

Both the builder (writer.py, fed by bot/ingest) and the queries (reader.py) use this module. One row per
value: lists are rows (`fact_items`, `fact_support`, `song_writers`, ...), numbers are integers (the runtime
in minutes), dates are ISO text; see bot/storage/fields.py for which field has which kind.

Films are keyed so that shared films (FILMS_DIR) and each server's own films coexist: a shared film's key is
its folder name, a server's film's key is `<slug>~<guild id>` (FILMS_DIR folder names may not hold `~`).
`films.generation` is bumped on every write of the film; caches compare it (see reader.py).

Search: a film's passages are written in one transaction, so their ids are one range
(`films.first_passage` .. `films.last_passage`): a search in one film asks the index for that range only.

The file runs in WAL mode: one writer at a time (writer.py, one transaction per film), readers on their own
connections see either the film before or after, never half of it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Final

SCHEMA_VERSION: Final = 5
KEY_SEPARATOR: Final = "~"
BUSY_TIMEOUT_MS: Final = 10_000

DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE films (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, guild_id INTEGER, slug TEXT NOT NULL,
    title TEXT NOT NULL, year INTEGER, runtime_minutes INTEGER, premise TEXT NOT NULL, plot_document TEXT,
    plot_continued_from TEXT, source_hash TEXT NOT NULL, generation INTEGER NOT NULL,
    first_passage INTEGER, last_passage INTEGER
);
CREATE INDEX films_by_guild ON films (guild_id, title);
CREATE TABLE removed (key TEXT PRIMARY KEY, generation INTEGER NOT NULL);
CREATE TABLE skipped (key TEXT PRIMARY KEY, source_hash TEXT NOT NULL);
CREATE TABLE source_files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL);
CREATE TABLE documents (
    film_id INTEGER NOT NULL REFERENCES films(id), name TEXT NOT NULL, sha256 TEXT NOT NULL, shape TEXT NOT NULL,
    markup TEXT NOT NULL, shape_reason TEXT NOT NULL, witness TEXT NOT NULL, copy_of TEXT,
    reliability REAL NOT NULL, text TEXT NOT NULL, PRIMARY KEY (film_id, name)
);
CREATE TABLE document_notes (
    film_id INTEGER NOT NULL, document TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('reason', 'warning')),
    idx INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (film_id, document, kind, idx)
);
CREATE TABLE document_contributions (
    film_id INTEGER NOT NULL, document TEXT NOT NULL, kind TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (film_id, document, kind)
);
CREATE TABLE facts (
    film_id INTEGER NOT NULL REFERENCES films(id), field TEXT NOT NULL, label TEXT NOT NULL, text TEXT,
    number INTEGER, date TEXT, spoil INTEGER NOT NULL, document TEXT NOT NULL, start INTEGER NOT NULL,
    end INTEGER NOT NULL, sentence TEXT NOT NULL, disputed INTEGER NOT NULL, PRIMARY KEY (film_id, field)
);
CREATE TABLE fact_items (
    film_id INTEGER NOT NULL, field TEXT NOT NULL, idx INTEGER NOT NULL, item TEXT NOT NULL,
    PRIMARY KEY (film_id, field, idx)
);
CREATE TABLE fact_alternatives (
    film_id INTEGER NOT NULL, field TEXT NOT NULL, rank INTEGER NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (film_id, field, rank)
);
CREATE TABLE fact_support (  -- rank 0: the documents giving the value; rank n: those giving alternative n
    film_id INTEGER NOT NULL, field TEXT NOT NULL, rank INTEGER NOT NULL, idx INTEGER NOT NULL,
    document TEXT NOT NULL, PRIMARY KEY (film_id, field, rank, idx)
);
CREATE TABLE credits (
    film_id INTEGER NOT NULL REFERENCES films(id), billing INTEGER NOT NULL, actor TEXT NOT NULL,
    character TEXT NOT NULL, note TEXT NOT NULL, note_spoiler TEXT NOT NULL, adult_billing INTEGER,
    credited_as TEXT, fact TEXT NOT NULL, PRIMARY KEY (film_id, billing)
);
CREATE TABLE credit_support (
    film_id INTEGER NOT NULL, billing INTEGER NOT NULL, idx INTEGER NOT NULL, document TEXT NOT NULL,
    PRIMARY KEY (film_id, billing, idx)
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
CREATE INDEX rejected_by_film ON rejected (film_id);
CREATE TABLE garbles (
    film_id INTEGER NOT NULL REFERENCES films(id), idx INTEGER NOT NULL, document TEXT NOT NULL,
    original TEXT NOT NULL, what TEXT NOT NULL, value TEXT NOT NULL, garbled TEXT NOT NULL,
    PRIMARY KEY (film_id, idx)
);
CREATE TABLE songs (
    film_id INTEGER NOT NULL REFERENCES films(id), idx INTEGER NOT NULL, title_fact TEXT NOT NULL,
    performer TEXT NOT NULL, PRIMARY KEY (film_id, idx)
);
CREATE TABLE song_writers (
    film_id INTEGER NOT NULL, song INTEGER NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (film_id, song, idx)
);
CREATE TABLE song_support (
    film_id INTEGER NOT NULL, song INTEGER NOT NULL, idx INTEGER NOT NULL, document TEXT NOT NULL,
    PRIMARY KEY (film_id, song, idx)
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
CREATE INDEX passages_by_film ON passages (film_id);
CREATE VIRTUAL TABLE passages_fts USING fts5(
    text, content='passages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER passages_indexed AFTER INSERT ON passages BEGIN
    INSERT INTO passages_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER passages_unindexed AFTER DELETE ON passages BEGIN
    INSERT INTO passages_fts (passages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
"""

# Every table holding rows of one film, by its film column: what a re-ingest or a removal deletes.
FILM_TABLES: Final[tuple[str, ...]] = (
    "documents",
    "document_notes",
    "document_contributions",
    "facts",
    "fact_items",
    "fact_alternatives",
    "fact_support",
    "credits",
    "credit_support",
    "beats",
    "rejected",
    "garbles",
    "songs",
    "song_writers",
    "song_support",
    "figures",
    "quotes",
    "timeline",
    "passages",
)


class SchemaMismatch(Exception):
    """The file is not a knowledge database of this schema version."""


def film_key(slug: str, guild_id: int | None) -> str:
    """The library-wide key of a film: the folder name for a shared film, `slug~guild` for a server's."""
    return slug if guild_id is None else f"{slug}{KEY_SEPARATOR}{guild_id}"


def connect(path: Path, *, readonly: bool = False, check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection in WAL mode with a busy timeout; rows read by name (sqlite3.Row)."""
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=check_same_thread
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous = NORMAL")
    if readonly:
        conn.execute("PRAGMA query_only = 1")
    return conn


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def check(conn: sqlite3.Connection, path: Path) -> None:
    """Raise SchemaMismatch unless the file holds this schema version."""
    found = version(conn)
    if found != SCHEMA_VERSION:
        raise SchemaMismatch(
            f"{path} has knowledge schema version {found}, this bot needs {SCHEMA_VERSION}"
            if found
            else f"{path} is not a knowledge database"
        )


def create(conn: sqlite3.Connection, parser_version: int) -> None:
    """Create the schema in an empty database (in WAL mode, the mode every later connection uses)."""
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in _statements(DDL):
            conn.execute(statement)
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [("parser_version", str(parser_version)), ("generation", "0")],
        )
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _statements(script: str) -> list[str]:
    """The DDL split into statements (triggers hold semicolons: split where a statement is complete)."""
    out: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return [s for s in out if s]
