"""Lost connections: dropped or refused connections are retried with backoff and lose or duplicate nothing;
a COMMIT whose answer was lost is repeated safely; a server that stays down gives StateUnavailable quickly,
and the store works again once it is back."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from datetime import timedelta

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.nights.scheduler import plan_jobs
from bot.offline.postgres import PostgresServer
from bot.storage.errors import StateUnavailable
from bot.storage.state import StateStore
from bot.storage.state.engine import Database, RetryPolicy, is_transient
from tests.storage.state_helpers import NOW, START, make_night


def dropped() -> DBAPIError:
    """What SQLAlchemy raises when the server closes the connection under a statement."""
    return DBAPIError(
        "COMMIT", {}, ConnectionResetError("connection reset by peer"), connection_invalidated=True
    )


@pytest.fixture
def lost_commits(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The next `n` COMMITs are applied, but their answer is lost (the connection drops right after)."""
    pending: list[int] = [0]
    original = Database._commit

    async def commit(self: Database, conn: AsyncConnection) -> None:
        await original(self, conn)
        if pending[0] > 0:
            pending[0] -= 1
            raise dropped()

    monkeypatch.setattr(Database, "_commit", commit)
    yield pending


def test_transient_errors_are_told_apart() -> None:
    assert is_transient(dropped())
    assert is_transient(ConnectionRefusedError(111, "refused"))
    assert is_transient(asyncpg.CannotConnectNowError("the database system is starting up"))
    assert not is_transient(ValueError("bug"))
    assert not is_transient(DBAPIError("SELECT", {}, ValueError("syntax"), connection_invalidated=False))
    assert list(RetryPolicy(budget=1.0, first_delay=0.1, max_delay=0.4).delays()) == [0.1, 0.2, 0.4]


async def test_a_lost_commit_answer_creates_one_night(store: StateStore, lost_commits: list[int]) -> None:
    lost_commits[0] = 1
    night = await make_night(store)
    assert [n.id for n in await store.upcoming_nights(night.guild_id, NOW)] == [night.id]
    assert len(await store.jobs_for_night(night.id)) == 5


async def test_a_lost_commit_answer_keeps_claims_cancels_and_replans_exact(
    store: StateStore, lost_commits: list[int]
) -> None:
    night = await make_night(store)
    announce = (await store.due_jobs(NOW))[0]
    lost_commits[0] = 1
    claimed = await store.claim_job(announce.id, instance="me", now=NOW)
    assert claimed is not None and claimed.attempts == 1 and claimed.status == "sending"  # ours, taken once
    lost_commits[0] = 1
    assert await store.set_rsvp(night.id, 7, "going", now=NOW) == await store.rsvp_counts(night.id)
    assert (await store.rsvp_counts(night.id)).going == 1
    lost_commits[0] = 1
    later = START + timedelta(days=1)
    moved = await store.update_night(
        night.id, now=NOW, starts_at=later, replan=plan_jobs(later, 90, (900,), NOW, announce=False)
    )
    assert moved is not None and moved.revision == 1  # not 2
    assert len([j for j in await store.jobs_for_night(night.id) if j.revision == 1]) == 3
    lost_commits[0] = 1
    cancelled = await store.cancel_night(night.id, now=NOW)
    assert cancelled is not None and cancelled.status == "cancelled"


async def test_a_connection_dropped_before_commit_is_simply_retried(
    store: StateStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    night = await make_night(store)
    failures = [1]
    original = store.db.write

    async def flaky(work):  # type: ignore[no-untyped-def]
        async def failing(conn: AsyncConnection, maybe_committed: bool):  # type: ignore[no-untyped-def]
            assert not maybe_committed  # the server rolled the first attempt back
            if failures[0]:
                failures[0] -= 1
                raise dropped()
            return await work(conn, maybe_committed)

        return await original(failing)

    monkeypatch.setattr(store.db, "write", flaky)
    counts = await store.set_rsvp(night.id, 1, "maybe", now=NOW)
    assert (counts.going, counts.maybe) == (0, 1) and failures == [0]


async def test_dropped_connections_are_retried_transparently(
    pg_server: PostgresServer, pg_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = await StateStore.open(pg_dsn)
    try:
        night = await make_night(store)
        await store.set_rsvp(night.id, 1, "going", now=NOW)  # the pool now holds open connections
        admin = await asyncpg.connect(pg_server.admin_dsn)
        try:
            killed = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1",
                pg_dsn.rsplit("/", 1)[1],
            )
        finally:
            await admin.close()
        assert killed >= 1
        with caplog.at_level(logging.WARNING, logger="bot.storage.state.engine"):
            counts = await store.set_rsvp(night.id, 2, "going", now=NOW)
            assert counts.going == 2
            assert (await store.get_night(night.id)) == night
        assert "connection lost" in caplog.text and "reachable again" in caplog.text
    finally:
        await store.close()


async def test_a_server_that_stays_down_gives_state_unavailable_then_recovers(
    pg_server: PostgresServer, pg_dsn: str
) -> None:
    if not pg_server.can_restart:
        pytest.skip("PG_TEST_DSN's server is not ours to stop")
    store = await StateStore.open(pg_dsn, retry=RetryPolicy(budget=0.5))
    throwaway = pg_server.throwaway
    assert throwaway is not None
    try:
        night = await make_night(store)
        await asyncio.to_thread(throwaway.stop)
        began = time.monotonic()
        with pytest.raises(StateUnavailable, match="unreachable"):
            await store.set_rsvp(night.id, 1, "going", now=NOW)
        assert time.monotonic() - began < 5
        await asyncio.to_thread(throwaway.start)
        counts = await store.set_rsvp(night.id, 1, "going", now=NOW)
        assert counts.going == 1
    finally:
        if not throwaway.running:
            await asyncio.to_thread(throwaway.start)
        await store.close()


async def test_the_password_never_reaches_logs_or_reprs(
    pg_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    with_password = pg_dsn.replace("postgresql://postgres@", "postgresql://postgres:hunter2@")
    with caplog.at_level(logging.DEBUG, logger="bot"):
        store = await StateStore.open(with_password)  # trust authentication ignores the password
        try:
            assert "hunter2" not in repr(store) and "postgres:***@" in repr(store)
        finally:
            await store.close()
    assert "postgres:***@" in caplog.text and "hunter2" not in caplog.text
