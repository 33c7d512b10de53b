"""Interaction benchmark: the real bot and the floor bot as subprocesses, driven over a loopback FakeDiscord.

    python -m bench.interactions [--interactions 2000] [--concurrency 100] [--runs 3] [--warmup 200] [--json PATH]

Each run ingests the bundled corpus (timed), then for each of the two bots -- the project (`python -m bot`) and
the floor (`python -m bench.floor_bot`, the smallest useful discord.py bot answering /ping with a constant) --
starts a FakeDiscord in this process and the bot as a subprocess with a fresh state database, times process
start to READY, sends `--warmup` interactions that are not counted, then `--interactions` more with at most
`--concurrency` in flight (a closed loop: each finished interaction lets the next one go). The project gets a
mix of /movie, /cast name:..., /plot, /search query:... and autocomplete of `film` and `name`; the floor gets
/ping. Every interaction comes from its own member, so the bot's per-user cooldown never applies.

Latency is FakeDiscord's own clock: from the moment INTERACTION_CREATE was written to the bot's websocket to
the moment the bot's callback request arrived. An error is an interaction with no callback within 10 s, a
callback Discord would refuse (e.g. after the 3 s deadline), or a wrong answer (an error message, no choices).
Peak RSS is the bot's VmHWM. The driver (FakeDiscord and the load) shares the machine with the bot.

Medians of the runs are printed with the project's figures as ratios to the floor's, and checked against the
targets: p99 < 50 ms at 100 concurrent, >= 300 interactions/s, no errors, peak RSS < 120 MB, every command kind's
saturated p99 within 1.5x of the others', and the bot's CPU per interaction within 1.5x of the floor's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.load import (
    SITECUSTOMIZE,
    BenchDiscord,
    Check,
    Phase,
    answered_pong,
    answered_with_choices,
    answered_with_embed,
    machine,
    phase,
)
from bot.ingest.build import build
from bot.offline.payloads import Context, autocomplete, slash_command
from bot.offline.process import REPO_ROOT, BotProcess
from bot.offline.server import FakeDiscord

FILMS_DIR = REPO_ROOT / "data" / "films"
READY_TIMEOUT = 60.0

CAST_NAMES = ("Paloma", "Anton", "Lizzie", "Charlotte", "Theis", "Geoffrey", "Zhang Li", "Allison Williams")
QUERIES = ("cello", "Netflix", "Shanghai", "Bachoff", "music school", "Richard Shepard")
FILM_PREFIXES = ("", "perf", "the p", "perfection")
NAME_PREFIXES = ("liz", "palo", "an", "char", "weber")

TARGETS = {
    "p99_ms": 50.0,
    "throughput": 300.0,
    "errors": 0,
    "rss_mib": 120.0,
    "kind_spread": 1.5,
    "cpu_ratio": 1.5,
}


# ----------------------------------------------------------------------------------------------- workloads


def project_mix(fake: FakeDiscord, ctx: Context, i: int) -> tuple[str, dict[str, Any], Check]:
    """The i-th interaction of the project's mix: six kinds in turn."""
    ids = {c["name"]: c["id"] for c in fake.commands()}
    kind = i % 6
    if kind == 0:
        return "/movie", slash_command(ctx, "movie", command_id=ids["movie"]), answered_with_embed
    if kind == 1:
        name = CAST_NAMES[i % len(CAST_NAMES)]
        payload = slash_command(ctx, "cast", {"name": name}, command_id=ids["cast"])
        return "/cast name", payload, answered_with_embed
    if kind == 2:
        return "/plot", slash_command(ctx, "plot", command_id=ids["plot"]), answered_with_embed
    if kind == 3:
        query = QUERIES[i % len(QUERIES)]
        return (
            "/search",
            slash_command(ctx, "search", {"query": query}, command_id=ids["search"]),
            answered_with_embed,
        )
    if kind == 4:
        current = FILM_PREFIXES[i % len(FILM_PREFIXES)]
        payload = autocomplete(ctx, "movie", {"film": current}, "film", command_id=ids["movie"])
        return "autocomplete film", payload, answered_with_choices
    current = NAME_PREFIXES[i % len(NAME_PREFIXES)]
    payload = autocomplete(ctx, "cast", {"name": current}, "name", command_id=ids["cast"])
    return "autocomplete name", payload, answered_with_choices


def floor_mix(fake: FakeDiscord, ctx: Context, i: int) -> tuple[str, dict[str, Any], Check]:
    return "/ping", slash_command(ctx, "ping", command_id=fake.command("ping")["id"]), answered_pong


@dataclass(frozen=True)
class Target:
    name: str
    module: str
    mix: Callable[[FakeDiscord, Context, int], tuple[str, dict[str, Any], Check]]


PROJECT = Target("bot", "bot", project_mix)
FLOOR = Target("floor", "bench.floor_bot", floor_mix)


# ----------------------------------------------------------------------------------------------- measuring


@dataclass
class Result:
    target: str
    saturated: Phase  # closed loop: always `concurrency` in flight
    paced: Phase  # open loop: `rate` per second offered, at most `concurrency` in flight
    rss_mib: float
    ready_s: float


async def measure(target: Target, knowledge_db: Path, tmp: Path, args: argparse.Namespace) -> Result:
    async with BenchDiscord() as fake:
        guild = fake.add_guild("Film Club")
        env = {
            "STATE_DB": str(tmp / f"{target.name}-state.db"),
            "KNOWLEDGE_DB": str(knowledge_db),
            "FILMS_DIR": str(FILMS_DIR),
            "DEV_GUILD_ID": "",
            "SHARD_COUNT": "",
            "SHARD_IDS": "",
            "LOG_LEVEL": "INFO",  # the default
        }
        async with BotProcess(
            fake, SITECUSTOMIZE, module=target.module, env=env, log_path=tmp / f"{target.name}.log"
        ) as bot:
            await bot.wait_ready(timeout=READY_TIMEOUT)
            assert bot.started_at is not None
            ready_s = max(s.ready_at or 0.0 for s in fake.sessions) - bot.started_at
            n, warmup = args.interactions, args.warmup
            users = (fake.make_user(f"member{i}") for i in range(warmup + 2 * n))
            # Every interaction from its own member: the per-user cooldown never applies.
            jobs = [
                target.mix(fake, Context.in_guild(fake, guild, user=user), i) for i, user in enumerate(users)
            ]
            if warmup:
                await phase(fake, bot, jobs[:warmup], args.concurrency, None)
            saturated = await phase(fake, bot, jobs[warmup : warmup + n], args.concurrency, None)
            paced = await phase(fake, bot, jobs[warmup + n :], args.concurrency, args.rate)
            rss_kib = bot.sample_rss() or 0
        return Result(target.name, saturated, paced, rss_kib / 1024, ready_s)


# ----------------------------------------------------------------------------------------------- reporting

PHASE_ROWS = (
    ("p50 latency (ms)", "p50_ms", "{:.1f}"),
    ("p95 latency (ms)", "p95_ms", "{:.1f}"),
    ("p99 latency (ms)", "p99_ms", "{:.1f}"),
    ("max latency (ms)", "max_ms", "{:.1f}"),
    ("throughput (interactions/s)", "throughput", "{:.0f}"),
    ("errors", "errors", "{:.0f}"),
    ("bot CPU per interaction (ms)", "bot_cpu_ms", "{:.2f}"),
    ("bot CPU use (cores)", "bot_cpu_util", "{:.2f}"),
    ("most in flight", "max_in_flight", "{:.0f}"),
)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def table(title: str, bot: Sequence[Phase], floor: Sequence[Phase]) -> dict[str, dict[str, float]]:
    print(f"\n{title}")
    print(f"  {'':30} {'bot':>10} {'floor':>10} {'bot/floor':>10}")
    medians: dict[str, dict[str, float]] = {"bot": {}, "floor": {}}
    for label, key, fmt in PHASE_ROWS:
        b = median([getattr(p, key) for p in bot])
        f = median([getattr(p, key) for p in floor])
        medians["bot"][key], medians["floor"][key] = b, f
        ratio = f"{b / f:.2f}x" if f else "-"
        print(f"  {label:30} {fmt.format(b):>10} {fmt.format(f):>10} {ratio:>10}")
    kinds = sorted({k for p in bot for k in p.p99_by_kind_ms})
    per_kind = ", ".join(f"{k} {median([p.p99_by_kind_ms.get(k, math.nan) for p in bot]):.1f}" for k in kinds)
    print(f"  bot p99 by kind (ms): {per_kind}")
    return medians


def report(runs: list[dict[str, Result]], ingest_s: list[float], args: argparse.Namespace) -> dict[str, Any]:
    bot = [r["bot"] for r in runs]
    floor = [r["floor"] for r in runs]
    print()
    print(f"machine: {machine()}")
    print(
        f"workload: per bot and run {args.warmup} warm-up interactions (not counted), then {args.interactions} "
        f"saturated and {args.interactions} paced; {len(runs)} run(s), medians of the runs"
    )
    saturated = table(
        f"saturated: always {args.concurrency} in flight (closed loop)",
        [r.saturated for r in bot],
        [r.saturated for r in floor],
    )
    paced = table(
        f"paced: {args.rate:.0f} interactions/s offered, at most {args.concurrency} in flight (open loop)",
        [r.paced for r in bot],
        [r.paced for r in floor],
    )
    print()
    process: dict[str, dict[str, float]] = {"bot": {}, "floor": {}}
    for label, key, fmt in (
        ("peak RSS (MiB)", "rss_mib", "{:.1f}"),
        ("process start to READY (s)", "ready_s", "{:.2f}"),
    ):
        b, f = median([getattr(r, key) for r in bot]), median([getattr(r, key) for r in floor])
        process["bot"][key], process["floor"][key] = b, f
        print(f"  {label:30} {fmt.format(b):>10} {fmt.format(f):>10} {b / f:>9.2f}x")
    ingest_ms = median(ingest_s) * 1000
    print(f"  {'ingest, bundled corpus (ms)':30} {ingest_ms:>10.0f}")
    print()
    for i, run in enumerate(runs, 1):
        for name in ("bot", "floor"):
            r = run[name]
            for label, p in (("saturated", r.saturated), ("paced", r.paced)):
                print(
                    f"run {i} {name:5} {label:9}: p50 {p.p50_ms:6.1f}  p95 {p.p95_ms:6.1f}  p99 {p.p99_ms:6.1f} ms  "
                    f"{p.throughput:5.0f}/s  errors {p.errors}  bot CPU {p.bot_cpu_ms:.2f} ms/int"
                )
                for sample in p.error_samples:
                    print(f"      error: {sample}")
            print(f"run {i} {name:5} RSS {r.rss_mib:.1f} MiB, ready {r.ready_s:.2f} s")
    print()
    rss_mb = process["bot"]["rss_mib"] * 1.048576
    kinds = sorted({k for r in bot for k in r.saturated.p99_by_kind_ms})
    by_kind = {k: median([r.saturated.p99_by_kind_ms.get(k, math.nan) for r in bot]) for k in kinds}
    spread = max(by_kind.values()) / min(by_kind.values()) if by_kind else math.nan
    cpu_ratio = saturated["bot"]["bot_cpu_ms"] / saturated["floor"]["bot_cpu_ms"]
    print(f"saturated p99 spread between command kinds (slowest / fastest): {spread:.2f}x")
    print(f"bot CPU per interaction / floor's (saturated): {cpu_ratio:.2f}x")
    verdicts = {
        f"every kind's p99 within {TARGETS['kind_spread']}x of the others' (saturated)": spread
        <= TARGETS["kind_spread"],
        f"bot CPU per interaction within {TARGETS['cpu_ratio']}x of the floor's": cpu_ratio
        <= TARGETS["cpu_ratio"],
        f"p99 < {TARGETS['p99_ms']:.0f} ms, saturated at {args.concurrency}": saturated["bot"]["p99_ms"]
        < TARGETS["p99_ms"],
        f"p99 < {TARGETS['p99_ms']:.0f} ms, paced at {args.rate:.0f}/s": paced["bot"]["p99_ms"]
        < TARGETS["p99_ms"],
        f">= {TARGETS['throughput']:.0f} interactions/s (saturated)": saturated["bot"]["throughput"]
        >= TARGETS["throughput"],
        "zero errors": all(r.saturated.errors == 0 and r.paced.errors == 0 for r in bot),
        f"peak RSS < {TARGETS['rss_mib']:.0f} MB": rss_mb < TARGETS["rss_mib"],
    }
    for name, ok in verdicts.items():
        print(f"target {name}: {'met' if ok else 'MISSED'}")
    little = args.concurrency / saturated["bot"]["throughput"] * 1000
    print(
        f"note: with {args.concurrency} always in flight, mean latency = {args.concurrency} / throughput "
        f"(Little's law) = {little:.0f} ms here; a saturated p99 under {TARGETS['p99_ms']:.0f} ms needs more than "
        f"{args.concurrency / TARGETS['p99_ms'] * 1000:.0f} interactions/s."
    )
    summary = {
        "machine": machine(),
        "args": vars(args),
        "ingest_ms_median": ingest_ms,
        "saturated": saturated,
        "paced": paced,
        "process": process,
        "targets_met": verdicts,
        "runs": [{k: asdict(v) for k, v in run.items()} for run in runs],
    }
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


async def main_async(args: argparse.Namespace) -> int:
    runs: list[dict[str, Result]] = []
    ingest_s: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-interactions-") as folder:
        for n in range(args.runs):
            tmp = Path(folder) / f"run{n}"
            tmp.mkdir()
            knowledge_db = tmp / "knowledge.db"
            started = time.perf_counter()
            build(FILMS_DIR, knowledge_db)
            ingest_s.append(time.perf_counter() - started)
            run: dict[str, Result] = {}
            order = (FLOOR, PROJECT) if n % 2 == 0 else (PROJECT, FLOOR)  # neither always goes first
            for target in order:
                result = run[target.name] = await measure(target, knowledge_db, tmp, args)
                print(
                    f"run {n + 1}/{args.runs} {target.name:5}: saturated p99 {result.saturated.p99_ms:.1f} ms "
                    f"{result.saturated.throughput:.0f}/s, paced p99 {result.paced.p99_ms:.1f} ms, errors "
                    f"{result.saturated.errors + result.paced.errors}",
                    file=sys.stderr,
                )
            runs.append(run)
    summary = report(runs, ingest_s, args)
    return 0 if all(summary["targets_met"].values()) else 1


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.interactions", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--interactions", type=int, default=2000, help="measured interactions per bot and run"
    )
    parser.add_argument("--concurrency", type=int, default=100, help="interactions in flight at once")
    parser.add_argument("--runs", type=int, default=3, help="repetitions (medians are reported)")
    parser.add_argument("--warmup", type=int, default=200, help="interactions before measuring (not counted)")
    parser.add_argument("--rate", type=float, default=300.0, help="interactions/s offered in the paced phase")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    if min(args.interactions, args.concurrency, args.runs) < 1 or args.warmup < 0 or args.rate <= 0:
        parser.error(
            "--interactions, --concurrency, --runs and --rate must be positive, --warmup not negative"
        )
    return args


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
