"""Where a film's documents come from, and the hash that says whether the film must be ingested again.

- Shared films: one folder per film under FILMS_DIR (the operator's). A folder's documents are its files.
- A server's films: documents uploaded with /film add, kept in the state store (bot/storage/state/library.py)
  and handed in here as bytes with their content hash.

A film's source hash covers the schema and parser versions, its slug and each document's name and content
hash: the same hash means the same rows, so the film is not ingested again. Hashing every shared file on each
start would cost seconds for thousands of films, so a file's content hash is remembered with its size and
modification time and recomputed only when those change.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.storage.knowledge.schema import KEY_SEPARATOR, SCHEMA_VERSION, film_key
from bot.storage.knowledge.writer import SourceFile
from bot.storage.state.library import LibraryFilm

log = logging.getLogger(__name__)

PARSER_VERSION = 5  # bump when extraction or resolution changes, so every film is ingested again


@dataclass(frozen=True)
class DocumentSource:
    """One document: its name, content hash, and either its bytes or the path to read them from (a plain
    string: a start looks at tens of thousands of files, and a `Path` apiece would cost more than their stat)."""

    name: str
    sha256: str
    data: bytes | None = None
    path: str | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        with open(self.path, "rb") as file:
            return file.read()


@dataclass(frozen=True)
class FilmSource:
    slug: str
    guild_id: int | None
    documents: tuple[DocumentSource, ...]

    @property
    def key(self) -> str:
        return film_key(self.slug, self.guild_id)

    @property
    def source_hash(self) -> str:
        return source_hash(self.slug, ((d.name, d.sha256) for d in self.documents))


def uploaded_source(film: LibraryFilm) -> FilmSource:
    """A server's film (bot/storage/state/library.py) as ingest sources, with bytes when they were loaded."""
    docs = tuple(DocumentSource(d.name, d.sha256, data=d.data) for d in film.documents)
    return FilmSource(film.slug, film.guild_id, docs)


def source_hash(slug: str, documents: Iterable[tuple[str, str]]) -> str:
    digest = hashlib.sha256(f"schema={SCHEMA_VERSION};parser={PARSER_VERSION};slug={slug}".encode())
    for name, sha in sorted(documents):
        digest.update(f"\0{name}\0{sha}".encode())
    return digest.hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class SharedScan:
    """The shared films found under FILMS_DIR, the stat cache to keep, and what was refused."""

    films: list[FilmSource]
    files: dict[str, SourceFile]
    warnings: list[str]
    hashed: int  # files whose content was read (0 when nothing changed)
    changed: bool  # whether `files` differs from the stat cache it was given


def scan_shared(films_dir: Path, known: Mapping[str, SourceFile]) -> SharedScan:
    """Every film folder under films_dir with its documents; content hashes from `known` where unchanged."""
    scan = SharedScan([], {}, [], 0, False)
    if not films_dir.is_dir():
        scan.warnings.append(f"{films_dir}: no film folders")
        scan.changed = bool(known)
        return scan
    folders = sorted(
        (e for e in os.scandir(films_dir) if e.is_dir() and not e.name.startswith(".")), key=_name
    )
    if not folders:
        scan.warnings.append(f"{films_dir}: no film folders")
    for folder in folders:
        if KEY_SEPARATOR in folder.name:
            scan.warnings.append(f"{folder.name}/: skipped, a folder name may not contain {KEY_SEPARATOR!r}")
            continue
        documents = []
        entries = sorted((e for e in os.scandir(folder.path) if not e.name.startswith(".")), key=_name)
        for entry in entries:
            if not entry.is_file():
                continue
            stat = entry.stat()
            relative = f"{folder.name}/{entry.name}"
            cached = known.get(relative)
            if cached is not None and cached.size == stat.st_size and cached.mtime_ns == stat.st_mtime_ns:
                scan.files[relative] = cached
            else:
                try:
                    with open(entry.path, "rb") as file:
                        digest = sha256(file.read())
                except OSError as err:
                    scan.warnings.append(f"{relative}: skipped, cannot read ({err.strerror})")
                    continue
                scan.hashed += 1
                scan.files[relative] = cached = SourceFile(stat.st_size, stat.st_mtime_ns, digest)
            documents.append(DocumentSource(entry.name, cached.sha256, path=entry.path))
        scan.films.append(FilmSource(folder.name, None, tuple(documents)))
    scan.changed = scan.hashed > 0 or len(scan.files) != len(known)
    return scan


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name
