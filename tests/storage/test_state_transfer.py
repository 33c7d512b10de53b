"""`python -m bot.state migrate`: a SQLite state copied into PostgreSQL (or another file) with its ids and
verified counts; running it again changes nothing; a target holding other data is refused untouched."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.state import main
from bot.storage.state import NewDocument, Quota, StateStore
from bot.storage.state.transfer import TransferRefused, copy_state, verify
from tests.storage.state_helpers import NOW, START, make_night

BYTES = bytes(range(256))


async def fill(store: StateStore) -> None:
    """Settings, meta, three nights in two guilds (one cancelled, one with a sent post), RSVPs, a server's
    film with two documents (bytes that are not UTF-8 among them)."""
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
    documents = [
        NewDocument("a.txt", "a" * 64, b"Alien is a 1979 film."),
        NewDocument("b.html", "b" * 64, BYTES),
    ]
    stored = await store.store_library_documents(
        1 << 22, "alien", title="Alien", year=1979, documents=documents, by=7, now=NOW, quota=Quota(5, 10_000)
    )
    assert stored == "added"


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
        copied = {table: count for table, count in report.counts.items() if count}  # every table is counted
        assert report.copied and copied == {
            "meta": 2,
            "guild_settings": 1,
            "nights": 3,
            "rsvps": 3,
            "jobs": 15,
            "library_films": 1,
            "library_documents": 2,
            "library_settings": 1,
        }
        assert await verify(origin, target)
        assert await target.get_night(1) == await origin.get_night(1)
        assert (await target.get_night(1)).announcement_id == 1234  # type: ignore[union-attr]
        assert (await target.guild_settings(1 << 22)).timezone == "Europe/Paris"
        (film,) = await target.library_films(1 << 22, with_data=True)
        assert [d.data for d in film.documents] == [b"Alien is a 1979 film.", BYTES]
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
    out = capsys.readouterr().out
    assert "verified rows: " in out
    for rows in ("guild_settings 1", "meta 2", "nights 3", "jobs 15", "rsvps 3", "library_documents 2"):
        assert rows in out, (rows, out)
    assert main(["migrate", "--from", str(source), "--to", pg_dsn]) == 0
    assert "already holds exactly this state" in capsys.readouterr().out
    assert main(["status", "--db", pg_dsn]) == 0
    assert "postgresql, schema 0005_library" in capsys.readouterr().out

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
