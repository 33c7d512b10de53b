"""What a build has to do: compare each film's source hash (sources.py) with the one it was built from, and
list the films to ingest and to remove; nothing else is touched, so a start with nothing changed does no
ingest work.

This module imports no parser: the bot plans its start-up sync without loading the ingest code, which it
imports only once a film has to be prepared.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.ingest.sources import PARSER_VERSION, FilmSource, scan_shared
from bot.storage.knowledge.schema import SchemaMismatch
from bot.storage.knowledge.writer import KnowledgeWriter, SourceFile

log = logging.getLogger(__name__)

CHECKPOINT_AFTER = 50  # films written by one build or sync beyond which the write-ahead log is folded in


@dataclass
class Plan:
    """What a build has to do: films to ingest (in key order), films to remove, the stat cache to keep."""

    ingest: list[FilmSource]
    remove: list[str]
    files: dict[str, SourceFile]
    warnings: list[str]
    unchanged: int
    hashed: int = 0  # shared files whose content had to be read
    files_changed: bool = True  # whether the stat cache must be written (`files` differs from it)

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
    return Plan(ingest, remove, scan.files, scan.warnings, unchanged, scan.hashed, scan.changed)


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
