"""Library benchmark: the real bot (`python -m bot`) on a large library, against the offline Discord.

    python -m bench.library --library DIR [--runs 3] [--rate 300] [--interactions 1500] [--adds 5]

DIR holds `films/` and `knowledge.db` (`python -m bench.ingest --sizes 1000 --keep /tmp/lib` makes
/tmp/lib/1000). Each run starts from a copy of the database and a state database at the newest schema (as a
restart finds it), and measures:
- start with nothing changed: process start to READY, and to the log line saying the library is in step
  (every film's source hash compared; nothing ingested);
- a paced load of `--rate` interactions/s (/movie, /cast name, /plot, /search in a film, autocomplete of
  `film`, each naming one of the library's films, chosen as members would: a few often, most rarely, by a
  Zipf law over a shuffled list) twice in one run: alone, then while `--adds` films are added
  with /film add (one a second, each in a server of its own). Each add's time runs from the command to the
  answer, less the time its document took to download from the offline CDN. The two phases' p99s are a pair;
- /search across the whole library (no film named), paced at `--rate`;
- the bot's peak RSS.
Medians of the runs, with the machine, are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.load import (
    SITECUSTOMIZE,
    BenchDiscord,
    Job,
    Phase,
    answered_with_choices,
    answered_with_embed,
    machine,
    phase,
)
from bot.ingest.build import copy_database
from bot.offline.model import EVERYONE_PERMISSIONS
from bot.offline.payloads import ATTACHMENT, Context, Option, autocomplete, slash_command
from bot.offline.process import REPO_ROOT, BotProcess
from bot.offline.routes.interactions import InteractionHandle
from bot.present.errors import GENERIC
from bot.storage.state import StateStore

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "films"
ADDED = [
    ("alien", "wikipedia.txt"),
    ("arrival", "wikipedia.txt"),
    ("hereditary", "wikipedia.txt"),
    ("get-out", "wikipedia.txt"),
    ("whiplash", "wikipedia.txt"),
    ("knives-out", "cinewiki-knives-out.html"),
    ("parasite", "movie-faq.txt"),
    ("gone-girl", "moviefacts-fansite.txt"),
]
NAMES = ("Williams", "Weaver", "Ripley", "Adams", "Simmons", "Teller", "Craig", "Pike", "Anton", "Lizzie")
WORDS = ("cello", "Netflix", "spaceship", "drummer", "premiere", "music school", "detective", "ending")
MANAGE_SERVER = 1 << 5
READY_TIMEOUT = 120.0
IN_STEP = "library in step"


@dataclass
class Run:
    ready_s: float
    in_step_s: float
    alone: Phase
    during: Phase
    adds_ms: list[float]
    search: Phase
    rss_mib: float
    errors: list[str] = field(default_factory=list)


def answered(handle: InteractionHandle) -> bool:
    """A message that is not the "something went wrong" apology (a name not in the cast is a fine answer)."""
    data = handle.response_data
    return handle.response_type == 4 and GENERIC not in (data.get("content") or "")


def titles(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [row[0] for row in conn.execute("SELECT title FROM films WHERE guild_id IS NULL")]
    finally:
        conn.close()


def popular(films: list[str], rng: random.Random) -> str:
    """A film as members pick them: a few often (this week's, the next ones), most now and then (Zipf, s=1)."""
    rank = min(int(len(films) ** rng.random()) - 1, len(films) - 1)
    return films[rank]


def mix(fake: BenchDiscord, ctx: Context, films: list[str], rng: random.Random, i: int) -> Job:
    ids = {c["name"]: c["id"] for c in fake.commands()}
    film = popular(films, rng)
    kind = i % 5
    if kind == 0:
        return (
            "/movie",
            slash_command(ctx, "movie", {"film": film}, command_id=ids["movie"]),
            answered_with_embed,
        )
    if kind == 1:  # a name that may or may not be in that film's cast: an answer either way
        options = {"name": rng.choice(NAMES), "film": film}
        return "/cast name", slash_command(ctx, "cast", options, command_id=ids["cast"]), answered
    if kind == 2:
        return (
            "/plot",
            slash_command(ctx, "plot", {"film": film}, command_id=ids["plot"]),
            answered_with_embed,
        )
    if kind == 3:
        options = {"query": rng.choice(WORDS), "film": film}
        return "/search", slash_command(ctx, "search", options, command_id=ids["search"]), answered_with_embed
    typed = film[: rng.randint(2, 6)]
    payload = autocomplete(ctx, "movie", {"film": typed}, "film", command_id=ids["movie"])
    return "autocomplete film", payload, answered_with_choices


def library_search(fake: BenchDiscord, ctx: Context, rng: random.Random) -> Job:
    command = fake.command("search")["id"]
    query = f"{rng.choice(WORDS)} {rng.choice(NAMES)}" if rng.random() < 0.5 else rng.choice(WORDS)
    return (
        "/search (library)",
        slash_command(ctx, "search", {"query": query}, command_id=command),
        answered_with_embed,
    )


async def add_film(fake: BenchDiscord, guild: Any, film: str, name: str) -> float:
    """/film add in its own server; ms from the command to the answer, less the download."""
    user = fake.make_user("admin")
    ctx = Context.in_guild(fake, guild, user=user, permissions=EVERYONE_PERMISSIONS | MANAGE_SERVER)
    attachment = fake.add_attachment(
        int(guild.text_channel["id"]), name, (FIXTURES / film / name).read_bytes()
    )
    options = {"document": Option(attachment, ATTACHMENT), "title": film.replace("-", " ").title()}
    payload = slash_command(ctx, "film", options, subcommand="add", command_id=fake.command("film")["id"])
    handle = await fake.send_interaction(payload)
    await fake.wait_until(lambda: bool(handle.followups), 60, "the answer to /film add")
    answered = next(r.time for r in handle.requests if r.template and "webhooks" in r.template)
    download = fake.download_times.get(int(attachment["id"]), (0.0, 0.0))
    started = handle.dispatched_at or handle.created_at
    return (answered - started - (download[1] - download[0])) * 1000


async def measure(library: Path, tmp: Path, args: argparse.Namespace, seed: int) -> Run:
    rng = random.Random(seed)
    db = tmp / "knowledge.db"
    copy_database(library / "knowledge.db", db)
    films = titles(db)
    random.Random(seed + 1000).shuffle(films)
    await (await StateStore.open(tmp / "state.db")).close()  # as the previous run left it: nothing to migrate
    async with BenchDiscord() as fake:
        guild = fake.add_guild("Film Club")
        add_guilds = [fake.add_guild(f"Adders {i}") for i in range(args.adds)]
        env = {
            "STATE_DB": str(tmp / "state.db"),
            "KNOWLEDGE_DB": str(db),
            "FILMS_DIR": str(library / "films"),
            "DEV_GUILD_ID": "",
            "SHARD_COUNT": "",
            "SHARD_IDS": "",
            "LOG_LEVEL": "INFO",
        }
        async with BotProcess(fake, SITECUSTOMIZE, module="bot", env=env, log_path=tmp / "bot.log") as bot:
            await bot.wait_ready(timeout=READY_TIMEOUT)
            assert bot.started_at is not None
            ready_s = max(s.ready_at or 0.0 for s in fake.sessions) - bot.started_at
            await fake.wait_until(lambda: IN_STEP in bot.output(), READY_TIMEOUT, "the library in step")
            in_step_s = time.monotonic() - bot.started_at
            n = args.interactions
            users = iter(fake.make_user(f"member{i}") for i in range(10 * n + 1000))
            jobs = [
                mix(fake, Context.in_guild(fake, guild, user=next(users)), films, rng, i)
                for i in range(3 * n + 200)
            ]
            await phase(fake, bot, jobs[:200], 100, args.rate)  # warm-up, not counted
            alone = await phase(fake, bot, jobs[200 : 200 + n], 100, args.rate)
            adds: list[float] = []

            async def adding() -> None:
                for i, guild_ in enumerate(add_guilds):
                    await asyncio.sleep(1.0 if i else 0.3)
                    adds.append(await add_film(fake, guild_, *ADDED[i % len(ADDED)]))

            try:
                during, _ = await asyncio.gather(
                    phase(fake, bot, jobs[200 + n : 200 + 2 * n], 100, args.rate), adding()
                )
            except Exception:
                print(bot.tail(60), file=sys.stderr)
                raise
            searches = [
                library_search(fake, Context.in_guild(fake, guild, user=next(users)), rng) for _ in range(n)
            ]
            search = await phase(fake, bot, searches, 100, args.rate)
            rss = (bot.sample_rss() or 0) / 1024
    return Run(ready_s, in_step_s, alone, during, adds, search, rss)


def med(values: list[float]) -> float:
    return float(statistics.median(values))


def report(runs: list[Run], args: argparse.Namespace, library: Path) -> None:
    n_films = len(titles(library / "knowledge.db"))
    print(f"\nmachine: {machine()}")
    print(f"library: {n_films} films; {len(runs)} run(s), medians; paced at {args.rate:.0f} interactions/s")
    print(f"  process start to READY, nothing changed:  {med([r.ready_s for r in runs]):.2f} s")
    print(f"  process start to 'library in step':       {med([r.in_step_s for r in runs]):.2f} s")
    adds = [a for r in runs for a in r.adds_ms]
    if adds:
        print(
            f"  /film add, command to answer less download: median {med(adds):.0f} ms, max {max(adds):.0f} ms "
            f"({len(adds)} adds)"
        )
    for label, key in (("alone", "alone"), ("while films are added", "during")):
        phases = [getattr(r, key) for r in runs]
        kinds = sorted({k for p in phases for k in p.p99_by_kind_ms})
        per_kind = ", ".join(f"{k} {med([p.p99_by_kind_ms.get(k, 0.0) for p in phases]):.1f}" for k in kinds)
        print(
            f"  other commands {label}: p50 {med([p.p50_ms for p in phases]):.1f} / p99 "
            f"{med([p.p99_ms for p in phases]):.1f} ms, errors {sum(p.errors for p in phases)}; p99 by kind: {per_kind}"
        )
    print(
        f"  /search across the library: p50 {med([r.search.p50_ms for r in runs]):.1f} / p99 "
        f"{med([r.search.p99_ms for r in runs]):.1f} ms, errors {sum(r.search.errors for r in runs)}"
    )
    print(f"  peak RSS of the bot: {med([r.rss_mib for r in runs]):.1f} MiB")
    for i, r in enumerate(runs, 1):
        samples = r.alone.error_samples + r.during.error_samples + r.search.error_samples
        print(
            f"run {i}: ready {r.ready_s:.2f} s, adds {[round(a) for a in r.adds_ms]} ms, "
            f"p99 alone {r.alone.p99_ms:.1f} / during {r.during.p99_ms:.1f} / search {r.search.p99_ms:.1f} ms, "
            f"RSS {r.rss_mib:.0f} MiB" + "".join(f"\n    error: {s}" for s in samples)
        )


async def main_async(args: argparse.Namespace) -> int:
    runs = []
    for n in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench-library-") as tmp:
            run = await measure(args.library, Path(tmp), args, seed=n)
            runs.append(run)
            print(
                f"run {n + 1}/{args.runs}: ready {run.ready_s:.2f} s, adds {[round(a) for a in run.adds_ms]} ms",
                file=sys.stderr,
            )
    report(runs, args, args.library)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.library", description=__doc__.split("\n\n")[0])
    parser.add_argument("--library", type=Path, required=True, help="a folder with films/ and knowledge.db")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--interactions", type=int, default=1500, help="per phase")
    parser.add_argument("--adds", type=int, default=5)
    args = parser.parse_args()
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
