"""Every post exactly once: a scheduler subprocess SIGKILLed at random moments and restarted, and two shard
processes sharing one state database. See exactly_once_worker.py for the process under test."""

from __future__ import annotations

import asyncio
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from bot.storage.state import StateStore
from tests.fakes import add_night, utc

WORKER = Path(__file__).with_name("exactly_once_worker.py")
ROOT = Path(__file__).resolve().parents[2]
T0 = utc(2030, 1, 1, 12, 0)
SEED = 20261128
READY_TIMEOUT = 20.0
RUN_TIMEOUT = 40.0


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


def _spawn(
    tmp: Path, instance: str, clock: Path, seed: int, shards: tuple[int, str] | None = None
) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        str(WORKER),
        "--state",
        str(tmp / "state.db"),
        "--posts",
        str(tmp / "posts.db"),
        "--clock",
        str(clock),
        "--instance",
        instance,
        "--seed",
        str(seed),
    ]
    if shards is not None:
        command += ["--shard-count", str(shards[0]), "--shard-ids", shards[1]]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    deadline = time.monotonic() + READY_TIMEOUT
    line = process.stdout.readline()  # blocks until the worker is up (or exits)
    if line.strip() != "ready" or time.monotonic() > deadline:
        _, err = process.communicate(timeout=5)
        raise AssertionError(f"worker did not start: {line!r}\n{err}")
    return process


def _finish(process: subprocess.Popen[str]) -> None:
    try:
        _, err = process.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError("worker did not finish in time") from None
    assert process.returncode == 0, err


def _job_rows(state: Path) -> list[tuple[int, int, str, str, int | None]]:
    with sqlite3.connect(state) as db:
        return db.execute("SELECT id, guild_id, kind, status, message_id FROM jobs ORDER BY id").fetchall()


def _messages(posts: Path) -> list[tuple[int, int, int, str]]:
    with sqlite3.connect(posts) as db:
        return db.execute("SELECT id, job_id, guild_id, instance FROM messages ORDER BY id").fetchall()


def _dedups(posts: Path) -> int:
    with sqlite3.connect(posts) as db:
        return int(db.execute("SELECT COUNT(*) FROM attempts WHERE deduped = 1").fetchone()[0])


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


def test_sigkill_at_random_moments_each_post_exactly_once(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    expected = asyncio.run(_seed_nights(tmp_path / "state.db", [5 << 22, 6 << 22]))
    clock = tmp_path / "clock"
    clock.write_text(repr(T0.timestamp()))
    interrupted = 0
    for attempt in range(12):  # bounded: 10 runs killed at a random moment, then runs to completion
        process = _spawn(tmp_path, f"worker-{attempt}", clock, seed=rng.randrange(1 << 30))
        if attempt < 10:
            time.sleep(rng.uniform(0.0, 0.3))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                interrupted += 1
            process.communicate(timeout=RUN_TIMEOUT)
            if process.returncode == 0:
                break  # finished before the kill
        else:
            _finish(process)
            break
    assert interrupted >= 3, "the kills should interrupt work in progress"
    _assert_exactly_once(tmp_path, expected)
    assert _dedups(tmp_path / "posts.db") >= 1  # re-sends happened, and the nonce turned them into no-ops


def test_two_shard_processes_share_one_state_database(tmp_path: Path) -> None:
    guilds = [2 << 22, 3 << 22, 4 << 22, 5 << 22]  # shards 0, 1, 0, 1 of 2
    expected = asyncio.run(_seed_nights(tmp_path / "state.db", guilds))
    clocks = [tmp_path / "clock0", tmp_path / "clock1"]
    for clock in clocks:
        clock.write_text(repr(T0.timestamp()))
    rng = random.Random(SEED + 1)
    # each shard is killed once mid-run and restarted, while the other keeps going
    first = [_spawn(tmp_path, f"shard{i}-a", clocks[i], rng.randrange(1 << 30), (2, str(i))) for i in (0, 1)]
    time.sleep(rng.uniform(0.05, 0.2))
    for process in first:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.communicate(timeout=RUN_TIMEOUT)
    second = [_spawn(tmp_path, f"shard{i}-b", clocks[i], rng.randrange(1 << 30), (2, str(i))) for i in (0, 1)]
    for process in second:
        _finish(process)
    _assert_exactly_once(tmp_path, expected)
    for _, _, guild_id, instance in _messages(tmp_path / "posts.db"):
        assert instance.startswith(f"shard{(guild_id >> 22) % 2}-"), (guild_id, instance)
