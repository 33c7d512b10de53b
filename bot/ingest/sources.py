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
    """One document: its name, content hash, and either its bytes or the path to read them from."""

    name: str
    sha256: str
    data: bytes | None = None
    path: Path | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()


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


def scan_shared(films_dir: Path, known: Mapping[str, SourceFile]) -> SharedScan:
    """Every film folder under films_dir with its documents; content hashes from `known` where unchanged."""
    scan = SharedScan([], {}, [], 0)
    if not films_dir.is_dir():
        scan.warnings.append(f"{films_dir}: no film folders")
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
            if cached is not None and (cached.size, cached.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                digest = cached.sha256
            else:
                try:
                    digest = sha256(Path(entry.path).read_bytes())
                except OSError as err:
                    scan.warnings.append(f"{relative}: skipped, cannot read ({err.strerror})")
                    continue
                scan.hashed += 1
            scan.files[relative] = SourceFile(stat.st_size, stat.st_mtime_ns, digest)
            documents.append(DocumentSource(entry.name, digest, path=Path(entry.path)))
        scan.films.append(FilmSource(folder.name, None, tuple(documents)))
    return scan


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name
