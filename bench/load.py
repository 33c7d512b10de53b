"""The load driver the benchmarks share: a FakeDiscord that resolves each interaction when its callback comes,
closed-loop (saturated) and open-loop (paced) phases against a bot process, their latency percentiles, errors
and the bot's CPU per interaction, and the machine they ran on. Used by bench.interactions, bench.library and
bench.profile."""

from __future__ import annotations

import asyncio
import gc
import json
import math
import os
import platform
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.offline.model import T_CALLBACK
from bot.offline.process import BotProcess
from bot.offline.routes.interactions import InteractionHandle
from bot.offline.server import FakeDiscord

SITECUSTOMIZE = Path(__file__).resolve().parent / "sitecustomize"


ANSWER_TIMEOUT = 10.0


EPHEMERAL = 1 << 6


class BenchDiscord(FakeDiscord):
    """FakeDiscord that resolves a future per interaction when its callback arrives.

    handle.wait() re-checks every waiter after every request (fine for tests, O(concurrency) per request here),
    which would make the driver, not the bot, the bottleneck at 100 in flight.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.answered: dict[int, asyncio.Future[None]] = {}

    def _notify(self) -> None:
        super()._notify()
        last = self._requests[-1] if self._requests else None
        if last is None or last.template != T_CALLBACK:
            return
        future = self.answered.get(int(last.params["interaction_id"]))
        if future is not None and not future.done():
            future.set_result(None)

    async def answer(self, payload: Mapping[str, Any]) -> InteractionHandle:
        """Dispatch an interaction and wait (bounded) for its callback; the handle either way."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.answered[int(payload["id"])] = future
        handle = await self.send_interaction(payload)
        try:
            if handle.callback is None:
                await asyncio.wait_for(future, ANSWER_TIMEOUT)
        except TimeoutError:
            pass
        finally:
            self.answered.pop(handle.id, None)
        return handle


Check = Callable[[InteractionHandle], bool]


def answered_with_embed(handle: InteractionHandle) -> bool:
    data = handle.response_data
    return handle.response_type == 4 and bool(data.get("embeds")) and not data.get("flags", 0) & EPHEMERAL


def answered_with_choices(handle: InteractionHandle) -> bool:
    return handle.response_type == 8 and bool(handle.response_data.get("choices"))


def answered_pong(handle: InteractionHandle) -> bool:
    return handle.response_type == 4 and handle.response_data.get("content") == "pong"


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a live process (all its threads), None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Phase:
    """One load phase against one bot: latency percentiles of the good interactions, and what went wrong."""

    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    throughput: float
    errors: int
    bot_cpu_ms: float  # the bot's CPU time per interaction
    bot_cpu_util: float  # the bot's CPU time / wall time (1.0 = one core busy)
    max_in_flight: int
    error_samples: list[str] = field(default_factory=list)
    p99_by_kind_ms: dict[str, float] = field(default_factory=dict)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of non-empty values."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


class Load:
    """Runs jobs against a BenchDiscord and keeps what the phase needs."""

    def __init__(self, fake: BenchDiscord, concurrency: int) -> None:
        self.fake = fake
        self.slots = asyncio.Semaphore(concurrency)
        self.in_flight = 0
        self.max_in_flight = 0
        self.latencies: list[tuple[str, float]] = []
        self.errors: list[str] = []

    async def one(self, kind: str, payload: dict[str, Any], check: Check) -> None:
        async with self.slots:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                handle = await self.fake.answer(payload)
            finally:
                self.in_flight -= 1
        callback = handle.callback
        if callback is None:
            status = handle.requests[-1].status if handle.requests else "none"
            self.errors.append(f"{kind}: no accepted callback (last status {status})")
        elif not check(handle):
            self.errors.append(f"{kind}: unexpected answer {json.dumps(callback.json)[:200]}")
        else:
            assert handle.latency is not None
            self.latencies.append((kind, handle.latency))


Job = tuple[str, dict[str, Any], Check]


async def saturate(load: Load, jobs: Sequence[Job]) -> None:
    """Closed loop: every finished interaction lets the next one go."""
    await asyncio.gather(*(load.one(*job) for job in jobs))


async def pace(load: Load, jobs: Sequence[Job], rate: float) -> None:
    """Open loop: one interaction every 1/rate s on a fixed schedule (slots permitting)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = []
    for i, job in enumerate(jobs):
        delay = start + i / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(load.one(*job)))
    await asyncio.gather(*tasks)


async def phase(
    fake: BenchDiscord, bot: BotProcess, jobs: Sequence[Job], concurrency: int, rate: float | None
) -> Phase:
    load = Load(fake, concurrency)
    # The driver's own garbage collection would stall FakeDiscord and show up as the bot's latency.
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        cpu_before = cpu_seconds(bot.pid) or 0.0
        started = time.perf_counter()
        await (saturate(load, jobs) if rate is None else pace(load, jobs, rate))
        wall = time.perf_counter() - started
        cpu = (cpu_seconds(bot.pid) or cpu_before) - cpu_before
    finally:
        gc.enable()
        gc.unfreeze()
    if bot.returncode is not None:
        load.errors.append(f"bot exited with {bot.returncode}: {bot.tail(10)}")
    values = [lat for _, lat in load.latencies] or [float("nan")]
    kinds: dict[str, list[float]] = {}
    for kind, lat in load.latencies:
        kinds.setdefault(kind, []).append(lat)
    return Phase(
        p50_ms=percentile(values, 50) * 1000,
        p95_ms=percentile(values, 95) * 1000,
        p99_ms=percentile(values, 99) * 1000,
        max_ms=max(values) * 1000,
        throughput=len(jobs) / wall,
        errors=len(load.errors),
        bot_cpu_ms=cpu / len(jobs) * 1000,
        bot_cpu_util=cpu / wall,
        max_in_flight=load.max_in_flight,
        error_samples=load.errors[:5],
        p99_by_kind_ms={k: percentile(v, 99) * 1000 for k, v in sorted(kinds.items())},
    )


def machine() -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.release()}"
    )
