"""A server's view of the library: the shared films and its own, never another server's.

Every caller that answers a member goes through one: `bot.knowledge.for_guild(interaction.guild_id)`. A film
another server added is, to this view, a film that does not exist: lookups fail as for a typo, autocomplete
and search never offer it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from rapidfuzz import fuzz, process, utils

from bot.storage.errors import FilmAmbiguous, KnowledgeUnavailable, LookupFailed
from bot.storage.knowledge import queries
from bot.storage.models import (
    Credit,
    Fact,
    FilmRef,
    Overview,
    Plot,
    Reception,
    SearchHit,
    Soundtrack,
    Sources,
    Spoil,
)

if TYPE_CHECKING:
    from bot.storage.knowledge.reader import FilmEntry, Knowledge

T = TypeVar("T")
MAX_QUERY = 200  # characters of user text considered for lookups and search
FILM_CUTOFF = 70
CREDIT_CUTOFF = 80
FIND_CUTOFF = 50
COMMON = 500  # a word in more passages than this is too common to rank a search by


def query_words(text: str) -> list[str]:
    """User text -> its words, each quoted for FTS5 (so no FTS syntax survives), at most 12, in order."""
    words = re.findall(r"\w+", text[:MAX_QUERY].lower())[:12]
    return [f'"{w}"' for w in dict.fromkeys(words)]


def fts_query(text: str) -> tuple[str, str] | None:
    """User text -> (all-words, any-word) FTS5 queries. Every word is quoted, so no FTS syntax survives."""
    quoted = query_words(text)
    if not quoted:
        return None
    loose = [q for q in quoted if len(q) > 3] or quoted  # single letters only narrow, never widen
    return " ".join(quoted), " OR ".join(loose)


class GuildKnowledge:
    """The library as one server (or, with guild_id None, a DM or the console) sees it."""

    def __init__(self, knowledge: Knowledge, guild_id: int | None) -> None:
        self.knowledge = knowledge
        self.guild_id = guild_id

    # ------------------------------------------------------------ films

    async def films(self) -> list[FilmRef]:
        """Every film this server sees, by title."""
        return list(self.knowledge.visible(self.guild_id))

    async def film(self, slug: str) -> FilmRef | None:
        """The film with this key, if this server sees it."""
        entry = self.knowledge.entry(slug, self.guild_id)
        return None if entry is None else entry.ref

    def _entry(self, slug: str) -> FilmEntry:
        entry = self.knowledge.entry(slug, self.guild_id)
        if entry is None:
            refs = self.knowledge.visible(self.guild_id)
            raise LookupFailed("film", slug, tuple(r.title for r in refs[:3]))
        return entry

    async def find_films(self, text: str, limit: int = 25) -> list[FilmRef]:
        """Films whose title holds `text` (those starting with it first); when none does (a typo), the best
        fuzzy matches; all films, by title, for empty text. Cheap for thousands of films: the fuzzy scorer
        runs only for a typo."""
        view = self.knowledge.view(self.guild_id)
        refs = view.refs
        needle = utils.default_process(text[:MAX_QUERY])
        if not needle:
            return refs[:limit]
        found = view.starting(needle, limit)
        if len(found) < limit:  # then titles holding it further in
            seen = set(found)
            found += [i for i in view.holding(needle) if i not in seen][: limit - len(found)]
        if not found:  # a typo: the fuzzy scorer, over every title
            ranked = process.extract(needle, view.folded(), scorer=fuzz.WRatio, processor=None, limit=limit)
            found = [i for _, score, i in ranked if score >= FIND_CUTOFF]
        return [refs[i] for i in found]

    async def resolve_film(self, text: str | None) -> FilmRef:
        """What the user meant: the only film when nothing is given, else the key, the exact title, or the best
        fuzzy title match."""
        refs = self.knowledge.visible(self.guild_id)
        if not refs:
            raise KnowledgeUnavailable("the library has no films")
        text = (text or "")[:MAX_QUERY].strip()
        if not text:
            if len(refs) == 1:
                return refs[0]
            raise FilmAmbiguous(tuple(refs))
        entry = self.knowledge.entry(text, self.guild_id)
        if entry is not None:
            return entry.ref
        titled = self.knowledge.view(self.guild_id).titled(text)
        if titled is not None:
            return titled
        choices = {i: r.title for i, r in enumerate(refs)}
        ranked = process.extract(text, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=3)
        if ranked and ranked[0][1] >= FILM_CUTOFF:
            return refs[ranked[0][2]]
        raise LookupFailed("film", text, tuple(refs[i].title for _, _, i in ranked))

    # ------------------------------------------------------------ one film's answers

    def _facts(self, entry: FilmEntry) -> dict[str, tuple[Fact, str]]:
        return self.knowledge.cached(entry, ("facts",), lambda: queries.facts(self.knowledge.conn, entry.id))

    def _credits(self, entry: FilmEntry) -> tuple[Credit, ...]:
        return self.knowledge.cached(
            entry, ("credits",), lambda: queries.credits(self.knowledge.conn, entry.id, self._facts(entry))
        )

    async def overview(self, slug: str) -> Overview:
        e = self._entry(slug)
        conn = self.knowledge.conn
        return self.knowledge.cached(
            e, ("overview",), lambda: queries.overview(conn, e.id, e.ref, self._facts(e), self._credits(e))
        )

    async def cast(self, slug: str) -> list[Credit]:
        """Every credit in billing order; younger versions also appear nested under their adult role."""
        return list(self._credits(self._entry(slug)))

    async def find_credits(self, slug: str, query: str, limit: int = 10) -> list[Credit]:
        """Credits whose actor or character matches `query`, typo-tolerant; raises with the closest names."""
        entry = self._entry(slug)
        credits = self._credits(entry)
        query = query[:MAX_QUERY].strip()
        needle = utils.default_process(query)
        if not needle:
            raise LookupFailed("credit", query, tuple(c.actor for c in credits[:3]))
        hits, closest = self.knowledge.remembered(
            ("credits", slug, entry.generation, needle), lambda: self._credits_matching(entry, needle)
        )
        if not hits:
            raise LookupFailed("credit", query, closest)
        return list(hits[:limit])

    def _credits_matching(self, entry: FilmEntry, needle: str) -> tuple[tuple[Credit, ...], tuple[str, ...]]:
        """The film's credits scoring CREDIT_CUTOFF or more against `needle` (folded), best first; and the three
        closest names, for the answer when none does."""
        credits = self._credits(entry)
        names, owners = self.knowledge.cached(entry, ("credit names",), lambda: _credit_names(credits))
        best = [0.0] * len(credits)
        for _, score, i in process.extract(needle, names, scorer=fuzz.WRatio, processor=None, limit=None):
            best[owners[i]] = max(best[owners[i]], score)
        scored = sorted(zip(best, credits, strict=True), key=lambda pair: (-pair[0], pair[1].billing))
        hits = tuple(c for score, c in scored if score >= CREDIT_CUTOFF)
        return hits, tuple(f"{c.actor} ({c.character})" for _, c in scored[:3])

    async def plot(self, slug: str) -> Plot:
        e = self._entry(slug)
        return self.knowledge.cached(e, ("plot",), lambda: queries.plot(self.knowledge.conn, e.id, e.ref))

    async def soundtrack(self, slug: str) -> Soundtrack:
        e = self._entry(slug)
        conn = self.knowledge.conn
        return self.knowledge.cached(
            e, ("soundtrack",), lambda: queries.soundtrack(conn, e.id, e.ref, self._facts(e))
        )

    async def reception(self, slug: str) -> Reception:
        e = self._entry(slug)
        conn = self.knowledge.conn
        return self.knowledge.cached(
            e, ("reception",), lambda: queries.reception(conn, e.id, e.ref, self._facts(e))
        )

    async def sources(self, slug: str) -> Sources:
        e = self._entry(slug)
        conn = self.knowledge.conn
        return self.knowledge.cached(
            e, ("sources",), lambda: queries.sources(conn, e.id, e.ref, self._facts(e))
        )

    def memo(self, slug: str, name: tuple[object, ...], compute: Callable[[], T]) -> T:
        """A value derived from one film's answers (e.g. a rendered reply), computed once per version of the
        film and dropped with its answers when it changes. `name` must come from a small set (no user text)."""
        return self.knowledge.cached(self._entry(slug), ("memo", *name), compute)

    async def document_text(self, slug: str, document: str) -> str:
        """The normalised text of a document: provenance offsets index into it."""
        text = queries.document_text(self.knowledge.conn, self._entry(slug).id, document)
        if text is None:
            raise LookupFailed("document", document)
        return text

    # ------------------------------------------------------------ search

    async def search(self, query: str, slug: str | None = None, limit: int = 5) -> list[SearchHit]:
        """BM25 full-text search over this server's films (or one of them). User text never reaches MATCH raw:
        every word is quoted.

        Passages with all the words come first; only when none has them, passages with any. The work stays
        small however large the library and common the words: a word in more than COMMON passages is left out
        of the ranking (BM25 would give it next to no weight, and its weight costs a pass over all of them);
        a query of only such words lists the newest passages that have them, unranked."""
        words = query_words(query)
        if not words:
            return []
        passages = None
        if slug is not None:
            passages = self._entry(slug).passages  # a film this server does not see raises, cached or not
            if passages is None:
                return []
        guild_id = self.knowledge.scope(self.guild_id)  # once: the key and the search see the same films
        scope = ("film", slug) if slug is not None else ("library", guild_id)
        return list(
            self.knowledge.remembered(
                (*scope, tuple(words), limit), lambda: tuple(self._search(words, guild_id, passages, limit))
            )
        )

    def _passages_with(self, word: str) -> int:
        """How many passages of the whole library hold `word` (up to COMMON + 1): counted once until the
        library changes, for every search of it in any film or server (a count reads its whole doclist)."""
        return self.knowledge.remembered(("count", word), lambda: _count(self.knowledge.conn, word))

    def _search(
        self, words: list[str], guild_id: int | None, passages: tuple[int, int] | None, limit: int
    ) -> list[SearchHit]:
        """The search itself: in one film's passages (their id range), else across the shared films and the
        films of `guild_id` (None: the shared films only)."""
        args: tuple[object, ...]
        if passages is not None:
            scope, args = "passages_fts.rowid BETWEEN ? AND ?", passages
        elif guild_id is None:
            scope, args = "f.guild_id IS NULL", ()
        else:
            scope, args = "(f.guild_id IS NULL OR f.guild_id = ?)", (guild_id,)
        conn = self.knowledge.conn
        rare = [w for w in words if self._passages_with(w) <= COMMON]
        if rare:
            order = "bm25(passages_fts), f.key, p.document, p.start"
        else:  # a film's passages in their order; across the library, the newest films' first
            order = "passages_fts.rowid" if passages is not None else "passages_fts.rowid DESC"
        terms = rare or words
        rows = _found(conn, f"text : ({' '.join(terms)})", scope, args, limit, order=order)
        loose = [w for w in terms if len(w) > 3] or terms  # single letters only narrow, never widen
        if not rows and len(terms) > 1:
            rows = _found(conn, f"text : ({' OR '.join(loose)})", scope, args, limit, order=order)
        hits = []
        for row in rows:
            entry = self.knowledge.entry(row["key"], guild_id)
            if entry is not None:
                hits.append(
                    SearchHit(
                        entry.ref,
                        row["document"],
                        row["section"],
                        row["snippet"],
                        Spoil(row["spoil"]),
                        row["start"],
                        row["end"],
                    )
                )
        return hits


def _count(conn: sqlite3.Connection, word: str) -> int:
    """How many passages hold `word`, counted up to COMMON + 1 (the index is read no further)."""
    row = conn.execute(
        "SELECT count(*) FROM (SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? LIMIT ?)",
        (f"text : {word}", COMMON + 1),
    ).fetchone()
    return int(row[0])


def _found(
    conn: sqlite3.Connection, match: str, scope: str, args: tuple[object, ...], limit: int, *, order: str
) -> list[sqlite3.Row]:
    """The first `limit` passages for an FTS5 query in scope, in `order`, with their snippets."""
    return conn.execute(
        "SELECT f.key, p.document, p.section, snippet(passages_fts, 0, '', '', '…', 40) AS snippet, p.spoil, "
        "p.start, p.end FROM passages_fts JOIN passages p ON p.id = passages_fts.rowid "
        f"JOIN films f ON f.id = p.film_id WHERE passages_fts MATCH ? AND {scope} ORDER BY {order} LIMIT ?",
        (match, *args, limit),
    ).fetchall()


def _credit_names(credits: tuple[Credit, ...]) -> tuple[list[str], list[int]]:
    """Every name a credit answers to (actor, character, a nickname in quotes), folded for matching, with the
    index of its credit: the fuzzy scorer then runs over them all in one call."""
    names: list[str] = []
    owners: list[int] = []
    for i, credit in enumerate(credits):
        for name in (credit.actor, credit.character, *re.findall(r'"([^"]+)"', credit.character)):
            names.append(utils.default_process(name))
            owners.append(i)
    return names, owners
