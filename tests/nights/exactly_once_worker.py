"""A scheduler process for test_exactly_once: runs the real Scheduler and StateStore against a poster that
records messages in a separate SQLite file and, like Discord with enforce_nonce, returns the earlier message
for a nonce it has seen. Time is virtual (a file holding a timestamp, advanced only by the scheduler's own
sleeps), so a restart loses no time and every job is due while useful. Exits 0 once its shards' jobs are done.

Everything is deterministic, so every run covers the same interruptions:
* `--kill-at claimed:N` SIGKILLs the process when its Nth delivery starts (the job is claimed, nothing sent);
  `--kill-at created:N` when "Discord" has just created its Nth message (the job is not yet recorded as
  sent, so the restart must re-send with the same nonce and get that message back). It prints
  ``kill <point> job=<id>`` first.
* Some deliveries fail: a job whose id is 3 mod 7 gets a 503 on its first attempt (retried after backoff),
  and a job whose id is a multiple of 5 fails after its message was created (like a timeout), so the retry
  must dedupe by nonce.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.nights.scheduler import Delivery, DeliveryFailed, Policy, Scheduler
from bot.storage.state import Night, Shards, StateStore

POSTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    nonce TEXT NOT NULL UNIQUE,
    job_id INTEGER NOT NULL,
    guild_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    instance TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    nonce TEXT NOT NULL,
    job_id INTEGER NOT NULL,
    instance TEXT NOT NULL,
    deduped INTEGER NOT NULL
);
"""


def connect_posts(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.executescript(POSTS_SCHEMA)
    return db


class VirtualClock:
    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> datetime:
        return datetime.fromtimestamp(float(self.path.read_text()), UTC)

    async def sleep(self, seconds: float) -> None:
        target = self.now().timestamp() + max(seconds, 0.0)
        temp = self.path.with_suffix(f".{os.getpid()}.tmp")
        temp.write_text(repr(target))
        os.replace(temp, self.path)
        await asyncio.sleep(0.001)


class FakeDiscordPoster:
    def __init__(self, path: Path, instance: str, kill_at: tuple[str, int] | None) -> None:
        self.db = connect_posts(path)
        self.instance = instance
        self.kill_at = kill_at
        self.seen = {"claimed": 0, "created": 0}

    def _step(self, point: str, job_id: int) -> None:
        """Count a point of the delivery; SIGKILL this process at the chosen one."""
        self.seen[point] += 1
        if self.kill_at == (point, self.seen[point]):
            print(f"kill {point}:{self.seen[point]} job={job_id}", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    def _create(self, delivery: Delivery) -> tuple[int, bool]:
        job = delivery.job
        self.db.execute("BEGIN IMMEDIATE")
        try:
            row = self.db.execute("SELECT id FROM messages WHERE nonce = ?", (job.nonce,)).fetchone()
            deduped = row is not None
            if row is None:
                cursor = self.db.execute(
                    "INSERT INTO messages (nonce, job_id, guild_id, kind, instance) VALUES (?, ?, ?, ?, ?)",
                    (job.nonce, job.id, job.guild_id, job.kind, self.instance),
                )
                message_id = int(cursor.lastrowid or 0)
            else:
                message_id = int(row[0])
            self.db.execute(
                "INSERT INTO attempts (nonce, job_id, instance, deduped) VALUES (?, ?, ?, ?)",
                (job.nonce, job.id, self.instance, int(deduped)),
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return message_id, deduped

    async def deliver(self, delivery: Delivery) -> int:
        job = delivery.job
        self._step("claimed", job.id)
        await asyncio.sleep(0)
        if job.id % 7 == 3 and job.attempts == 1:
            raise DeliveryFailed("503 Service Unavailable")
        message_id, deduped = self._create(delivery)
        self._step("created", job.id)  # created, not yet recorded as sent
        if not deduped and job.id % 5 == 0:
            raise DeliveryFailed("network: TimeoutError (the message was created)")
        return message_id

    async def find_delivered(self, delivery: Delivery, since: datetime) -> int | None:
        row = self.db.execute("SELECT id FROM messages WHERE nonce = ?", (delivery.job.nonce,)).fetchone()
        return None if row is None else int(row[0])

    async def retract(self, night: Night, announcement_id: int) -> None:
        return None


def remaining(state: Path, shards: Shards | None) -> int:
    with sqlite3.connect(state, timeout=30) as db:
        rows = db.execute("SELECT guild_id FROM jobs WHERE status IN ('pending', 'sending')").fetchall()
    return sum(1 for (guild_id,) in rows if shards is None or shards.serves(guild_id))


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--posts", type=Path, required=True)
    parser.add_argument("--clock", type=Path, required=True)
    parser.add_argument("--instance", required=True)
    parser.add_argument("--kill-at", default="", help="claimed:N or created:N")
    parser.add_argument("--shard-count", type=int, default=0)
    parser.add_argument("--shard-ids", default="")
    args = parser.parse_args()
    shards = (
        Shards(args.shard_count, tuple(int(i) for i in args.shard_ids.split(",") if i))
        if args.shard_count
        else None
    )
    store = await StateStore.open(args.state)
    point, _, nth = args.kill_at.partition(":")
    poster = FakeDiscordPoster(args.posts, args.instance, (point, int(nth)) if point else None)
    scheduler = Scheduler(
        store,
        poster,
        VirtualClock(args.clock),
        shards=shards,
        instance=args.instance,
        policy=Policy(max_sleep=60.0),
    )
    print("ready", flush=True)
    scheduler.start()
    try:
        while remaining(args.state, shards):  # noqa: ASYNC110 - polls another process's writes
            await asyncio.sleep(0.01)
    finally:
        await scheduler.stop()
        await store.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
