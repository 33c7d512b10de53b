"""Every post exactly once: a scheduler subprocess SIGKILLed at chosen points and restarted, and two shard
processes sharing one state database. See exactly_once_worker.py for the process under test.

The kill points are deterministic (the Nth delivery started, or the Nth message just created and not yet
recorded), and so is everything the worker does, so every run covers the same interruptions.
"""

from __future__ import annotations

import asyncio
import re
import signal
import sqlite3
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.storage.state import StateStore
from tests.fakes import (
    add_night,
    utc,
)

pytestmark = pytest.mark.slow  # scheduler subprocesses killed and restarted

WORKER = Path(__file__).with_name("exactly_once_worker.py")
ROOT = Path(__file__).resolve().parents[2]
T0 = utc(2030, 1, 1, 12, 0)
READY_TIMEOUT = 20.0
RUN_TIMEOUT = 40.0
# One run per kill point, then a run to completion. "created" kills leave a message Discord made but the bot
# never recorded: the restart must get it back through the nonce, not post it again.
KILL_POINTS = ("created:1", "claimed:2", "created:3", "claimed:1", "created:2")


async def _seed_nights(state: Path, guilds: list[int]) -> int:
    """Two nights per guild, each with two reminders: announce, 2 reminders, start, spoilers = 5 posts."""
    store = await StateStore.open(state)
    try:
        for index, guild_id in enumerate(guilds):
            for night in range(2):
                start = T0 + timedelta(hours=3 + 4 * night, minutes=10 * index)
                await add_night(
                    store, T0, start, reminders=(2 * 3600, 30 * 60), guild_id=guild_id, runtime=100
                )
    finally:
        await store.close()
    return len(guilds) * 2 * 5


class Worker:
    """One worker process: started and READY within READY_TIMEOUT, or the test fails saying so."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.kills: list[tuple[str, int]] = []  # (point, job id) the worker announced before dying

    @classmethod
    async def spawn(
        cls, tmp: Path, instance: str, clock: Path, kill_at: str = "", shards: tuple[int, str] | None = None
    ) -> Worker:
        command = [
            str(WORKER),
            "--state",
            str(tmp / "state.db"),
            "--posts",
            str(tmp / "posts.db"),
            "--clock",
            str(clock),
            "--instance",
            instance,
            "--kill-at",
            kill_at,
        ]
        if shards is not None:
            command += ["--shard-count", str(shards[0]), "--shard-ids", shards[1]]
        process = await asyncio.create_subprocess_exec(
            sys.executable, *command, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        worker = cls(process)
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(
                process.stdout.readline(), READY_TIMEOUT
            )  # bounded, unlike readline
        except TimeoutError:
            process.kill()
            await process.wait()
            raise AssertionError(f"worker {instance} not ready within {READY_TIMEOUT}s") from None
        if line.decode().strip() != "ready":
            _, err = await process.communicate()
            raise AssertionError(f"worker {instance} did not start: {line!r}\n{err.decode()}")
        return worker

    async def finish(self) -> int:
        """Wait (bounded) for the process to end; its exit code. Reads what it announced."""
        try:
            out, err = await asyncio.wait_for(self.process.communicate(), RUN_TIMEOUT)
        except TimeoutError:
            self.process.kill()
            await self.process.communicate()
            raise AssertionError("worker did not finish in time") from None
        for point, job in re.findall(r"^kill (\w+):\d+ job=(\d+)$", out.decode(), re.MULTILINE):
            self.kills.append((point, int(job)))
        self.stderr = err.decode()
        assert self.process.returncode is not None
        return self.process.returncode


def _job_rows(state: Path) -> list[tuple[int, int, str, str, int | None]]:
    with sqlite3.connect(state) as db:
        return db.execute("SELECT id, guild_id, kind, status, message_id FROM jobs ORDER BY id").fetchall()


def _messages(posts: Path) -> list[tuple[int, int, int, str]]:
    with sqlite3.connect(posts) as db:
        return db.execute("SELECT id, job_id, guild_id, instance FROM messages ORDER BY id").fetchall()


def _assert_exactly_once(tmp: Path, expected: int) -> None:
    jobs = _job_rows(tmp / "state.db")
    messages = _messages(tmp / "posts.db")
    assert len(jobs) == expected
    assert {status for _, _, _, status, _ in jobs} == {"sent"}, jobs
    per_job: dict[int, list[int]] = {}
    for message_id, job_id, _, _ in messages:
        per_job.setdefault(job_id, []).append(message_id)
    assert {job_id: len(ids) for job_id, ids in per_job.items()} == {job_id: 1 for job_id, *_ in jobs}
    # the message each job recorded is the one that was posted
    assert {job_id: message_id for job_id, _, _, _, message_id in jobs} == {
        j: ids[0] for j, ids in per_job.items()
    }


def _deduped_jobs(posts: Path) -> set[int]:
    with sqlite3.connect(posts) as db:
        return {int(job) for (job,) in db.execute("SELECT job_id FROM attempts WHERE deduped = 1")}


async def test_sigkill_at_chosen_points_each_post_exactly_once(tmp_path: Path) -> None:
    expected = await _seed_nights(tmp_path / "state.db", [5 << 22, 6 << 22])
    clock = tmp_path / "clock"
    clock.write_text(repr(T0.timestamp()))
    kills: list[tuple[str, int]] = []
    for attempt, point in enumerate(KILL_POINTS):
        worker = await Worker.spawn(tmp_path, f"worker-{attempt}", clock, kill_at=point)
        assert await worker.finish() == -signal.SIGKILL, (
            f"run {attempt} ended before {point}: {worker.stderr}"
        )
        assert [p for p, _ in worker.kills] == [point.split(":")[0]]
        kills += worker.kills
    last = await Worker.spawn(tmp_path, "worker-last", clock)
    assert await last.finish() == 0, last.stderr
    _assert_exactly_once(tmp_path, expected)
    # Each message created and never recorded came back through its nonce instead of being posted again.
    created = {job for point, job in kills if point == "created"}
    assert len(created) == sum(point.startswith("created") for point in KILL_POINTS)
    assert created <= _deduped_jobs(tmp_path / "posts.db")


async def test_two_shard_processes_share_one_state_database(tmp_path: Path) -> None:
    guilds = [2 << 22, 3 << 22, 4 << 22, 5 << 22]  # shards 0, 1, 0, 1 of 2
    expected = await _seed_nights(tmp_path / "state.db", guilds)
    clocks = [tmp_path / "clock0", tmp_path / "clock1"]
    for clock in clocks:
        clock.write_text(repr(T0.timestamp()))
    # each shard is killed once mid-run, at its own chosen point, and restarted while the other keeps going
    points = ("created:2", "claimed:3")
    first = [await Worker.spawn(tmp_path, f"shard{i}-a", clocks[i], points[i], (2, str(i))) for i in (0, 1)]
    for worker in first:
        assert await worker.finish() == -signal.SIGKILL, worker.stderr
    second = [await Worker.spawn(tmp_path, f"shard{i}-b", clocks[i], "", (2, str(i))) for i in (0, 1)]
    for worker in second:
        assert await worker.finish() == 0, worker.stderr
    _assert_exactly_once(tmp_path, expected)
    for _, _, guild_id, instance in _messages(tmp_path / "posts.db"):
        assert instance.startswith(f"shard{(guild_id >> 22) % 2}-"), (guild_id, instance)
    (killed,) = first[0].kills
    assert killed[1] in _deduped_jobs(tmp_path / "posts.db")
