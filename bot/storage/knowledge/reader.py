"""The library as the bot reads it: every film's key and title in memory, per-film answers cached, searches
and name lookups kept until a film is written or removed, and a cheap check before each use that notices films written
since (by this process or another).

Reads use the standard library's sqlite3 on the caller's thread. Every query is a lookup by film (indexed,
well under a millisecond); an aiosqlite thread hop costs more than that, and under load its reply waits
behind every other ready task of the event loop, which made /search the tail (see the README). The writer
works on its own connection in another thread or process; in WAL mode the two never block each other.

Freshness: `PRAGMA data_version` changes when another connection commits. Then the films written since the
last look (`films.generation` greater than the last one seen) and those removed (`removed`) are read, and only
their cached answers are dropped (with every remembered search and lookup: any film may be in them).
"""

from __future__ import annotations

import bisect
import logging
import sqlite3
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from rapidfuzz import utils

from bot.storage.errors import KnowledgeUnavailable
from bot.storage.knowledge import schema
from bot.storage.models import FilmRef

if TYPE_CHECKING:
    from bot.storage.knowledge.scoped import GuildKnowledge

log = logging.getLogger(__name__)

T = TypeVar("T")
CACHED_FILMS = 256  # films whose answers are kept (least recently used first out)
CACHED_QUERIES = 1024  # searches and name lookups kept until the library changes (least recently used out)
CACHED_LOOKUPS = 1024  # autocomplete texts whose matching titles a view keeps (all dropped when full)
FRESH_S = 0.05  # how long a look at the database stays good (another process's film shows within this)


@dataclass(frozen=True)
class FilmEntry:
    id: int
    ref: FilmRef
    generation: int
    passages: tuple[int, int] | None = None  # the range of its passages' ids (written in one transaction)


class View:
    """One server's films by title, and (built on first use) what lookups need: the titles folded for
    matching, an exact-title index, and the folded titles in order for prefix searches."""

    def __init__(self, refs: list[FilmRef]) -> None:
        self.refs = refs
        self._folded: list[str] | None = None
        self._titles: dict[str, FilmRef] | None = None
        self._ordered: list[tuple[str, int]] | None = None
        self._holding: dict[str, list[int]] = {}

    def folded(self) -> list[str]:
        """Each film's "title year", folded (rapidfuzz's default_process), in `refs` order."""
        if self._folded is None:
            self._folded = [utils.default_process(f"{r.title} {r.year or ''}") for r in self.refs]
        return self._folded

    def titled(self, text: str) -> FilmRef | None:
        """The film whose title (or "title (year)") is `text`, ignoring case; the first by title and key."""
        if self._titles is None:
            titles: dict[str, FilmRef] = {}
            for r in self.refs:
                titles.setdefault(f"{r.title} ({r.year})".casefold(), r)
                titles.setdefault(r.title.casefold(), r)
            self._titles = titles
        return self._titles.get(text.casefold())

    def holding(self, needle: str) -> list[int]:
        """Indexes of the films whose folded title holds `needle` anywhere, in `refs` order. A pass over every
        title (a millisecond for 10,000), so kept per text: autocomplete asks the same prefixes again and
        again, and a view lives until the library changes."""
        found = self._holding.get(needle)
        if found is None:
            if len(self._holding) >= CACHED_LOOKUPS:
                self._holding.clear()
            found = self._holding[needle] = [i for i, f in enumerate(self.folded()) if needle in f]
        return found

    def starting(self, needle: str, limit: int) -> list[int]:
        """Up to `limit` indexes of films whose folded title starts with `needle` (a binary search)."""
        if self._ordered is None:
            self._ordered = sorted((f, i) for i, f in enumerate(self.folded()))
        ordered = self._ordered
        out: list[int] = []
        at = bisect.bisect_left(ordered, (needle, -1))
        while at < len(ordered) and len(out) < limit and ordered[at][0].startswith(needle):
            out.append(ordered[at][1])
            at += 1
        return out


class Knowledge:
    """The whole library: shared films and every server's. Callers use a server's view: `for_guild(id)`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._entries: dict[str, FilmEntry] = {}
        self._generation = 0
        self._data_version = -1
        self._checked = -1.0
        self._views: dict[int | None, View] = {}
        self._owners: Counter[int] = Counter()  # servers with films of their own: how many each
        self._cache: OrderedDict[str, tuple[int, dict[tuple[object, ...], object]]] = OrderedDict()
        self._queries: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._scoped: dict[int | None, GuildKnowledge] = {}
        self.reloads = 0  # how many times films written elsewhere were read back (for tests and benchmarks)

    @classmethod
    async def open(cls, path: Path) -> Knowledge:
        """Open the database at `path` for reading; KnowledgeUnavailable when it is missing or not ours."""
        if not path.is_file():  # noqa: ASYNC240 - one stat, once, at start
            raise KnowledgeUnavailable(f"{path} does not exist; run `python -m bot.ingest`")
        try:
            conn = schema.connect(path, readonly=True)
            schema.check(conn, path)
        except (sqlite3.Error, schema.SchemaMismatch) as err:
            raise KnowledgeUnavailable(f"cannot read {path} ({err}); run `python -m bot.ingest`") from err
        self = cls(conn, path)
        self.refresh()
        return self

    async def close(self) -> None:
        self.conn.close()

    # -- scoping ----------------------------------------------------------------------------------------------

    def for_guild(self, guild_id: int | None) -> GuildKnowledge:
        """What a server sees: the shared films and its own (None: a DM or the console, shared films only)."""
        scoped = self._scoped.get(guild_id)
        if scoped is None:
            from bot.storage.knowledge.scoped import GuildKnowledge

            scoped = self._scoped[guild_id] = GuildKnowledge(self, guild_id)
        return scoped

    def scope(self, guild_id: int | None) -> int | None:
        """Whose films a server sees besides the shared ones: its own id, or None when it has none (then it sees
        exactly what a DM sees, and shares its view and searches)."""
        self.refresh()
        return guild_id if guild_id in self._owners else None

    def view(self, guild_id: int | None) -> View:
        """The films a server sees, by title, with the indexes lookups use. A server without films of its own
        shares the shared films' view (one however many servers; thousands of films cost nothing per server)."""
        guild_id = self.scope(guild_id)
        view = self._views.get(guild_id)
        if view is None:
            refs = (
                e.ref for e in self._entries.values() if e.ref.guild_id is None or e.ref.guild_id == guild_id
            )
            view = self._views[guild_id] = View(sorted(refs, key=lambda r: (r.title, r.slug)))
        return view

    def visible(self, guild_id: int | None) -> list[FilmRef]:
        """The films a server sees, by title."""
        return self.view(guild_id).refs

    def entry(self, key: str, guild_id: int | None) -> FilmEntry | None:
        """The film `key` if the server may see it."""
        self.refresh()
        found = self._entries.get(key)
        if found is None or (found.ref.guild_id is not None and found.ref.guild_id != guild_id):
            return None
        return found

    def all_films(self) -> list[FilmRef]:
        """Every film of every server (for the operator: never show this to a server)."""
        self.refresh()
        return sorted((e.ref for e in self._entries.values()), key=lambda r: (r.title, r.slug))

    # -- freshness --------------------------------------------------------------------------------------------

    def written(self) -> None:
        """This process just wrote: look again at the next use (others' writes are seen within FRESH_S)."""
        self._checked = -1.0

    def refresh(self) -> None:
        """Read back what was written since the last look: a no-op within FRESH_S of the last look (or of
        `written`), else one PRAGMA when nothing was written."""
        now = time.monotonic()
        if now - self._checked < FRESH_S:
            return
        self._checked = now
        try:
            version = int(self.conn.execute("PRAGMA data_version").fetchone()[0])
            if version == self._data_version:
                return
            self._data_version = version
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
            generation = int(row[0]) if row else 0
            if generation == self._generation and self._entries:
                return
            self._reload(generation)
        except sqlite3.Error as err:
            raise KnowledgeUnavailable(f"cannot read {self.path} ({err})") from err

    def _reload(self, generation: int) -> None:
        since = self._generation if self._entries else -1
        changed = self.conn.execute(
            "SELECT id, key, guild_id, title, year, generation, first_passage, last_passage FROM films "
            "WHERE generation > ?",
            (since,),
        ).fetchall()
        gone = self.conn.execute("SELECT key FROM removed WHERE generation > ?", (since,)).fetchall()
        keys: set[str] = set()
        servers: set[int | None] = set()  # whose films changed (None: a shared film)
        for row in gone:
            old = self._entries.pop(row["key"], None)
            if old is not None:
                self._own(old.ref.guild_id, -1)
                keys.add(row["key"])
                servers.add(old.ref.guild_id)
            self._cache.pop(row["key"], None)
        for row in changed:
            ref = FilmRef(row["key"], row["title"], row["year"], row["guild_id"])
            passages = None if row["first_passage"] is None else (row["first_passage"], row["last_passage"])
            if row["key"] not in self._entries:
                self._own(ref.guild_id, +1)
            self._entries[row["key"]] = FilmEntry(row["id"], ref, row["generation"], passages)
            self._cache.pop(row["key"], None)
            keys.add(row["key"])
            servers.add(ref.guild_id)
        if changed or gone:
            self._forget(keys, servers)
            self.reloads += 1
            log.debug(
                "knowledge: %d films written, %d removed since generation %d", len(changed), len(gone), since
            )
        self._generation = generation

    def _own(self, guild_id: int | None, change: int) -> None:
        if guild_id is not None:
            self._owners[guild_id] += change
            if self._owners[guild_id] <= 0:
                del self._owners[guild_id]

    def _forget(self, keys: set[str], servers: set[int | None]) -> None:
        """Drop the views and remembered queries that films `keys` (of `servers`) may be in. A shared film is
        in every view; a server's film only in that server's, so thousands of shared films are not sorted
        and folded again, nor every search forgotten, each time some server adds a film."""
        if None in servers:
            self._views.clear()
            self._queries.clear()
            return
        for guild_id in servers:
            self._views.pop(guild_id, None)
        for key in [k for k in self._queries if _touched(k, keys, servers)]:
            del self._queries[key]

    # -- searches ---------------------------------------------------------------------------------------------

    def remembered(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        """The answer to the query `key` (a search's scope, words and limit; a name looked up in a film's
        cast), computed once until a film is written or removed: members ask the same questions, and a search
        over thousands of films is the dearest query. The caller has just looked for changes (`scope`,
        `entry`), and `key` says whose films were asked. Answers are immutable, shared between callers."""
        if key in self._queries:
            self._queries.move_to_end(key)
            return cast(T, self._queries[key])
        try:
            answer = self._queries[key] = compute()
        except sqlite3.Error as err:
            raise KnowledgeUnavailable(f"cannot read {self.path} ({err})") from err
        while len(self._queries) > CACHED_QUERIES:
            self._queries.popitem(last=False)
        return answer

    # -- per-film answers -------------------------------------------------------------------------------------

    def cached(self, entry: FilmEntry, name: tuple[object, ...], compute: Callable[[], T]) -> T:
        """The film's answer `name`, computed once per generation of the film. Answers are frozen dataclasses
        and tuples, shared between callers."""
        key = entry.ref.slug
        slot = self._cache.get(key)
        if slot is None or slot[0] != entry.generation:
            slot = (entry.generation, {})
            self._cache[key] = slot
            while len(self._cache) > CACHED_FILMS:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        answers = slot[1]
        if name not in answers:
            try:
                answers[name] = compute()
            except sqlite3.Error as err:
                raise KnowledgeUnavailable(f"cannot read {self.path} ({err})") from err
        return cast(T, answers[name])


def _touched(key: tuple[object, ...], films: set[str], servers: set[int | None]) -> bool:
    """Whether a remembered query may change with films `films` of `servers` (none of them shared): a search
    or lookup in one of them, a search across one of those servers' libraries, a word's count."""
    kind, of = key[0], key[1]
    return of in films or (kind == "library" and of in servers) or kind == "count"
