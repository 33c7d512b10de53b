"""Bring a knowledge database up to date with its sources: the shared folder and the uploaded documents.

`plan` (plan.py) lists the films to ingest and to remove. Films are prepared in worker processes (workers.py,
prepare.py) and written one transaction each by the one writer (bot/storage/knowledge/writer.py): a failure
leaves every film as it was before.

`build` does this synchronously for `python -m bot.ingest`; the bot does the same in the background
(bot/library/engine.py).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bot.ingest.outcome import Prepared, apply
from bot.ingest.plan import CHECKPOINT_AFTER, open_writer, plan
from bot.ingest.prepare import prepare
from bot.ingest.sources import FilmSource
from bot.ingest.workers import tune_gc, workers_for
from bot.storage.knowledge.records import FilmRecord

log = logging.getLogger(__name__)

# Films a worker takes at a time: few, so that the writer starts early and the workers finish together.
CHUNK_FILMS = 4


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


def prepared_in_order(films: Sequence[FilmSource], pool: Executor | None, workers: int) -> Iterator[Prepared]:
    """Each film prepared, in the order given; in the pool when there is one, a few films ahead."""
    if pool is None:
        yield from map(prepare, films)
        return
    yield from pool.map(prepare, films, chunksize=max(1, min(CHUNK_FILMS, len(films) // (workers * 8))))


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
        parallel = count > 1 and len(todo.ingest) > 1
        pool = ProcessPoolExecutor(max_workers=count, initializer=tune_gc) if parallel else None
        try:
            for prepared in prepared_in_order(todo.ingest, pool, count):
                apply(writer, prepared)
                summary.add(prepared)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        for key in todo.remove:
            summary.removed += writer.remove_film(key)
        if todo.files_changed:
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
