"""`python -m bot.state migrate`: a SQLite state copied into PostgreSQL (or another file) with its ids and
verified counts; running it again changes nothing; a target holding other data is refused untouched."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.state import main
from bot.storage.state import StateStore
from bot.storage.state.transfer import TransferRefused, copy_state, verify
from tests.storage.state_helpers import NOW, START, make_night


async def fill(store: StateStore) -> None:
    """Settings, meta, three nights in two guilds (one cancelled, one with a sent post), RSVPs."""
    await store.set_meta("command_hash", "abc")
    await store.update_guild_settings(1 << 22, now=NOW, timezone="Europe/Paris", reminders=[3600])
    first = await make_night(store)
    await make_night(store, guild_id=2 << 22, start=START + timedelta(days=1))
    cancelled = await make_night(store)
    await store.cancel_night(cancelled.id, now=NOW)
    announce = (await store.due_jobs(NOW))[0]
    assert await store.claim_job(announce.id, instance="old", now=NOW)
    assert await store.mark_sent(announce.id, message_id=1234, now=NOW)
    for user, answer in ((1, "going"), (2, "maybe"), (3, "going")):
        await store.set_rsvp(first.id, user, answer, now=NOW)  # type: ignore[arg-type]


@pytest.fixture
async def source(tmp_path: Path) -> Path:
    path = tmp_path / "source.db"
    store = await StateStore.open(path)
    try:
        await fill(store)
    finally:
        await store.close()
    return path


async def test_copy_is_verified_and_idempotent(source: Path, state_location: Path | str) -> None:
    origin, target = await StateStore.open(source), await StateStore.open(state_location)
    try:
        report = await copy_state(origin, target)
        assert report.copied and report.counts == {
            "meta": 1,
            "guild_settings": 1,
            "nights": 3,
            "rsvps": 3,
            "jobs": 15,
        }
        assert await verify(origin, target)
        assert await target.get_night(1) == await origin.get_night(1)
        assert (await target.get_night(1)).announcement_id == 1234  # type: ignore[union-attr]
        assert (await target.guild_settings(1 << 22)).timezone == "Europe/Paris"
        again = await copy_state(origin, target)
        assert not again.copied and again.counts == report.counts
        new = await make_night(target)  # ids continue after the copied ones
        assert new.id == 4 and len(await target.jobs_for_night(new.id)) == 5
    finally:
        await origin.close()
        await target.close()


async def test_a_target_with_other_data_is_refused_untouched(
    source: Path, state_location: Path | str
) -> None:
    origin, target = await StateStore.open(source), await StateStore.open(state_location)
    try:
        await make_night(target, guild_id=9 << 22)
        with pytest.raises(TransferRefused, match=r"nights \(1 rows there, 3 here\)"):
            await copy_state(origin, target)
        assert [n.guild_id for n in await target.upcoming_nights(9 << 22, NOW)] == [9 << 22]
        assert await target.get_meta("command_hash") is None
    finally:
        await origin.close()
        await target.close()


def test_the_migrate_command(source: Path, pg_dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "--from", str(source), "--to", pg_dsn]) == 0
    assert "verified rows: guild_settings 1, meta 1, nights 3, jobs 15, rsvps 3" in capsys.readouterr().out
    assert main(["migrate", "--from", str(source), "--to", pg_dsn]) == 0
    assert "already holds exactly this state" in capsys.readouterr().out
    assert main(["status", "--db", pg_dsn]) == 0
    assert "postgresql, schema 0002_presence" in capsys.readouterr().out

    other = source.with_name("other.db")
    asyncio.run(_one_night(other))
    assert main(["migrate", "--from", str(other), "--to", pg_dsn]) == 1
    assert "refused:" in capsys.readouterr().err
    assert main(["migrate", "--from", str(source.with_name("missing.db")), "--to", pg_dsn]) == 2
    assert "no SQLite state file" in capsys.readouterr().err
    assert main(["migrate", "--from", str(source), "--to", "mysql://x@y/z"]) == 2


async def _one_night(path: Path) -> None:
    store = await StateStore.open(path)
    try:
        await make_night(store)
    finally:
        await store.close()
