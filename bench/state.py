"""State-store benchmark: job claims per second and RSVP-click latency, SQLite and PostgreSQL, in one run.

    python -m bench.state [--jobs 2000] [--clicks 1000] [--concurrency 8] [--runs 3] [--json PATH]

Setups: SQLite with 1 process; PostgreSQL with 1, 2 and 4 processes (a throwaway server started here, or the one
in PG_TEST_DSN). Each process is a real `StateStore` in its own Python process, like a bot process:
- claims: `--jobs` posts due now, spread over guilds on every shard; each process serves its shards (as the bot
  does) and loops `due_jobs` -> `claim_job` -> `mark_sent` until none is left. Figure: jobs claimed and marked
  sent per second, all processes together (wall time from the common start to the last finish).
- clicks: every process answers `--clicks` RSVP clicks on random nights by random members, one at a time and
  then `--concurrency` at a time: what the button does in the store (`get_night`, then `set_rsvp`: an upsert
  and the new counts). Figure: per-click latency p50 and p99 over every click of every process, all processes
  clicking at once.
Durability is matched: SQLite runs WAL with synchronous=NORMAL and PostgreSQL synchronous_commit=off (both keep
every commit across a crash of the bot, and may lose the last ones on a power cut). The machine is shared by the
benchmark's processes and the database server, so compare the setups to SQLite's in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.offline.postgres import BENCH_SETTINGS, postgres_server
from bot.shards import Shards
from bot.storage.models import FilmRef
from bot.storage.state import JobSpec, StateStore

SETUPS = (("sqlite", 1), ("postgresql", 1), ("postgresql", 2), ("postgresql", 4))
JOBS_PER_NIGHT = 10
GUILDS = 64
FILM = FilmRef("the-perfection", "The Perfection", 2018)
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


# -- the worker: one process, one store ---------------------------------------------------------------------


async def claim_all(store: StateStore, shards: Shards) -> dict[str, Any]:
    claimed = 0
    instance = f"bench-{os.getpid()}"
    while jobs := await store.due_jobs(NOW, shards):
        for job in jobs:
            if await store.claim_job(job.id, instance=instance, now=NOW) is not None:
                await store.mark_sent(job.id, message_id=job.id, now=NOW)
                claimed += 1
    return {"claimed": claimed}


async def click_many(
    store: StateStore, nights: int, clicks: int, concurrency: int, seed: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    latencies: list[float] = []
    answers = ("going", "maybe", "no")
    queue = [
        (rng.randrange(1, nights + 1), rng.randrange(1, 5000), rng.choice(answers)) for _ in range(clicks)
    ]

    async def clicker() -> None:
        while queue:
            night_id, user_id, answer = queue.pop()
            began = time.perf_counter()
            night = await store.get_night(night_id)
            assert night is not None
            await store.set_rsvp(night_id, user_id, answer, now=NOW)  # type: ignore[arg-type]
            latencies.append(time.perf_counter() - began)

    await asyncio.gather(*(clicker() for _ in range(concurrency)))
    return {"latencies": latencies}


async def worker(args: argparse.Namespace) -> None:
    store = await StateStore.open(args.db)
    try:
        print("ready", flush=True)
        sys.stdin.readline()  # "go"
        if args.phase == "claims":
            result = await claim_all(store, Shards(args.procs, (args.index,)))
        else:
            result = await click_many(store, args.nights, args.clicks, args.concurrency, args.index)
    finally:
        await store.close()
    print(json.dumps(result), flush=True)


# -- the driver ---------------------------------------------------------------------------------------------


async def seed(location: Path | str, jobs: int) -> int:
    """Nights with JOBS_PER_NIGHT posts due now each, over GUILDS guilds (every shard); how many nights."""
    store = await StateStore.open(location)
    try:
        nights = max(1, jobs // JOBS_PER_NIGHT)
        for n in range(nights):
            specs = [
                JobSpec("reminder", NOW - timedelta(seconds=1), offset_s=600 + k)
                for k in range(JOBS_PER_NIGHT)
            ]
            await store.create_night(
                guild_id=(n % GUILDS) << 22,
                channel_id=1,
                film=FILM,
                runtime_minutes=90,
                starts_at=NOW + timedelta(days=1),
                ends_at=NOW + timedelta(days=1, hours=2),
                timezone="UTC",
                role_id=None,
                note="",
                created_by=1,
                now=NOW - timedelta(minutes=1),
                jobs=specs,
            )
        return nights
    finally:
        await store.close()


def run_phase(
    location: Path | str, phase: str, procs: int, extra: list[str]
) -> tuple[float, list[dict[str, Any]]]:
    """Start `procs` workers, let them all go at once; the wall time and their results."""
    workers = []
    for index in range(procs):
        command = [sys.executable, "-m", "bench.state", "worker", "--db", str(location), "--phase", phase]
        command += ["--index", str(index), "--procs", str(procs), *extra]
        workers.append(subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
    for process in workers:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    began = time.perf_counter()
    for process in workers:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    results = []
    for process in workers:
        out, _ = process.communicate(timeout=600)
        assert process.returncode == 0, f"worker failed ({process.returncode})"
        results.append(json.loads(out.strip().splitlines()[-1]))
    return time.perf_counter() - began, results


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(location: Path | str, procs: int, args: argparse.Namespace) -> dict[str, float]:
    nights = asyncio.run(seed(location, args.jobs))
    wall, claimed = run_phase(location, "claims", procs, [])
    total = sum(r["claimed"] for r in claimed)
    assert total == nights * JOBS_PER_NIGHT, f"claimed {total} of {nights * JOBS_PER_NIGHT}"
    figures = {"claims_per_s": total / wall}
    for concurrency in (1, args.concurrency):
        extra = ["--nights", str(nights), "--clicks", str(args.clicks), "--concurrency", str(concurrency)]
        _, clicked = run_phase(location, "clicks", procs, extra)
        latencies = [v for r in clicked for v in r["latencies"]]
        figures[f"click_p50_ms@{concurrency}"] = percentile(latencies, 0.50) * 1000
        figures[f"click_p99_ms@{concurrency}"] = percentile(latencies, 0.99) * 1000
    return figures


def one_run(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder, postgres_server(BENCH_SETTINGS) as server:
        for backend, procs in SETUPS:
            name = f"{backend} x{procs}"
            if backend == "sqlite":
                location: Path | str = Path(folder) / f"state-{procs}.db"
            elif server is None:
                print(f"{name}: skipped (no PostgreSQL)")
                continue
            else:
                location = asyncio.run(server.create_database("bench"))
            figures[name] = measure(location, procs, args)
            print(f"  {name}: " + ", ".join(f"{k} {v:.1f}" for k, v in figures[name].items()), flush=True)
            if server is not None and backend == "postgresql":
                asyncio.run(server.drop_database(str(location)))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.state")
    sub = parser.add_subparsers(dest="command")
    work = sub.add_parser("worker")
    work.add_argument("--db", required=True)
    work.add_argument("--phase", choices=("claims", "clicks"), required=True)
    work.add_argument("--index", type=int, required=True)
    work.add_argument("--procs", type=int, required=True)
    work.add_argument("--nights", type=int, default=0)
    work.add_argument("--clicks", type=int, default=0)
    work.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--clicks", type=int, default=1000, help="per process")
    parser.add_argument("--concurrency", type=int, default=8, help="clicks in flight per process")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.command == "worker":
        asyncio.run(worker(args))
        return
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    runs = []
    for run in range(args.runs):
        print(f"run {run + 1} of {args.runs}", flush=True)
        runs.append(one_run(args))
    names = [name for name in runs[0]]
    median = {name: {k: statistics.median(r[name][k] for r in runs) for k in runs[0][name]} for name in names}
    floor = median.get("sqlite x1")
    flight = args.concurrency
    print(f"\nmedians of {args.runs} runs ({args.jobs} jobs; {args.clicks} clicks per process)")
    print(
        f"{'setup':<16}{'claims/s':>9}{'vs SQLite':>10}  {'click p50 / p99, 1 in flight':>30}"
        f"  {f'click p50 / p99, {flight} in flight':>30}  (per process)"
    )
    for name, v in median.items():
        ratio = f"{v['claims_per_s'] / floor['claims_per_s']:.2f}x" if floor else "-"
        one = f"{v['click_p50_ms@1']:.1f} / {v['click_p99_ms@1']:.1f} ms"
        many = f"{v[f'click_p50_ms@{flight}']:.1f} / {v[f'click_p99_ms@{flight}']:.1f} ms"
        print(f"{name:<16}{v['claims_per_s']:>9.0f}{ratio:>10}  {one:>30}  {many:>30}")
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "median": median}, indent=2))


if __name__ == "__main__":
    main()
