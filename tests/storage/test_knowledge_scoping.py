"""The knowledge database as a library of shared films and servers' own: what each server sees, and how the
readers keep up with the writer (in this process or another) film by film."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.ingest.build import build
from bot.ingest.plan import open_writer
from bot.ingest.prepare import prepare
from bot.ingest.sources import DocumentSource, FilmSource, sha256
from bot.storage.errors import KnowledgeUnavailable, LookupFailed
from bot.storage.knowledge import Knowledge, scoped
from bot.storage.knowledge.records import FilmRecord
from bot.storage.knowledge.schema import SCHEMA_VERSION
from bot.storage.knowledge.writer import KnowledgeWriter

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "films"
ONE, TWO = 111, 222


def film(folder: str, slug: str, guild_id: int | None, *names: str) -> FilmRecord:
    docs = []
    for name in names or sorted(p.name for p in (FIXTURES / folder).iterdir()):
        data = (FIXTURES / folder / name).read_bytes()
        docs.append(DocumentSource(name, sha256(data), data=data))
    prepared = prepare(FilmSource(slug, guild_id, tuple(docs)))
    assert isinstance(prepared, FilmRecord)
    return prepared


@pytest.fixture
def db(tmp_path: Path) -> Path:
    films = tmp_path / "films"
    shutil.copytree(ROOT / "data" / "films" / "the-perfection", films / "the-perfection")
    build(films, tmp_path / "k.db")
    return tmp_path / "k.db"


@pytest.fixture
def writer(db: Path) -> AsyncIterator[KnowledgeWriter]:
    w = open_writer(db)
    yield w
    w.close()


@pytest.fixture
async def kb(db: Path) -> AsyncIterator[Knowledge]:
    k = await Knowledge.open(db)
    yield k
    await k.close()


async def test_a_server_sees_the_shared_films_and_its_own(kb: Knowledge, writer: KnowledgeWriter) -> None:
    writer.write_film(film("alien", "alien", ONE, "wikipedia.txt"))
    kb.written()  # a write in this process: the next read looks
    one, two, dm = kb.for_guild(ONE), kb.for_guild(TWO), kb.for_guild(None)
    assert [f.title for f in await one.films()] == ["Alien", "The Perfection"]
    assert [f.title for f in await two.films()] == ["The Perfection"]
    assert [f.title for f in await dm.films()] == ["The Perfection"]
    assert (await one.resolve_film("Alein")).slug == "alien~111"
    for lookup in ("Alien", "alien~111", "alien"):
        with pytest.raises(LookupFailed):
            await two.resolve_film(lookup)
    with pytest.raises(LookupFailed):
        await two.overview("alien~111")  # not even by its key
    assert [f.title for f in await two.find_films("ali")] == []
    assert await two.search("Nostromo") == []
    hits = await one.search("Nostromo")
    assert hits and {h.film.slug for h in hits} == {"alien~111"}


async def test_two_servers_films_of_one_title_stay_apart(kb: Knowledge, writer: KnowledgeWriter) -> None:
    writer.write_film(film("alien", "alien", ONE, "wikipedia.txt"))
    kb.written()  # a write in this process: the next read looks
    writer.write_film(film("alien", "alien", TWO, "forum-post.txt"))
    one, two = kb.for_guild(ONE), kb.for_guild(TWO)
    first, second = await one.resolve_film("Alien"), await two.resolve_film("Alien")
    assert first.slug != second.slug and first.guild_id == ONE and second.guild_id == TWO
    assert [d.document for d in (await one.sources(first.slug)).documents] == ["wikipedia.txt"]
    assert [d.document for d in (await two.sources(second.slug)).documents] == ["forum-post.txt"]


async def test_values_are_typed(kb: Knowledge, writer: KnowledgeWriter) -> None:
    """The runtime is an integer of minutes, lists are items; shown as the documents say them."""
    row = writer.conn.execute("SELECT number, text FROM facts WHERE field = 'runtime'").fetchone()
    assert (row["number"], row["text"]) == (90, None)
    items = [
        r[0] for r in writer.conn.execute("SELECT item FROM fact_items WHERE field = 'writers' ORDER BY idx")
    ]
    assert items == ["Richard Shepard", "Eric Charmelo", "Nicole Snyder"]
    overview = await kb.for_guild(None).overview("the-perfection")
    assert overview.runtime_minutes == 90 and overview.facts["runtime"].value == "90 minutes"
    assert overview.facts["writers"].items == tuple(items)
    assert overview.facts["writers"].value == "Richard Shepard, Eric Charmelo, Nicole Snyder"


async def test_only_the_film_that_changed_is_read_again(kb: Knowledge, writer: KnowledgeWriter) -> None:
    writer.write_film(film("alien", "alien", ONE, "wikipedia.txt"))
    kb.written()  # a write in this process: the next read looks
    one = kb.for_guild(ONE)
    shared = await one.overview("the-perfection")
    before = await one.sources("alien~111")
    writer.write_film(film("alien", "alien", ONE, "wikipedia.txt", "forum-post.txt"))
    kb.written()  # a write in this process: the next read looks
    after = await one.sources("alien~111")
    assert len(after.documents) == 2 and len(before.documents) == 1
    assert await one.overview("the-perfection") is shared  # its cached answer survived


async def test_searches_and_lookups_are_remembered_until_a_film_is_added_or_removed_never_across_servers(
    kb: Knowledge, writer: KnowledgeWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries: list[str] = []
    real = scoped._found

    def counted(*args: Any, **kwargs: Any) -> list[Any]:
        queries.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(scoped, "_found", counted)
    one, two, dm = kb.for_guild(ONE), kb.for_guild(TWO), kb.for_guild(None)
    cello = await one.search("cello")
    assert cello and await two.search("cello") == cello == await dm.search("cello")
    assert len(queries) == 1  # asked again (in any server seeing only the shared films): no query
    assert await one.search("Nostromo") == [] and await two.search("Nostromo") == []

    writer.write_film(film("alien", "alien", ONE, "wikipedia.txt"))
    kb.written()
    hits = await one.search("Nostromo")
    assert hits and {h.film.slug for h in hits} == {"alien~111"}
    assert await one.search("heptapods") == []  # remembered, in the same scope as after the next film
    assert await one.find_films("rriva") == []  # and so are the titles holding a text
    assert await two.search("Nostromo") == [] and await dm.search("Nostromo") == []
    with pytest.raises(LookupFailed):
        await two.search("Nostromo", "alien~111")  # one's film, searched in one's server just before
    ripley = await one.find_credits("alien~111", "Ripley")
    assert ripley[0].actor == "Sigourney Weaver" and await one.find_credits("alien~111", "ripley") == ripley
    with pytest.raises(LookupFailed):
        await two.find_credits("alien~111", "Ripley")  # looked up in one's server just before
    assert {h.film.slug for h in await one.search("Nostromo", "alien~111")} == {"alien~111"}

    writer.write_film(film("arrival", "arrival", ONE))
    kb.written()  # a film added: every remembered search is forgotten at once
    found = await one.search("heptapods")
    assert found and {h.film.slug for h in found} == {"arrival~111"}
    assert [f.slug for f in await one.find_films("rriva")] == ["arrival~111"]
    assert await two.find_films("rriva") == []
    assert await two.search("heptapods") == [] and await dm.search("heptapods") == []
    assert await two.search("cello") == cello

    assert writer.remove_film("arrival~111")
    kb.written()  # and removed: gone from every search at once
    assert await one.search("heptapods") == [] and await one.find_films("rriva") == []
    with pytest.raises(LookupFailed):
        await one.search("heptapods", "arrival~111")
    assert await one.search("Nostromo") == hits


async def test_a_reader_in_another_process_sees_a_film_whole(db: Path, writer: KnowledgeWriter) -> None:
    """Another connection's commit is noticed by a PRAGMA; a film being written is not seen half-way."""
    kb = await Knowledge.open(db)
    try:
        one = kb.for_guild(ONE)
        assert [f.slug for f in await one.films()] == ["the-perfection"]
        record = film("arrival", "arrival", ONE)
        writer.conn.execute("BEGIN IMMEDIATE")
        writer.conn.execute(
            "INSERT INTO films (key, guild_id, slug, title, premise, source_hash, generation) "
            "VALUES ('half~111', 111, 'half', 'Half', '', 'x', 999)"
        )
        kb.written()
        assert [f.slug for f in await one.films()] == ["the-perfection"]  # not committed: not there
        writer.conn.execute("ROLLBACK")
        kb.written()
        writer.write_film(record)
        kb.written()  # a write in this process: the next read looks
        assert [f.title for f in await one.films()] == ["Arrival", "The Perfection"]
        assert writer.remove_film("arrival~111")
        kb.written()
        assert [f.slug for f in await one.films()] == ["the-perfection"]
    finally:
        await kb.close()


async def test_a_database_of_another_schema_is_refused(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    conn.close()
    with pytest.raises(KnowledgeUnavailable, match="schema version"):
        await Knowledge.open(path)


async def test_a_servers_film_leaves_the_shared_view_and_searches_alone_a_shared_film_does_not(
    db: Path, kb: Knowledge, writer: KnowledgeWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thousands of shared films are not sorted and folded again, nor every search forgotten, when one server
    adds a film; a shared film changed is seen everywhere at once."""
    dm, two = kb.for_guild(None), kb.for_guild(TWO)
    shared_view, cello = kb.view(None), await dm.search("cello")
    writer.write_film(film("alien", "alien", ONE, "wikipedia.txt"))
    kb.written()
    assert kb.view(None) is shared_view and kb.view(TWO) is shared_view  # still the same objects
    assert not [key for key in kb._queries if key[0] == "count"]  # words' counts take in one's film
    queries: list[str] = []
    monkeypatch.setattr(scoped, "_found", lambda *args, **kwargs: queries.append(args[1]) or [])
    assert await two.search("cello") == cello and queries == []  # remembered through one's add
    assert await kb.for_guild(ONE).search("cello") == []  # one's own scope: searched anew
    monkeypatch.undo()

    writer.write_film(film("arrival", "arrival", None))  # a shared film
    kb.written()
    assert kb.view(None) is not shared_view
    assert [f.title for f in await two.films()] == ["Arrival", "The Perfection"]
    assert {h.film.slug for h in await dm.search("heptapods")} == {"arrival"}
    assert writer.remove_film("alien~111")
    kb.written()
    assert [f.title for f in await kb.for_guild(ONE).films()] == ["Arrival", "The Perfection"]
    assert await kb.for_guild(ONE).search("Nostromo") == []
