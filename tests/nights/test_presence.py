"""Liveness: only the claims of dead instances are re-driven. A process restarted on the same host takes its
predecessor's claims back at once; a live process's claims (another process with the same shard ids, or one on
another machine) are left alone until it stops beating; the heartbeat keeps a running scheduler alive."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.nights.presence import Liveness, Presence
from bot.nights.scheduler import Scheduler
from bot.storage.state import StateStore
from tests.fakes import (
    FakeClock,
    RecordingPoster,
    add_night,
    until,
)


def make(store: StateStore, poster: RecordingPoster, clock: FakeClock, name: str) -> Scheduler:
    return Scheduler(store, poster, clock, instance=name)  # type: ignore[arg-type]


def a_dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


async def claimed_announce(store: StateStore, clock: FakeClock, holder: str) -> int:
    night = await add_night(store, clock.now(), clock.now() + timedelta(days=2))
    job = (await store.jobs_for_night(night.id))[0]
    assert await store.claim_job(job.id, instance=holder, now=clock.now())
    return job.id


async def test_a_restart_on_this_host_takes_back_a_killed_process_claims(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    await store.register_instance(
        "killed", host=Presence(store, "x", None).host, pid=a_dead_pid(), shards="all"
    )
    job_id = await claimed_announce(store, clock, "killed")
    assert await make(store, poster, clock, "restarted").recover() == 1
    job = await store.get_job(job_id)
    assert job is not None and job.status == "pending"


async def test_a_live_process_with_the_same_shards_keeps_its_claims(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    here = Presence(store, "x", None).host
    await store.register_instance("running", host=here, pid=os.getppid(), shards="all")  # a live pid
    await store.register_instance("far", host="another-machine", pid=os.getpid(), shards="all")
    mine = await claimed_announce(store, clock, "running")
    theirs = await claimed_announce(store, clock, "far")
    second = make(store, poster, clock, "second")
    assert await second.recover() == 0
    await second.run_due()
    assert [(d.job.id, d.job.kind) for d in poster.calls if d.job.id in (mine, theirs)] == []
    assert [job.status for job in [await store.get_job(j) for j in (mine, theirs)] if job] == ["sending"] * 2

    async def silence(conn: AsyncConnection, maybe_committed: bool) -> None:
        await conn.execute(text("UPDATE instances SET seen_at = seen_at - 31 WHERE name = 'far'"))

    await store.db.write(silence)  # the other machine stopped beating 31 s ago
    assert await second._delay() == 0.0
    await second.run_due()
    assert [d.job.id for d in poster.posts] == [theirs]


async def test_a_running_scheduler_beats_and_deregisters_when_stopped(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    scheduler = Scheduler(store, poster, clock, instance="beating", liveness=Liveness(beat_every=0.02))  # type: ignore[arg-type]
    scheduler.start()
    try:
        await until(lambda: _registered(store, "beating"))

        async def age(conn: AsyncConnection, maybe_committed: bool) -> None:
            await conn.execute(text("UPDATE instances SET seen_at = seen_at - 100"))

        await store.db.write(age)
        await until(lambda: _fresh(store, "beating"))  # the heartbeat refreshed it
    finally:
        await scheduler.stop()
    assert await store.instances() == []


async def _registered(store: StateStore, name: str) -> bool:
    return name in {i.name for i in await store.instances()}


async def _fresh(store: StateStore, name: str) -> bool:
    return any(i.name == name and i.silent_for < 5 for i in await store.instances())


async def test_own_leftover_claims_are_redriven_between_passes(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    """A send whose result could not be recorded (e.g. the database dropped) is not stuck for 15 minutes."""
    scheduler = make(store, poster, clock, "me")
    await scheduler.recover()
    job_id = await claimed_announce(store, clock, "me")
    assert await scheduler._delay() == 0.0
    await scheduler.run_due()
    assert [(d.job.id, d.job.attempts) for d in poster.posts] == [(job_id, 2)]
