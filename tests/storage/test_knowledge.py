"""The query layer: fuzzy lookups, read-only access, search that treats every input as words."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.ingest.build import build
from bot.storage.errors import FilmAmbiguous, KnowledgeUnavailable, LookupFailed
from bot.storage.knowledge import Knowledge, fts_query
from bot.storage.models import Spoil

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("k") / "knowledge.db"
    build(ROOT / "data" / "films", path)
    return path


@pytest.fixture
async def k(db: Path) -> AsyncIterator[Knowledge]:
    knowledge = await Knowledge.open(db)
    yield knowledge
    await knowledge.close()


async def test_one_film_is_the_default_and_typos_find_it(k: Knowledge) -> None:
    assert (await k.resolve_film(None)).slug == "the-perfection"
    assert (await k.resolve_film("perfektion")).title == "The Perfection"
    with pytest.raises(LookupFailed) as err:
        await k.resolve_film("Jaws")
    assert err.value.suggestions == ("The Perfection",)


async def test_several_films_need_a_name(tmp_path: Path) -> None:
    build(ROOT / "tests" / "fixtures" / "films", tmp_path / "one.db")
    films = tmp_path / "films"
    import shutil

    shutil.copytree(ROOT / "data" / "films" / "the-perfection", films / "the-perfection")
    shutil.copytree(ROOT / "tests" / "fixtures" / "films" / "whiplash", films / "whiplash")
    build(films, tmp_path / "two.db")
    k = await Knowledge.open(tmp_path / "two.db")
    try:
        with pytest.raises(FilmAmbiguous) as err:
            await k.resolve_film("")
        assert {f.slug for f in err.value.films} == {"the-perfection", "whiplash"}
        assert (await k.find_films("whiplsh"))[0].slug == "whiplash"
    finally:
        await k.close()


@pytest.mark.parametrize(
    ("query", "actors"),
    [
        ("Alison Wiliams", ["Allison Williams"]),
        ("lizzie", ["Logan Browning", "Milah Thompson"]),
        ("Paloma", ["Alaina Huffman"]),
        ("charlotte", ["Allison Williams", "Molly Grace"]),
    ],
)
async def test_fuzzy_credit_lookup(k: Knowledge, query: str, actors: list[str]) -> None:
    found = [c.actor for c in await k.find_credits("the-perfection", query)]
    assert found[: len(actors)] == actors


async def test_no_match_suggests_the_closest(k: Knowledge) -> None:
    with pytest.raises(LookupFailed) as err:
        await k.find_credits("the-perfection", "Imprint Kandborg")
    assert err.value.suggestions[0].startswith("Mark Kandborg")
    with pytest.raises(LookupFailed):
        await k.find_credits("the-perfection", "   ")


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "NEAR(a b)",
        "taser OR",
        "a AND NOT b",
        "*",
        "col:value",
        "||spoiler||",
        "@everyone",
        "x" * 10_000,
        ")(",
        "^",
    ],
)
async def test_search_never_passes_fts_syntax(k: Knowledge, query: str) -> None:
    await k.search(query)  # must not raise
    match = fts_query(query)
    if match:
        for part in match:
            assert all(token.startswith('"') or token == "OR" for token in part.split())


async def test_search_flags_spoiling_passages(k: Knowledge) -> None:
    hits = await k.search("taser")
    assert hits and all(h.spoil > Spoil.SAFE for h in hits)
    safe = await k.search("Fantastic Fest premiere")
    assert safe and safe[0].spoil == Spoil.SAFE


async def test_read_only(db: Path, k: Knowledge) -> None:
    with pytest.raises(sqlite3.OperationalError):
        await k._conn.execute("DELETE FROM films")


async def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeUnavailable):
        await Knowledge.open(tmp_path / "nope.db")


async def test_sources_lists_disputes(k: Knowledge) -> None:
    s = await k.sources("the-perfection")
    assert {d.field for d in s.disputed} >= {"Year", "Rotten Tomatoes"}
    assert not {d.field for d in s.disputed} & {"Theis (actor)", "Song 1 title"}  # garbles, not disputes
    copy = next(d for d in s.documents if d.copy_of)
    assert copy.shape == "rewrite" and copy.reasons[0].startswith("near-copy")
    assert {(g.what, g.garbled) for g in s.garbles} >= {("Theis (actor)", "Imprint Kandborg")}
    assert all(g.document == copy.document for g in s.garbles)
