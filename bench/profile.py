"""Where the bot's time goes under load: the interactions benchmark's mix, saturated, sampled with py-spy.

    python -m bench.profile [--seconds 5] [--library DIR]

Starts the real bot on the bundled film (or on DIR's films/ and knowledge.db, naming random films), keeps 100
interactions in flight, records the bot process with `py-spy record` (install it with `pip install py-spy`;
it is not a dependency of the bot) and prints the main thread's costliest frames, by own time and with their
callees. The README's account of the remaining cost comes from this.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench.interactions import FILMS_DIR, project_mix
from bench.library import mix, titles
from bench.load import SITECUSTOMIZE, BenchDiscord, phase
from bot.ingest.build import build, copy_database
from bot.offline.payloads import Context
from bot.offline.process import BotProcess


def summary(raw: Path, top: int = 25) -> str:
    """The main thread's frames from py-spy's raw (collapsed) output: own time, then time with callees."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if "bot/__main__.py" not in stack:
            continue  # another thread (aiosqlite's, the writer's): waiting, not working
        n = int(count)
        samples += n
        frames = stack.split(";")
        own[frames[-1]] += n
        for frame in set(frames):
            total[frame] += n
    lines = [f"main-thread samples: {samples}", "own time:"]
    lines += [f"  {n / samples:6.1%}  {frame}" for frame, n in own.most_common(top)]
    lines.append("with callees (the project's frames):")
    ours = [(f, n) for f, n in total.most_common() if ("(bot/" in f or "(cogs/" in f) and "__main__" not in f]
    lines += [f"  {n / samples:6.1%}  {frame}" for frame, n in ours[:top]]
    return "\n".join(lines)


def py_spy() -> str | None:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return found if Path(found).exists() else None


async def main_async(args: argparse.Namespace, spy: str) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as folder:
        tmp = Path(folder)
        films_dir = args.library / "films" if args.library else FILMS_DIR
        db = tmp / "knowledge.db"
        if args.library:
            copy_database(args.library / "knowledge.db", db)
        else:
            build(films_dir, db)
        async with BenchDiscord() as fake:
            guild = fake.add_guild("Film Club")
            env = {
                "STATE_DB": str(tmp / "state.db"),
                "KNOWLEDGE_DB": str(db),
                "FILMS_DIR": str(films_dir),
                "DEV_GUILD_ID": "",
                "SHARD_COUNT": "",
                "SHARD_IDS": "",
                "LOG_LEVEL": "INFO",
            }
            async with BotProcess(
                fake, SITECUSTOMIZE, module="bot", env=env, log_path=tmp / "bot.log"
            ) as bot:
                await bot.wait_ready(timeout=120)
                users = iter(fake.make_user(f"member{i}") for i in range(100_000))
                count = int(args.seconds * 1500) + 200
                if args.library:
                    rng, films = random.Random(1), titles(db)
                    jobs = [
                        mix(fake, Context.in_guild(fake, guild, user=next(users)), films, rng, i)
                        for i in range(count)
                    ]
                else:
                    jobs = [
                        project_mix(fake, Context.in_guild(fake, guild, user=next(users)), i)
                        for i in range(count)
                    ]
                await phase(fake, bot, jobs[:200], 100, None)
                raw = tmp / "profile.txt"
                command = [spy, "record", "--format", "raw", "-o", str(raw), "--pid", str(bot.pid)]
                command += ["--duration", str(int(args.seconds)), "--rate", "250"]
                recorder = await asyncio.create_subprocess_exec(
                    *command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
                measured = await phase(fake, bot, jobs[200:], 100, None)
                await recorder.wait()
                print(
                    f"saturated: {measured.throughput:.0f}/s, bot CPU {measured.bot_cpu_ms:.2f} ms an interaction, "
                    f"p99 {measured.p99_ms:.0f} ms"
                )
                print(summary(raw))
                if args.raw:
                    shutil.copyfile(raw, args.raw)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--library", type=Path, help="a folder with films/ and knowledge.db (bench.ingest --keep)"
    )
    parser.add_argument("--raw", type=Path, help="also keep py-spy's raw (collapsed) output here")
    spy = py_spy()
    if spy is None:
        print("py-spy is not installed: pip install py-spy", file=sys.stderr)
        return 2
    return asyncio.run(main_async(parser.parse_args(), spy))


if __name__ == "__main__":
    raise SystemExit(main())
