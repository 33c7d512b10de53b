"""The one write path into the knowledge database: a film in, a film out, each in one transaction.

`KnowledgeWriter` is synchronous (the bot runs it on its own thread, the command line in its main thread).
Writing a film replaces every row it had, bumps the library's generation and stamps the film with it, so
readers (in this process or another) see the film before or after, and know which films changed.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from bot.storage.knowledge import schema
from bot.storage.knowledge.records import (
    BeatRecord,
    CreditRecord,
    DocumentRecord,
    FigureRecord,
    FilmRecord,
    PassageRecord,
    QuoteRecord,
    RejectedRecord,
    TimelineRecord,
)

log = logging.getLogger(__name__)


def _columns(record_type: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(record_type))


@dataclass(frozen=True)
class SourceFile:
    """What the stat cache remembers of one shared document: unchanged size and mtime, unchanged content."""

    size: int
    mtime_ns: int
    sha256: str


class KnowledgeWriter:
    """Opens (creating when missing) the database at `path`. Use from one thread at a time."""

    def __init__(self, path: Path, parser_version: int, *, check_same_thread: bool = True) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.conn = schema.connect(path, check_same_thread=check_same_thread)
        if schema.version(self.conn) == 0 and not self._tables():
            schema.create(self.conn, parser_version)
        schema.check(self.conn, path)
        self.conn.execute("PRAGMA journal_mode = WAL")

    def _tables(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database and empty it (after many films were written, so the next
        start does not pay for it)."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self.conn.close()

    # -- what is there ----------------------------------------------------------------------------------------

    def hashes(self) -> dict[str, str]:
        """Every film's (and every skipped source's) key -> the source hash it was built from."""
        rows = self.conn.execute(
            "SELECT key, source_hash FROM films UNION ALL SELECT key, source_hash FROM skipped"
        )
        return {row["key"]: row["source_hash"] for row in rows}

    def film_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM films").fetchone()[0])

    def source_files(self) -> dict[str, SourceFile]:
        rows = self.conn.execute("SELECT path, size, mtime_ns, sha256 FROM source_files")
        return {row["path"]: SourceFile(row["size"], row["mtime_ns"], row["sha256"]) for row in rows}

    def remember_files(self, files: Mapping[str, SourceFile]) -> None:
        """Replace the stat cache of shared documents (one transaction; none when nothing changed)."""
        if dict(files) == self.source_files():
            return
        with self._transaction():
            self.conn.execute("DELETE FROM source_files")
            self.conn.executemany(
                "INSERT INTO source_files (path, size, mtime_ns, sha256) VALUES (?, ?, ?, ?)",
                [(p, f.size, f.mtime_ns, f.sha256) for p, f in sorted(files.items())],
            )

    # -- writing ----------------------------------------------------------------------------------------------

    def write_film(self, film: FilmRecord) -> int:
        """Replace the film `film.key` by this one; its new generation."""
        with self._transaction():
            generation = self._next_generation()
            found = self.conn.execute("SELECT id FROM films WHERE key = ?", (film.key,)).fetchone()
            values = {
                "key": film.key,
                "guild_id": film.guild_id,
                "slug": film.slug,
                "title": film.title,
                "year": film.year,
                "runtime_minutes": film.runtime_minutes,
                "premise": film.premise,
                "plot_document": film.plot_document,
                "plot_continued_from": film.plot_continued_from,
                "source_hash": film.source_hash,
                "generation": generation,
            }
            if found is None:
                film_id = self._insert("films", values)
            else:
                film_id = int(found["id"])
                self._delete_rows(film_id)
                assignments = ", ".join(f"{name} = :{name}" for name in values)
                self.conn.execute(f"UPDATE films SET {assignments} WHERE id = :id", {**values, "id": film_id})
            self.conn.execute("DELETE FROM removed WHERE key = ?", (film.key,))
            self.conn.execute("DELETE FROM skipped WHERE key = ?", (film.key,))
            self._film_rows(film_id, film)
            self.conn.execute(
                "UPDATE films SET (first_passage, last_passage) = "
                "(SELECT min(id), max(id) FROM passages WHERE film_id = :id) WHERE id = :id",
                {"id": film_id},
            )
        log.debug("knowledge: wrote %s (generation %d)", film.key, generation)
        return generation

    def skip(self, key: str, source_hash: str) -> None:
        """Remember that these sources gave no film (nothing usable), so an unchanged start skips them."""
        with self._transaction():
            self._remove(key)
            self.conn.execute(
                "INSERT INTO skipped (key, source_hash) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET source_hash = excluded.source_hash",
                (key, source_hash),
            )

    def remove_film(self, key: str) -> bool:
        """Remove a film and everything it had; False when there was none."""
        with self._transaction():
            existed = self._remove(key)
            self.conn.execute("DELETE FROM skipped WHERE key = ?", (key,))
        return existed

    def _remove(self, key: str) -> bool:
        found = self.conn.execute("SELECT id FROM films WHERE key = ?", (key,)).fetchone()
        if found is None:
            return False
        self._delete_rows(int(found["id"]))
        self.conn.execute("DELETE FROM films WHERE id = ?", (found["id"],))
        self.conn.execute(
            "INSERT INTO removed (key, generation) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET generation = excluded.generation",
            (key, self._next_generation()),
        )
        log.debug("knowledge: removed %s", key)
        return True

    def _next_generation(self) -> int:
        self.conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
        return int(self.conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])

    def _delete_rows(self, film_id: int) -> None:
        for table in schema.FILM_TABLES:
            self.conn.execute(f"DELETE FROM {table} WHERE film_id = ?", (film_id,))

    def _film_rows(self, film_id: int, film: FilmRecord) -> None:
        def rows(table: str, columns: Iterable[str], values: Iterable[tuple[Any, ...]]) -> None:
            names = ("film_id", *columns)
            marks = ", ".join("?" * len(names))
            self.conn.executemany(
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})",
                ((film_id, *value) for value in values),
            )

        def plain(table: str, records: Iterable[Any], record_type: type, skip: tuple[str, ...] = ()) -> None:
            columns = tuple(c for c in _columns(record_type) if c not in skip)
            rows(table, columns, (tuple(getattr(r, c) for c in columns) for r in records))

        docs = film.documents
        plain("documents", docs, DocumentRecord, ("reasons", "warnings", "contributed"))
        rows(
            "document_notes",
            ("document", "kind", "idx", "text"),
            (
                (d.name, kind, i, text)
                for d in docs
                for kind, notes in (("reason", d.reasons), ("warning", d.warnings))
                for i, text in enumerate(notes)
            ),
        )
        rows(
            "document_contributions",
            ("document", "kind", "count"),
            ((d.name, kind, count) for d in docs for kind, count in d.contributed),
        )
        fact_columns = (
            "field",
            "label",
            "text",
            "number",
            "date",
            "spoil",
            "document",
            "start",
            "end",
            "sentence",
        )
        rows(
            "facts",
            (*fact_columns, "disputed"),
            ((*(getattr(f, c) for c in fact_columns), int(bool(f.alternatives))) for f in film.facts),
        )
        rows(
            "fact_items",
            ("field", "idx", "item"),
            ((f.field, i, v) for f in film.facts for i, v in enumerate(f.items)),
        )
        rows(
            "fact_alternatives",
            ("field", "rank", "value"),
            ((f.field, rank, a.value) for f in film.facts for rank, a in enumerate(f.alternatives, 1)),
        )
        rows("fact_support", ("field", "rank", "idx", "document"), _support(film))
        plain("credits", film.credits, CreditRecord, ("documents",))
        rows(
            "credit_support",
            ("billing", "idx", "document"),
            ((c.billing, i, d) for c in film.credits for i, d in enumerate(c.documents)),
        )
        plain("beats", film.beats, BeatRecord)
        plain("rejected", film.rejected, RejectedRecord)
        plain("figures", film.figures, FigureRecord)
        plain("quotes", film.quotes, QuoteRecord)
        plain("timeline", film.timeline, TimelineRecord)
        plain("passages", film.passages, PassageRecord)
        rows(
            "garbles",
            ("idx", "document", "original", "what", "value", "garbled"),
            ((i, g.document, g.original, g.what, g.value, g.garbled) for i, g in enumerate(film.garbles)),
        )
        rows(
            "songs",
            ("idx", "title_fact", "performer"),
            ((s.idx, s.title_fact, s.performer) for s in film.songs),
        )
        rows(
            "song_writers",
            ("song", "idx", "name"),
            ((s.idx, i, w) for s in film.songs for i, w in enumerate(s.writers)),
        )
        rows(
            "song_support",
            ("song", "idx", "document"),
            ((s.idx, i, d) for s in film.songs for i, d in enumerate(s.documents)),
        )

    def _insert(self, table: str, values: Mapping[str, Any]) -> int:
        names = ", ".join(values)
        marks = ", ".join(f":{name}" for name in values)
        cursor = self.conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", dict(values))
        return int(cursor.lastrowid or 0)

    # -- transactions -----------------------------------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self.conn)


def _support(film: FilmRecord) -> Iterator[tuple[str, int, int, str]]:
    for f in film.facts:
        for i, d in enumerate(f.documents):
            yield f.field, 0, i, d
        for rank, alt in enumerate(f.alternatives, 1):
            for i, d in enumerate(alt.documents):
                yield f.field, rank, i, d


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error: a film is written whole or not at all."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
