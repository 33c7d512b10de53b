"""Bring a knowledge database up to date with its sources: the shared folder and the uploaded documents.

`plan` compares each film's source hash (sources.py) with the one it was built from and lists the films to
ingest and to remove; nothing else is touched, so a start with nothing changed does no ingest work. Films are
prepared in worker processes (prepare.py) and written one transaction each by the one writer
(bot/storage/knowledge/writer.py): a failure leaves every film as it was before.

`build` does this synchronously for `python -m bot.ingest`; the bot does the same in the background
(bot/library/engine.py).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bot.ingest.prepare import Prepared, Unusable, prepare
from bot.ingest.sources import PARSER_VERSION, FilmSource, scan_shared
from bot.storage.knowledge.records import FilmRecord
from bot.storage.knowledge.schema import SchemaMismatch
from bot.storage.knowledge.writer import KnowledgeWriter, SourceFile

log = logging.getLogger(__name__)

CHECKPOINT_AFTER = 50  # films written by one build or sync beyond which the write-ahead log is folded in


@dataclass
class Summary:
    films: int = 0  # films in the database after the build
    ingested: int = 0  # films (re)ingested by this build
    removed: int = 0
    unchanged: int = 0
    documents: int = 0  # documents of the films ingested
    facts: int = 0
    disputed: int = 0
    warnings: list[str] = field(default_factory=list)

    def add(self, prepared: Prepared) -> None:
        self.warnings += prepared.warnings
        if isinstance(prepared, FilmRecord):
            self.ingested += 1
            self.documents += len(prepared.documents)
            self.facts += len(prepared.facts)
            self.disputed += sum(1 for f in prepared.facts if f.alternatives)

    def lines(self) -> list[str]:
        out = [
            f"films: {self.films}",
            f"ingested: {self.ingested} (unchanged: {self.unchanged}, removed: {self.removed})",
            f"documents: {self.documents}",
            f"facts: {self.facts}",
            f"disputed facts: {self.disputed}",
            f"warnings: {len(self.warnings)}",
        ]
        return out + [f"  - {w}" for w in self.warnings]


@dataclass
class Plan:
    """What a build has to do: films to ingest (in key order), films to remove, the stat cache to keep."""

    ingest: list[FilmSource]
    remove: list[str]
    files: dict[str, SourceFile]
    warnings: list[str]
    unchanged: int
    hashed: int = 0  # shared files whose content had to be read

    @property
    def empty(self) -> bool:
        return not self.ingest and not self.remove


def plan(writer: KnowledgeWriter, films_dir: Path, uploaded: Sequence[FilmSource] = ()) -> Plan:
    """Compare the sources with what the database was built from. Uploaded films may come without their bytes
    (only names and hashes): the caller loads the bytes of those it must ingest."""
    scan = scan_shared(films_dir, writer.source_files())
    wanted = {s.key: s for s in (*scan.films, *uploaded)}
    built = writer.hashes()
    ingest = [s for key, s in sorted(wanted.items()) if built.get(key) != s.source_hash]
    remove = sorted(key for key in built if key not in wanted)
    unchanged = len(wanted) - len(ingest)
    return Plan(ingest, remove, scan.files, scan.warnings, unchanged, scan.hashed)


def open_writer(db_path: Path) -> KnowledgeWriter:
    """The writer of db_path; a database of another schema version is deleted and created anew (it is only
    ever derived from the sources, which are all still there)."""
    try:
        return KnowledgeWriter(db_path, PARSER_VERSION)
    except SchemaMismatch as err:
        log.warning("%s; building it anew", err)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        return KnowledgeWriter(db_path, PARSER_VERSION)


def apply(writer: KnowledgeWriter, prepared: Prepared) -> None:
    """Write one prepared film (or remember that its sources gave none)."""
    if isinstance(prepared, Unusable):
        writer.skip(prepared.key, prepared.source_hash)
    else:
        writer.write_film(prepared)


# ---------------------------------------------------------------- worker processes


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:  # the bot died (even by SIGKILL): a worker must not outlive it
            os._exit(0)


def _worker_started(parent: int, level: int) -> None:
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()


def workers_for(films: int) -> int:
    return min(os.cpu_count() or 1, 8) if films > 8 else 1


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Processes to prepare films in (spawned, not forked: the bot has threads). They exit with their parent."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_started,
        initargs=(os.getpid(), logging.getLogger().getEffectiveLevel()),
    )


def prepared_in_order(films: Sequence[FilmSource], pool: Executor | None, workers: int) -> Iterator[Prepared]:
    """Each film prepared, in the order given; in the pool when there is one, a few films ahead."""
    if pool is None:
        yield from map(prepare, films)
        return
    yield from pool.map(prepare, films, chunksize=max(1, min(16, len(films) // (workers * 8))))


# ---------------------------------------------------------------- the command line's build


def build(
    films_dir: Path,
    db_path: Path,
    workers: int | None = None,
    uploaded: Sequence[FilmSource] = (),
    *,
    full: bool = False,
) -> Summary:
    """Bring db_path up to date with films_dir and the uploaded films (given with their bytes). `full`
    starts from an empty database."""
    if full:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    writer = open_writer(db_path)
    try:
        todo = plan(writer, films_dir, uploaded)
        summary = Summary(unchanged=todo.unchanged, warnings=list(todo.warnings))
        count = workers if workers is not None else workers_for(len(todo.ingest))
        pool = ProcessPoolExecutor(max_workers=count) if count > 1 and len(todo.ingest) > 1 else None
        try:
            for prepared in prepared_in_order(todo.ingest, pool, count):
                apply(writer, prepared)
                summary.add(prepared)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        for key in todo.remove:
            summary.removed += writer.remove_film(key)
        writer.remember_files(todo.files)
        if summary.ingested + summary.removed > CHECKPOINT_AFTER:
            writer.checkpoint()
        summary.films = writer.film_count()
    finally:
        writer.close()
    return summary


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a knowledge database, even while it is written (SQLite's online backup)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
