"""One film's documents -> its records, or why there are none. Pure and deterministic; runs in worker processes.

Each document is decoded, parsed and extracted on its own; a bad one is left out with a warning saying why
(empty, binary, undecodable, unrecognised, too large, nested too deep, only scripts, only headings, not in
English), and the rest of the film is ingested.
"""

from __future__ import annotations

import hashlib
import logging

from bot.ingest.extract import Extraction, extract
from bot.ingest.outcome import Prepared, Unusable
from bot.ingest.resolve import resolve
from bot.ingest.rows import Identity, film_record
from bot.ingest.shapes import parse
from bot.ingest.sources import DocumentSource, FilmSource
from bot.ingest.text import ENGLISH_MIN_SHARE, Unreadable, decode, english_share, normalise

log = logging.getLogger(__name__)

# A document's text (after markup is dropped) longer than this is not one film's page: the longest
# encyclopedia articles about a film run to about 100,000 characters.
MAX_TEXT_CHARS = 200_000


def _document(slug: str, source: DocumentSource, seen: dict[str, str]) -> tuple[Extraction | None, list[str]]:
    """One document read, parsed and extracted; or None and the warnings saying why not."""
    where = f"{slug}/{source.name}"
    try:
        raw = source.read()
        text, notes = decode(raw)
    except Unreadable as err:
        return None, [f"{where}: skipped, {err}"]
    except OSError as err:
        return None, [f"{where}: skipped, cannot read ({err.strerror})"]
    warnings = [f"{where}: {note}" for note in notes]
    text = normalise(text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    if digest in seen:
        warnings.append(f"{where}: an exact duplicate of {seen[digest]}; one witness with it, never two")
    seen.setdefault(digest, source.name)
    try:
        doc = parse(source.name, text)
        if len(doc.text) > MAX_TEXT_CHARS:
            limit = f"{len(doc.text):,} characters of text; the limit is {MAX_TEXT_CHARS:,}"
            return None, [*warnings, f"{where}: skipped, too large ({limit})"]
        if not doc.text.strip():
            return None, [*warnings, f"{where}: skipped, no readable text (only markup, scripts or styles)"]
        if doc.shape == "unknown":
            return None, [*warnings, f"{where}: skipped, unrecognised document shape ({doc.why})"]
        share = english_share(doc.text)
        if share is not None and share < ENGLISH_MIN_SHARE:
            return None, [*warnings, f"{where}: skipped, not in English ({share:.0%} English function words)"]
        return extract(doc, slug), warnings
    except Unreadable as err:
        return None, [*warnings, f"{where}: skipped, {err}"]
    except Exception as err:  # a parser bug must not stop the other documents and films from being read
        log.exception("%s: could not be parsed", where)
        return None, [*warnings, f"{where}: skipped, could not be parsed ({type(err).__name__}: {err})"]


def prepare(source: FilmSource) -> Prepared:
    """Parse and resolve one film. Its records, or why nothing could be extracted."""
    extractions: list[Extraction] = []
    hashes: dict[str, str] = {}
    warnings: list[str] = []
    seen: dict[str, str] = {}
    for document in source.documents:
        extraction, notes = _document(source.slug, document, seen)
        warnings += notes
        if extraction is not None:
            hashes[document.name] = document.sha256
            extractions.append(extraction)
    if not source.documents:
        warnings.append(f"{source.slug}/: no documents")
    useful = [x for x in extractions if x.claims or x.credits or x.songs]
    if not useful:
        return Unusable(
            source.key,
            source.source_hash,
            (*warnings, f"{source.slug}/: nothing could be extracted; film left out"),
        )
    result = resolve(extractions)
    for doc, found in sorted(result.contradictions.items()):
        warnings.append(f"{source.slug}/{doc}: contradicts itself ({'; '.join(found)}); not counted there")
    identity = Identity(source.key, source.guild_id, source.slug, source.source_hash)
    return film_record(identity, extractions, result, hashes, warnings)
