"""Build one film into its own knowledge database, ask it everything, and render the answers as the bot does.

Every reply is rendered by `bot.present.film` exactly as the film cog sends it (a lookup that fails is
answered with `present.not_found`, as the tree-level error handler does), then kept as `Part`s: which place
of a Discord message the text sits in, and whether that place can hold spoiler tags.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Awaitable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bench.grading.match import remove_echo, revealed, seen
from bot.ingest.build import build
from bot.present import choices as present_choices
from bot.present import film as present
from bot.present.reply import Reply
from bot.storage.errors import LookupFailed
from bot.storage.knowledge import Knowledge
from bot.storage.models import Credit, FilmRef, Overview, Plot, Reception, SearchHit, Soundtrack, Sources

PARTS = ("beginning", "middle", "end")


@dataclass(frozen=True)
class Part:
    where: str  # "title", "description", "field 'Runtime'", "field name", "footer", "content", "choice"
    text: str  # as sent to Discord (markdown), or a plain label
    can_hide: bool  # False where Discord shows `||` literally: titles, field names, footers, choices
    name: str = ""  # for a field value: the field's name, as read

    def seen(self, echo: str = "") -> str:
        return remove_echo(seen(self.text, can_hide=self.can_hide), echo)

    def revealed(self, echo: str = "") -> str:
        return remove_echo(revealed(self.text), echo)


@dataclass(frozen=True)
class Shown:
    """One command's answer (all its pages), or one autocomplete's choices."""

    command: str  # "/movie", "/search query:bomb", "autocomplete name:Imprint"
    parts: tuple[Part, ...]
    echo: str = ""  # the user's text the reply quotes back (not knowledge, so never graded)
    limits: tuple[str, ...] = ()  # Discord limits or tag rules the reply breaks

    def seen(self) -> str:
        return "\n".join(p.seen(self.echo) for p in self.parts)

    def revealed(self) -> str:
        return "\n".join(p.revealed(self.echo) for p in self.parts)

    def field_named(self, prefix: str) -> bool:
        """True when a field's name starts with `prefix` (a search hit names its document first)."""
        return any(part.name.startswith(prefix) for part in self.parts if part.name)

    def field(self, name: str) -> str | None:
        """The revealed value of the first field called `name` (case-insensitive), if any."""
        for part in self.parts:
            if part.name and part.name.casefold() == name.casefold():
                return part.revealed(self.echo)
        return None


def _parts(replies: Iterable[Reply]) -> tuple[Part, ...]:
    out: list[Part] = []
    for page, reply in enumerate(replies, 1):
        suffix = f" (page {page})" if page > 1 else ""
        if reply.content:
            out.append(Part("content" + suffix, reply.content, True))
        for embed in reply.embeds:
            if embed.title:
                out.append(Part("title" + suffix, embed.title, False))
            if embed.author.name:
                out.append(Part("author" + suffix, embed.author.name, False))
            if embed.description:
                out.append(Part("description" + suffix, embed.description, True))
            for f in embed.fields:
                name = f.name or ""
                out.append(Part("field name" + suffix, name, False))
                out.append(
                    Part(f"field {seen(name, can_hide=False)!r}{suffix}", f.value or "", True, seen(name))
                )
            if embed.footer.text:
                out.append(Part("footer" + suffix, embed.footer.text, False))
    return tuple(out)


def shown(command: str, replies: Iterable[Reply], echo: str = "") -> Shown:
    replies = list(replies)
    return Shown(command, _parts(replies), echo, tuple(p for r in replies for p in r.problems()))


def choices(command: str, pairs: list[tuple[str, str]]) -> Shown:
    """Autocomplete: only the names are shown to the user."""
    return Shown(command, tuple(Part("choice", name, False) for name, _ in pairs))


@dataclass
class Snapshot:
    """Everything the bot knows and says about one film."""

    film: FilmRef
    overview: Overview
    credits: list[Credit]
    plot: Plot
    soundtrack: Soundtrack
    reception: Reception
    sources: Sources
    warnings: list[str]
    replies: list[Shown] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # document name -> hash of its bytes

    def reply(self, command: str) -> Shown:
        return next(r for r in self.replies if r.command == command)


class _Catch(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _caught() -> Iterator[_Catch]:
    handler = _Catch()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def digests(folder: Path) -> dict[str, str]:
    """Each document's content hash: byte-identical documents are copies of each other either way round."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


def build_alone(folder: Path, workdir: Path) -> tuple[Path, list[str]]:
    """Copy `folder` (one film) into a films folder of its own and build it; the database and every warning
    (the build summary's and those logged while building)."""
    films = workdir / "films"
    films.mkdir()
    shutil.copytree(folder, films / folder.name)
    db = workdir / "knowledge.db"
    with _caught() as caught:
        summary = build(films, db)
    warnings = [str(w) for w in getattr(summary, "warnings", ()) or ()]
    return db, warnings + caught.messages


class Library(Protocol):
    """The queries the grader asks: a server's view of `bot.storage.knowledge.Knowledge`, or a stand-in."""

    def resolve_film(self, text: str | None) -> Awaitable[FilmRef]: ...
    def find_films(self, text: str, limit: int = 25) -> Awaitable[list[FilmRef]]: ...
    def overview(self, slug: str) -> Awaitable[Overview]: ...
    def cast(self, slug: str) -> Awaitable[list[Credit]]: ...
    def find_credits(self, slug: str, query: str, limit: int = 10) -> Awaitable[list[Credit]]: ...
    def plot(self, slug: str) -> Awaitable[Plot]: ...
    def soundtrack(self, slug: str) -> Awaitable[Soundtrack]: ...
    def reception(self, slug: str) -> Awaitable[Reception]: ...
    def sources(self, slug: str) -> Awaitable[Sources]: ...
    def search(self, query: str, slug: str | None = None, limit: int = 5) -> Awaitable[list[SearchHit]]: ...


async def _cast_lookup(k: Library, ref: FilmRef, name: str) -> Shown:
    try:
        reply = present.credit_matches(ref, name, await k.find_credits(ref.slug, name))
    except LookupFailed as err:
        reply = Reply(present.not_found(err))
    return shown(f"/cast name:{name}", [reply], echo=name)


async def render(k: Library, warnings: list[str], searches: Iterable[str], names: Iterable[str]) -> Snapshot:
    """Query the library's only film and render every reply: the fixed commands, /search for each of
    `searches`, /cast name: and name autocomplete for each of `names` (plus every credited actor)."""
    names = list(names)
    ref = await k.resolve_film(None)
    snap = Snapshot(
        film=ref,
        overview=await k.overview(ref.slug),
        credits=await k.cast(ref.slug),
        plot=await k.plot(ref.slug),
        soundtrack=await k.soundtrack(ref.slug),
        reception=await k.reception(ref.slug),
        sources=await k.sources(ref.slug),
        warnings=warnings,
    )
    out = snap.replies
    out.append(shown("/movie", [present.overview(snap.overview)]))
    out.append(shown("/plot", present.plot(snap.plot)))
    out += [shown(f"/plot part:{part}", present.plot(snap.plot, part)) for part in PARTS]
    out.append(shown("/cast", present.cast_pages(ref, snap.credits)))
    out.append(shown("/soundtrack", [present.soundtrack(snap.soundtrack)]))
    out.append(shown("/reception", [present.reception(snap.reception)]))
    out.append(shown("/sources", [present.sources(snap.sources)]))
    for current in ("", ref.title):
        out.append(
            choices(
                f"autocomplete film:{current}",
                present_choices.film_choices(await k.find_films(current), current),
            )
        )
    for name in dict.fromkeys([*(c.actor for c in snap.credits), *names]):
        if name.strip():
            out.append(await _cast_lookup(k, ref, name))
    for current in dict.fromkeys(["", *names]):
        out.append(
            choices(f"autocomplete name:{current}", present_choices.credit_choices(snap.credits, current))
        )
    for query in dict.fromkeys(searches):
        if query.strip():
            hits = await k.search(query, ref.slug)
            out.append(shown(f"/search query:{query}", [present.search(query, hits)], echo=query))
    return snap


async def collect(db: Path, warnings: list[str], searches: Iterable[str], names: Iterable[str]) -> Snapshot:
    """Open a knowledge database holding one film and `render` everything about it."""
    k = await Knowledge.open(db)
    try:
        return await render(k.for_guild(None), warnings, searches, names)
    finally:
        await k.close()
