"""What preparing a film gives (its records, or why there are none), what each document came to, and how the
one writer stores it. Imports no parser: the bot unpickles and writes what its worker processes prepared
without ever loading the ingest code itself."""

from __future__ import annotations

from dataclasses import dataclass

from bot.ingest.sources import FilmSource
from bot.storage.knowledge.records import FilmRecord
from bot.storage.knowledge.writer import KnowledgeWriter


@dataclass(frozen=True)
class Unusable:
    """Sources that gave no film, and why."""

    key: str
    source_hash: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class DocumentVerdict:
    """One document of a film: used, or left out and why (every warning about it)."""

    name: str
    used: bool
    warnings: tuple[str, ...]


Prepared = FilmRecord | Unusable


def apply(writer: KnowledgeWriter, prepared: Prepared) -> None:
    """Write one prepared film (or remember that its sources gave none)."""
    if isinstance(prepared, Unusable):
        writer.skip(prepared.key, prepared.source_hash)
    else:
        writer.write_film(prepared)


def verdicts(source: FilmSource, prepared: Prepared) -> list[DocumentVerdict]:
    """Per document of the source: whether the film uses it, and every warning naming it."""
    used = {d.name for d in prepared.documents} if isinstance(prepared, FilmRecord) else set()
    out = []
    for document in source.documents:
        prefix = f"{source.slug}/{document.name}: "
        notes = tuple(w[len(prefix) :] for w in prepared.warnings if w.startswith(prefix))
        out.append(DocumentVerdict(document.name, document.name in used, notes))
    return out
