"""Benchmarks only: point a bot subprocess at the offline Discord (see bot.offline.redirect). Inert without
LOOPBACK_DISCORD; put this directory on the subprocess's PYTHONPATH (BotProcess does).

With GC_TRACE=<file>, each process (the bot and its ingest workers) also appends to that file every pause of
the garbage collector over 3 ms and every full collection: `<pid> gen<n> <ms> ms, <collected> collected`."""

import gc
import os
import time
from typing import Any

from bot.offline.redirect import activate_from_env

activate_from_env()


def _trace_gc(path: str) -> None:
    out = open(path, "a", encoding="utf-8")  # open for the life of the process
    started = [0.0]

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
            return
        ms = 1000 * (time.perf_counter() - started[0])
        if ms > 3 or info["generation"] == 2:
            print(
                f"{os.getpid()} gen{info['generation']} {ms:.1f} ms, {info['collected']} collected", file=out
            )
            out.flush()

    gc.callbacks.append(note)


if os.environ.get("GC_TRACE"):
    _trace_gc(os.environ["GC_TRACE"])
