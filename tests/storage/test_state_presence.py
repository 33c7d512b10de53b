"""Coordination on both backends: instances and their silence by the database's clock, leases that exactly
one contender wins, and re-driving only the claims of instances that are not alive."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.state import StateStore
from tests.storage.state_helpers import NOW, make_night


async def execute(store: StateStore, sql: str, **params: object) -> None:
    async def work(conn: AsyncConnection, maybe_committed: bool) -> None:
        await conn.execute(text(sql), params)

    await store.db.write(work)


async def test_instances_register_beat_and_go(store: StateStore) -> None:
    await store.register_instance("a", host="h1", pid=11, shards="0,1 of 4")
    await store.register_instance("b", host="h2", pid=22, shards="all")
    listed = await store.instances()
    assert [(i.name, i.host, i.pid, i.shards) for i in listed] == [
        ("a", "h1", 11, "0,1 of 4"),
        ("b", "h2", 22, "all"),
    ]
    assert all(0 <= i.silent_for <= 2 for i in listed)
    await execute(store, "UPDATE instances SET seen_at = seen_at - 100 WHERE name = 'a'")
    assert [i.silent_for >= 100 for i in await store.instances()] == [True, False]
    assert await store.heartbeat("a")
    assert all(i.silent_for <= 2 for i in await store.instances())
    await store.forget_instance("a")
    assert not await store.heartbeat("a")  # gone: the owner registers again
    assert [i.name for i in await store.instances()] == ["b"]


async def test_a_lease_has_one_holder_until_it_expires_or_is_released(store: StateStore) -> None:
    assert await store.lease_expires_in("sync") is None
    assert await store.acquire_lease("sync", "a", ttl=60)
    assert not await store.acquire_lease("sync", "b", ttl=60)
    assert await store.acquire_lease("sync", "a", ttl=60)  # the holder extends it
    assert 55 <= (await store.lease_expires_in("sync") or 0) <= 60
    await store.release_lease("sync", "b")  # not b's to release
    assert not await store.acquire_lease("sync", "b", ttl=60)
    await execute(store, "UPDATE leases SET expires_at = expires_at - 61")
    assert await store.acquire_lease("sync", "b", ttl=60)  # expired: taken over
    await store.release_lease("sync", "b")
    assert await store.acquire_lease("sync", "c", ttl=60)


async def test_exactly_one_of_many_processes_wins_a_lease(state_location: Path | str) -> None:
    stores = [await StateStore.open(state_location) for _ in range(4)]
    try:
        won = await asyncio.gather(
            *(
                s.acquire_lease("command-sync:abc", f"p{i}-{k}", ttl=60)
                for i, s in enumerate(stores)
                for k in range(3)
            )
        )
        assert sum(won) == 1
    finally:
        for s in stores:
            await s.close()


async def test_requeue_leaves_the_claims_of_live_instances_alone(store: StateStore) -> None:
    night = await make_night(store)
    announce, first, second, *_ = await store.jobs_for_night(night.id)
    assert await store.claim_job(announce.id, instance="alive", now=NOW)
    for job in (first, second):
        await store.update_night(night.id, now=NOW)  # no-op write between claims
        assert await store.claim_job(job.id, instance="dead", now=job.due_at)
    assert await store.requeue_sending(now=second.due_at, live={"alive"}) == 2
    assert [j.status for j in await store.jobs_for_night(night.id)][:3] == ["sending", "pending", "pending"]
    assert await store.requeue_sending(now=second.due_at, live=()) == 1  # nobody alive: all of them
