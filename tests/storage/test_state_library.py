"""Servers' uploaded documents in the state store, on both backends (the `store` fixture): bytes kept exactly,
quotas checked in the writing transaction, two adds at once never pass a cap, the revision other processes
watch."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.storage.state import NewDocument, Quota, StateStore
from tests.storage.state_helpers import NOW

GUILD, OTHER = 1 << 22, 2 << 22
BINARY = bytes(range(256)) * 4  # not text: stored and read back byte for byte
QUOTA = Quota(films=3, bytes=10_000)


def doc(name: str, data: bytes) -> NewDocument:
    return NewDocument(name, f"{hash(data) & (2**64 - 1):064x}", data)


async def add(
    store: StateStore, slug: str, *docs: NewDocument, guild: int = GUILD, quota: Quota = QUOTA
) -> str:
    return await store.store_library_documents(
        guild, slug, title=slug.title(), year=2000, documents=list(docs), by=7, now=NOW, quota=quota
    )


async def test_documents_are_kept_byte_for_byte(store: StateStore) -> None:
    assert await store.library_revision() == 0
    assert await add(store, "alien", doc("a.txt", b"Alien"), doc("b.html", BINARY)) == "added"
    (film,) = await store.library_films(GUILD, with_data=True)
    assert (film.slug, film.title, film.year, film.added_by, film.added_at) == (
        "alien",
        "Alien",
        2000,
        7,
        NOW,
    )
    assert [(d.name, d.size, d.data) for d in film.documents] == [
        ("a.txt", 5, b"Alien"),
        ("b.html", 1024, BINARY),
    ]
    (light,) = await store.library_films(GUILD)
    assert [d.data for d in light.documents] == [None, None]  # bytes only when asked for
    assert await store.library_films(OTHER) == []
    assert await store.library_revision() == 1


async def test_merging_adds_only_new_documents(store: StateStore) -> None:
    await add(store, "alien", doc("a.txt", b"Alien"))
    assert await add(store, "alien", doc("a-2.txt", b"Alien")) == "nothing_new"  # the same content
    assert await add(store, "alien", doc("b.txt", b"Aliens")) == "merged"
    (film,) = await store.library_films(GUILD)
    assert [d.name for d in film.documents] == ["a.txt", "b.txt"]
    assert await store.library_revision() == 2


async def test_quotas(store: StateStore) -> None:
    for slug in ("a", "b", "c"):
        assert await add(store, slug, doc(f"{slug}.txt", slug.encode())) == "added"
    assert await add(store, "d", doc("d.txt", b"d")) == "too_many_films"
    assert await add(store, "a", doc("big.txt", b"x" * 10_000)) == "too_many_bytes"
    assert await add(store, "a", doc("more.txt", b"more")) == "merged"  # a film already there is no new film
    assert await add(store, "d", doc("d.txt", b"d"), guild=OTHER) == "added"  # quotas are per server
    usage = await store.library_usage(GUILD)
    assert (usage.films, usage.bytes) == (3, 3 + 4)


async def test_two_adds_at_once_never_pass_the_cap(store: StateStore, tmp_path: Path) -> None:
    quota = Quota(films=1, bytes=10_000)
    outcomes = await asyncio.gather(
        *(add(store, f"film-{i}", doc(f"{i}.txt", str(i).encode()), quota=quota) for i in range(4))
    )
    assert sorted(outcomes) == ["added", "too_many_films", "too_many_films", "too_many_films"]
    assert len(await store.library_films(GUILD)) == 1


async def test_remove(store: StateStore) -> None:
    await add(store, "alien", doc("a.txt", b"Alien"), doc("b.txt", b"Aliens"))
    assert await store.remove_library_film(GUILD, "alien")
    assert not await store.remove_library_film(GUILD, "alien")
    assert await store.library_films(GUILD) == []
    assert (await store.library_usage(GUILD)).bytes == 0
    assert await store.library_revision() == 2


async def test_the_editor_role(store: StateStore) -> None:
    assert await store.library_editor_role(GUILD) is None
    await store.set_library_editor_role(GUILD, 99, now=NOW)
    assert await store.library_editor_role(GUILD) == 99
    await store.set_library_editor_role(GUILD, None, now=NOW + timedelta(seconds=1))
    assert await store.library_editor_role(GUILD) is None
