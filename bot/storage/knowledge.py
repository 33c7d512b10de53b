"""Queries over the knowledge database, opened read-only. Async, typed, no Discord types."""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

import aiosqlite
from rapidfuzz import fuzz, process, utils

from bot.storage.errors import FilmAmbiguous, KnowledgeUnavailable, LookupFailed
from bot.storage.models import (
    FIELDS,
    Alternative,
    Beat,
    Credit,
    Fact,
    Figure,
    FilmRef,
    Garbled,
    Overview,
    Plot,
    Provenance,
    Quote,
    Reception,
    SearchHit,
    Song,
    Soundtrack,
    SourceInfo,
    Sources,
    Spoil,
    TimelineEntry,
)

MAX_QUERY = 200  # characters of user text considered for lookups and search
FILM_CUTOFF = 70
CREDIT_CUTOFF = 80
TOP_BILLED = 5
_FACT_COLUMNS = "field, value, spoil, document, start, end, sentence, documents, alternatives"


def _fact(row: Any) -> Fact:
    field_, value, spoil, document, start, end, sentence, documents, alternatives = row
    return Fact(
        field=field_,
        value=value,
        documents=tuple(json.loads(documents)),
        provenance=Provenance(document, start, end, sentence),
        alternatives=tuple(Alternative(v, tuple(d)) for v, d in json.loads(alternatives)),
        spoil=Spoil(spoil),
    )


P = ParamSpec("P")
T = TypeVar("T")


def cached(
    method: Callable[Concatenate[Knowledge, P], Awaitable[T]],
) -> Callable[Concatenate[Knowledge, P], Awaitable[T]]:
    """Memoise a per-film answer: the database is read-only and never changes under an open connection.

    Answers are frozen dataclasses and tuples, shared between callers."""

    @functools.wraps(method)
    async def wrapper(self: Knowledge, *args: P.args, **kwargs: P.kwargs) -> T:
        key = (method.__name__, *args, *sorted(kwargs.items()))
        if key not in self._cache:
            self._cache[key] = await method(self, *args, **kwargs)
        return cast(T, self._cache[key])

    return wrapper


def fts_query(text: str) -> tuple[str, str] | None:
    """User text -> (all-words, any-word) FTS5 queries. Every word is quoted, so no FTS syntax survives."""
    words = re.findall(r"\w+", text[:MAX_QUERY].lower())[:12]
    if not words:
        return None
    quoted = [f'"{w}"' for w in dict.fromkeys(words)]
    loose = [q for q in quoted if len(q) > 3] or quoted  # single letters only narrow, never widen
    return " ".join(quoted), " OR ".join(loose)


class Knowledge:
    """The film library. One read-only connection; every method is a small query."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._films: list[tuple[int, FilmRef]] = []
        self._cache: dict[tuple[object, ...], object] = {}

    @classmethod
    async def open(cls, path: Path) -> Knowledge:
        try:
            conn = await aiosqlite.connect(f"file:{path}?mode=ro", uri=True)
        except sqlite3.Error as err:
            raise KnowledgeUnavailable(f"cannot open {path} ({err}); run `python -m bot.ingest`") from err
        self = cls(conn)
        try:
            rows = await self._all("SELECT id, slug, title, year FROM films ORDER BY title, slug")
        except sqlite3.Error as err:
            await conn.close()
            raise KnowledgeUnavailable(f"{path} is not a knowledge database ({err})") from err
        self._films = [(row[0], FilmRef(row[1], row[2], row[3])) for row in rows]
        return self

    async def _all(self, sql: str, args: tuple[object, ...] = ()) -> list[Any]:
        return list(await self._conn.execute_fetchall(sql, args))

    async def close(self) -> None:
        await self._conn.close()

    # ------------------------------------------------------------ films

    async def films(self) -> list[FilmRef]:
        return [ref for _, ref in self._films]

    def _id(self, slug: str) -> int:
        for film_id, ref in self._films:
            if ref.slug == slug:
                return film_id
        raise LookupFailed("film", slug, tuple(r.title for _, r in self._films[:3]))

    def _ref(self, slug: str) -> FilmRef:
        return next(ref for _, ref in self._films if ref.slug == slug)

    async def find_films(self, text: str, limit: int = 25) -> list[FilmRef]:
        """Films ranked by how well their title matches `text` (all films, by title, for empty text)."""
        refs = [ref for _, ref in self._films]
        text = text[:MAX_QUERY].strip()
        if not text:
            return refs[:limit]
        choices = {i: f"{r.title} {r.year or ''}" for i, r in enumerate(refs)}
        ranked = process.extract(
            text, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit
        )
        return [refs[i] for _, score, i in ranked if score >= 50]

    async def resolve_film(self, text: str | None) -> FilmRef:
        """What the user meant: the only film when nothing is given, else the best fuzzy title match."""
        refs = [ref for _, ref in self._films]
        if not refs:
            raise KnowledgeUnavailable("the library has no films")
        text = (text or "")[:MAX_QUERY].strip()
        if not text:
            if len(refs) == 1:
                return refs[0]
            raise FilmAmbiguous(tuple(refs))
        folded = text.casefold()
        for ref in refs:
            if folded in {ref.slug.casefold(), ref.title.casefold(), f"{ref.title} ({ref.year})".casefold()}:
                return ref
        choices = {i: r.title for i, r in enumerate(refs)}
        ranked = process.extract(text, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=3)
        if ranked and ranked[0][1] >= FILM_CUTOFF:
            return refs[ranked[0][2]]
        raise LookupFailed("film", text, tuple(refs[i].title for _, _, i in ranked))

    # ------------------------------------------------------------ facts

    async def _facts(self, film_id: int, where: str = "1", *args: object) -> dict[str, Fact]:
        rows = await self._all(
            f"SELECT {_FACT_COLUMNS} FROM facts WHERE film_id = ? AND {where} ORDER BY field",
            (film_id, *args),
        )
        return {row[0]: _fact(row) for row in rows}

    @cached
    async def overview(self, slug: str) -> Overview:
        film_id = self._id(slug)
        names = [name for name, _ in FIELDS]
        marks = ", ".join("?" * len(names))
        facts = await self._facts(film_id, f"field IN ({marks}, 'streaming')", *names)
        premise = await self._all("SELECT premise FROM films WHERE id = ?", (film_id,))
        top = [c for c in await self.cast(slug) if c.adult_of is None][:TOP_BILLED]
        timeline = await self._all(
            "SELECT when_text, sort_key, text, document, start, end FROM timeline WHERE film_id = ? ORDER BY idx",
            (film_id,),
        )
        streaming = facts.pop("streaming", None)
        return Overview(
            film=self._ref(slug),
            facts={name: facts[name] for name in names if name in facts},
            premise=premise[0][0],
            top_cast=tuple(top),
            where_to_watch=tuple(streaming.value.split(", ")) if streaming else (),
            timeline=tuple(TimelineEntry(w, k, t, Provenance(d, s, e, t)) for w, k, t, d, s, e in timeline),
        )

    # ------------------------------------------------------------ cast

    async def cast(self, slug: str) -> list[Credit]:
        """Every credit in billing order; younger versions also appear nested under their adult role."""
        return list(await self._credits(slug))

    @cached
    async def _credits(self, slug: str) -> tuple[Credit, ...]:
        film_id = self._id(slug)
        rows = await self._all(
            "SELECT c.billing, c.actor, c.character, c.note, c.note_spoiler, c.adult_billing, c.credited_as, "
            "c.documents, f.alternatives FROM credits c JOIN facts f ON f.film_id = c.film_id AND f.field = c.fact "
            "WHERE c.film_id = ? ORDER BY c.billing",
            (film_id,),
        )
        by_billing = {row[0]: row for row in rows}
        young: dict[int, list[Credit]] = {}
        flat: list[Credit] = []
        for row in rows:
            billing, actor, character, note, spoiler, adult, credited_as, documents, alternatives = row
            credit = Credit(
                billing=billing,
                actor=actor,
                character=character,
                note=note,
                note_spoiler=spoiler,
                documents=tuple(json.loads(documents)),
                actor_alternatives=tuple(Alternative(v, tuple(d)) for v, d in json.loads(alternatives)),
                adult_of=by_billing[adult][2] if adult in by_billing else None,
                credited_as=credited_as,
            )
            flat.append(credit)
            if adult in by_billing:
                young.setdefault(adult, []).append(credit)
        return tuple(_with_younger(c, young.get(c.billing, [])) for c in flat)

    async def find_credits(self, slug: str, query: str, limit: int = 10) -> list[Credit]:
        """Credits whose actor or character matches `query`, typo-tolerant; raises with the closest names."""
        credits = await self.cast(slug)
        query = query[:MAX_QUERY].strip()
        if not utils.default_process(query):
            raise LookupFailed("credit", query, tuple(c.actor for c in credits[:3]))
        scored = sorted(
            ((_credit_score(query, c), c) for c in credits), key=lambda pair: (-pair[0], pair[1].billing)
        )
        hits = [c for score, c in scored if score >= CREDIT_CUTOFF]
        if not hits:
            raise LookupFailed("credit", query, tuple(f"{c.actor} ({c.character})" for _, c in scored[:3]))
        return hits[:limit]

    # ------------------------------------------------------------ plot, soundtrack, reception

    @cached
    async def plot(self, slug: str) -> Plot:
        film_id = self._id(slug)
        film = await self._all(
            "SELECT premise, plot_document, plot_continued_from FROM films WHERE id = ?", (film_id,)
        )
        beats = await self._all(
            "SELECT idx, text, spoil, part, document, start, end FROM beats WHERE film_id = ? ORDER BY idx",
            (film_id,),
        )
        rejected = await self._all(
            "SELECT text, document FROM rejected WHERE film_id = ? ORDER BY document, start", (film_id,)
        )
        return Plot(
            film=self._ref(slug),
            premise=film[0][0],
            beats=tuple(
                Beat(i, text, Spoil(spoil), part, Provenance(doc, start, end, text))
                for i, text, spoil, part, doc, start, end in beats
            ),
            document=film[0][1],
            rejected=tuple(Alternative(text, (doc,)) for text, doc in rejected),
            continued_from=film[0][2],
        )

    @cached
    async def soundtrack(self, slug: str) -> Soundtrack:
        film_id = self._id(slug)
        facts = await self._facts(film_id, "(field IN ('composer', 'featured') OR field LIKE 'song:%')")
        rows = await self._all(
            "SELECT title_fact, performer, writers, documents FROM songs WHERE film_id = ? ORDER BY idx",
            (film_id,),
        )
        songs = tuple(
            Song(
                title=facts[fact].value,
                performer=performer,
                writers=tuple(json.loads(writers)),
                documents=tuple(json.loads(documents)),
                title_alternatives=facts[fact].alternatives,
            )
            for fact, performer, writers, documents in rows
        )
        featured = facts.get("featured")
        return Soundtrack(
            film=self._ref(slug),
            composer=facts.get("composer"),
            featured=tuple(featured.value.split("; ")) if featured else (),
            songs=songs,
        )

    @cached
    async def reception(self, slug: str) -> Reception:
        film_id = self._id(slug)
        facts = await self._facts(film_id)
        rows = await self._all(
            "SELECT kind, aggregator, fact, count, count_label, average, verdict FROM figures "
            "WHERE film_id = ? ORDER BY idx",
            (film_id,),
        )
        figures = [
            (kind, Figure(aggregator, facts[fact], count, label, average, verdict))
            for kind, aggregator, fact, count, label, average, verdict in rows
        ]
        quotes = await self._all(
            "SELECT critic, outlet, grade, text, spoil, document, start, end, sentence FROM quotes "
            "WHERE film_id = ? ORDER BY idx",
            (film_id,),
        )
        return Reception(
            film=self._ref(slug),
            figures=tuple(f for kind, f in figures if kind == "aggregate"),
            consensus=facts.get("consensus"),
            quotes=tuple(
                Quote(critic, outlet, grade, text, Spoil(spoil), Provenance(doc, start, end, sentence))
                for critic, outlet, grade, text, spoil, doc, start, end, sentence in quotes
            ),
            reviewer_ratings=tuple(f for kind, f in figures if kind == "reviewer"),
        )

    # ------------------------------------------------------------ search and sources

    async def search(self, query: str, slug: str | None = None, limit: int = 5) -> list[SearchHit]:
        """BM25 full-text search. User text never reaches MATCH raw: every word is quoted."""
        queries = fts_query(query)
        if queries is None:
            return []
        film_filter, args = ("AND p.film_id = ?", (self._id(slug),)) if slug else ("", ())
        refs = {film_id: ref for film_id, ref in self._films}
        # One round trip: passages with all the words (tier 0), and with any of them (tier 1) as a fallback.
        select = (
            "SELECT {tier} AS tier, bm25(passages_fts) AS rank, p.id AS id, p.film_id, p.document, p.section, "
            "snippet(passages_fts, 0, '', '', '…', 40), p.spoil, p.start, p.end "
            "FROM passages_fts JOIN passages p ON p.id = passages_fts.rowid "
            f"WHERE passages_fts MATCH ? {film_filter}"
        )
        rows = await self._all(
            f"SELECT * FROM ({select.format(tier=0)} UNION ALL {select.format(tier=1)}) "
            "ORDER BY tier, rank, id LIMIT ?",
            (queries[0], *args, queries[1], *args, 2 * limit),
        )
        best = [row for row in rows if row[0] == rows[0][0]][:limit] if rows else []
        return [
            SearchHit(refs[film_id], doc, section, snippet, Spoil(spoil), start, end)
            for _, _, _, film_id, doc, section, snippet, spoil, start, end in best
        ]

    @cached
    async def sources(self, slug: str) -> Sources:
        film_id = self._id(slug)
        rows = await self._all(
            "SELECT name, shape, reliability, witness, copy_of, contributed, warnings, markup, shape_reason, "
            "reliability_reasons FROM documents WHERE film_id = ? ORDER BY name",
            (film_id,),
        )
        garbles = await self._all(
            "SELECT document, original, what, value, garbled FROM garbles WHERE film_id = ? "
            "ORDER BY document, rowid",
            (film_id,),
        )
        disputed = await self._facts(film_id, "alternatives != '[]'")
        labels = dict(
            await self._all(
                "SELECT field, label FROM facts WHERE film_id = ? AND alternatives != '[]'", (film_id,)
            )
        )
        return Sources(
            film=self._ref(slug),
            documents=tuple(
                SourceInfo(
                    name,
                    shape,
                    reliability,
                    witness,
                    copy_of,
                    json.loads(contributed),
                    tuple(json.loads(w)),
                    markup,
                    why,
                    tuple(json.loads(reasons)),
                )
                for name, shape, reliability, witness, copy_of, contributed, w, markup, why, reasons in rows
            ),
            garbles=tuple(Garbled(*row) for row in garbles),
            disputed=tuple(  # field holds the human label here ("Year", "Theis (actor)")
                Fact(labels[f.field], f.value, f.documents, f.provenance, f.alternatives, f.spoil)
                for f in disputed.values()
            ),
        )

    async def document_text(self, slug: str, document: str) -> str:
        """The normalised text of a document: provenance offsets index into it."""
        rows = await self._all(
            "SELECT text FROM documents WHERE film_id = ? AND name = ?", (self._id(slug), document)
        )
        if not rows:
            raise LookupFailed("document", document)
        return str(rows[0][0])


def _with_younger(credit: Credit, younger: list[Credit]) -> Credit:
    return replace(credit, younger=tuple(younger)) if younger else credit


def _credit_score(query: str, credit: Credit) -> float:
    names = [credit.actor, credit.character, *re.findall(r'"([^"]+)"', credit.character)]
    return max(fuzz.WRatio(query, name, processor=utils.default_process) for name in names)
