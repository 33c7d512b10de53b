"""Several machines on one PostgreSQL: real `python -m bot` processes in separate working directories (each with
its own knowledge database built from the same documents) share nothing but the PostgreSQL server, over a
loopback Discord with six guilds on four shards. Machine A runs shards 0 and 1, machine B shards 2 and 3.

A night is scheduled in every guild (announcement, a reminder, the start). While they run: the PostgreSQL
server is restarted (meanwhile film questions are answered and an RSVP click says the database is away), a
third process C starts with A's shard ids (a misconfiguration), and the process caught mid-send is SIGKILLed
and restarted. Every post still goes out exactly once, each by one process, and the command tree is synced by
exactly one process. Waits are on events (posts, log lines, job rows), never sleeps.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.offline.model import FakeGuild
from bot.offline.postgres import PostgresServer
from bot.offline.process import BotProcess
from bot.present.nights import marker
from tests.e2e.conftest import (
    FILMS_DIR,
    READY_TIMEOUT,
    Club,
    ClubFactory,
)
from tests.e2e.wire import (
    GLOBAL_COMMANDS,
    MESSAGES,
    footer,
    night_id_of,
)
from tests.loopback import SITECUSTOMIZE

pytestmark = pytest.mark.slow

EPHEMERAL = 1 << 6
SHARD_COUNT = 4
GUILD_SHARDS = (0, 1, 2, 3, 0, 3)
MACHINES = {"a": (0, 1), "b": (2, 3), "c": (0, 1)}  # c: started by mistake with a's shard ids
LEAD = 50  # seconds from scheduling to the start posts; the reminder comes 30 s before
POSTED = ("announce", "reminder", "start")
REMINDER_S = 30


@dataclass
class Machine:
    name: str
    shards: tuple[int, ...]
    folder: Path
    process: BotProcess


@pytest.fixture
async def state_dsn(pg_server: PostgresServer) -> AsyncIterator[tuple[PostgresServer, str]]:
    if not pg_server.can_restart:
        pytest.skip("this test restarts PostgreSQL: it needs the throwaway server, not PG_TEST_DSN")
    dsn = await pg_server.create_database("e2e")
    yield pg_server, dsn
    if pg_server.throwaway is not None and not pg_server.throwaway.running:
        await asyncio.to_thread(pg_server.throwaway.start)
    await pg_server.drop_database(dsn)


class Fleet:
    """The bot processes of the test, by machine; every one is stopped by the Club at the end."""

    def __init__(self, club: Club, dsn: str) -> None:
        self.club = club
        self.dsn = dsn
        self.machines: list[Machine] = []

    async def start(self, name: str) -> Machine:
        shards = MACHINES[name]
        folder = self.club.tmp / f"machine-{name}"
        folder.mkdir(exist_ok=True)
        env = self.club.env(
            STATE_DB=self.dsn,
            KNOWLEDGE_DB=str(folder / "knowledge.db"),  # its own, built from the same documents
            FILMS_DIR=str(FILMS_DIR),
            SHARD_COUNT=str(SHARD_COUNT),
            SHARD_IDS=",".join(map(str, shards)),
        )
        run = sum(1 for m in self.machines if m.name == name)
        process = BotProcess(
            self.club.fake,
            SITECUSTOMIZE,
            module="bot",
            env=env,
            cwd=folder,
            log_path=self.club.tmp / f"{name}{run}.log",
        )
        self.club.bots.append(process)
        await process.start()
        await process.wait_ready(len(shards), shard_ids=shards, timeout=READY_TIMEOUT)
        machine = Machine(name, shards, folder, process)
        self.machines.append(machine)
        return machine

    def by_pid(self, pid: int) -> Machine:
        (found,) = [m for m in self.machines if m.process.pid == pid and m.process.returncode is None]
        return found

    def logs(self) -> str:
        return "\n".join(m.process.output() for m in self.machines)


async def job_rows(dsn: str) -> list[asyncpg.Record]:
    db = await asyncpg.connect(dsn)
    try:
        return list(
            await db.fetch(
                "SELECT night_id, kind, status, message_id, claimed_by, nonce FROM jobs ORDER BY id"
            )
        )
    finally:
        await db.close()


async def until_jobs(club: Club, dsn: str, check: Any, what: str, timeout: float) -> list[asyncpg.Record]:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while True:
        rows = await job_rows(dsn)
        if check(rows):
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: {[tuple(r) for r in rows]}")
        await asyncio.sleep(0.1)  # polling the database of other processes


async def schedule_everywhere(club: Club, starts: datetime) -> dict[int, int]:
    """Reminders 30 s ahead in every guild, then a night; {guild id: night id}."""
    nights = {}
    for guild in club.guilds:
        organiser = club.member(guild, organiser=True)
        done = await club.run(organiser, "movienight", {"reminders": "0.5m"}, subcommand="settings")
        assert done.response_data["flags"] & EPHEMERAL, done.response_data
        handle = await club.run(
            organiser, "movienight", {"when": starts.isoformat(), "timezone": "UTC"}, subcommand="schedule"
        )
        (reply,) = await club.followup(handle)
        assert "Scheduled movie night" in reply["content"], reply
        nights[guild.id] = night_id_of(reply["content"])
    return nights


def _status(rows: list[asyncpg.Record], nonce: str) -> str:
    (row,) = [r for r in rows if r["nonce"] == nonce]
    return str(row["status"])


def channel_of(guild: FakeGuild) -> int:
    return int(guild.text_channel["id"])


def posts(club: Club, guild: FakeGuild, night: int, kind: str) -> list[dict[str, Any]]:
    """The night's `kind` posts in the guild's channel (found by their footer, like the bot does)."""
    wanted = marker(night, kind, REMINDER_S if kind == "reminder" else 0)
    return [m for m in club.fake.messages(channel_of(guild)) if footer(m).startswith(wanted)]


async def test_two_machines_share_postgresql_through_restarts_kills_and_a_duplicate(
    state_dsn: tuple[PostgresServer, str], clubs: ClubFactory
) -> None:
    began = time.monotonic()
    server, dsn = state_dsn
    assert server.throwaway is not None
    club = await clubs(shard_count=SHARD_COUNT, guild_shards=GUILD_SHARDS)
    fleet = Fleet(club, dsn)

    # Two machines starting together: exactly one syncs the command tree.
    await asyncio.gather(fleet.start("a"), fleet.start("b"))
    assert len(club.fake.requests("PUT", GLOBAL_COMMANDS)) == 1
    assert len(re.findall(r"synced \d+ commands globally", fleet.logs())) == 1

    starts = club.clock.now() + timedelta(seconds=LEAD)
    nights = await schedule_everywhere(club, starts)
    announcements = {
        guild.id: (await club.wait_posts(channel_of(guild), nights[guild.id], "announce", 15))[0]
        for guild in club.guilds
    }

    # PostgreSQL restarts. While it is down, film questions are answered and an RSVP click is told why not.
    await asyncio.to_thread(server.throwaway.stop)
    guild = club.guilds[0]
    movie = await club.run(club.member(guild), "movie")
    assert "The Perfection" in str(movie.response_data), movie.response_data
    click = await club.click(
        club.member(guild), f"rsvp:{nights[guild.id]}:going", channel_of(guild), announcements[guild.id]["id"]
    )
    assert (
        click.response_data["flags"] & EPHEMERAL
        and "can't reach my database" in click.response_data["content"]
    )
    await asyncio.to_thread(server.throwaway.start)
    await club.wait_output(fleet.machines[0].process, r"state database .* reachable again", 15)

    # A third process with A's shard ids joins; then whoever is caught mid-send is killed and restarted.
    await fleet.start("c")
    club.fake.fail_next("POST", MESSAGES, status=429, retry_after=30, after_handling=True)
    await club.advance(timedelta(seconds=LEAD - REMINDER_S))  # the reminders fall due
    await club.fake.wait_until(
        lambda: any(r.status == 429 for r in club.fake.requests("POST", MESSAGES)),
        LEAD,
        "a post answered 429",
    )
    (limited,) = [r for r in club.fake.requests("POST", MESSAGES) if r.status == 429]
    (job,) = [r for r in await job_rows(dsn) if r["nonce"] == limited.json["nonce"]]
    assert job["status"] == "sending"  # created on Discord's side; its process waits 30 s to retry
    holder = job["claimed_by"]
    caught = fleet.by_pid(int(holder.split(":")[1]))
    assert await caught.process.kill() == -9
    await fleet.start(caught.name)
    # Its claim is re-driven with the same nonce: by the restarted process, or by a live one that serves the
    # same shards (C and A share theirs) and saw the holder die first.
    await until_jobs(
        club, dsn, lambda rs: _status(rs, job["nonce"]) == "sent", "the killed claim re-driven", 15
    )
    assert re.search(r"re-driving \d+ movie night post\(s\)", fleet.logs())

    # Every post goes out: wait for the start posts and for every due job to be recorded as sent.
    await club.advance(timedelta(seconds=REMINDER_S))  # the start posts fall due
    for guild in club.guilds:
        await club.wait_posts(channel_of(guild), nights[guild.id], "start", LEAD + 30)
    await until_jobs(
        club,
        dsn,
        lambda rs: all(r["status"] == "sent" for r in rs if r["kind"] in POSTED),
        "every due post recorded as sent",
        30,
    )
    for machine in fleet.machines:  # stop them all: nothing more can be posted after this
        if machine.process.returncode is None:
            await machine.process.terminate(grace=10)

    # Exactly once: one message per post in every channel, the one its job recorded, sent by one process.
    rows = await job_rows(dsn)
    recorded = {(r["night_id"], r["kind"]): r["message_id"] for r in rows if r["kind"] in POSTED}
    logs = fleet.logs()
    for guild in club.guilds:
        night = nights[guild.id]
        for kind in POSTED:
            (message,) = posts(club, guild, night, kind)
            assert int(message["id"]) == recorded[(night, kind)]
            sent = re.findall(rf"night {night}: {kind} post #\d+ sent as (\d+)", logs)
            assert sent == [message["id"]], (guild.id, kind, sent)
    # Each machine posted only for the guilds of its shards.
    for machine in fleet.machines:
        for guild in club.guilds:
            if guild.shard_id(SHARD_COUNT) not in machine.shards:
                assert f"night {nights[guild.id]}: " not in machine.process.output(), (machine.name, guild.id)
    assert len(club.fake.requests("PUT", GLOBAL_COMMANDS)) == 1
    assert "connection lost" in logs and "Traceback" not in logs
    club.assert_wire_clean()
    print(f"PostgreSQL e2e took {time.monotonic() - began:.1f}s")
