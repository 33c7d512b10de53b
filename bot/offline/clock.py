"""Virtual clocks: time moves only when told to. `VirtualClock`/`FileClock` share one between a test and bot
processes; `ManualClock` is one in-process clock (the offline console).

The driving side owns a `VirtualClock` and moves it (`advance`, `move_to`); every move is written to a file. A bot
process started with ``LOOPBACK_CLOCK=<that file>`` (see `bot.offline.redirect`) reads it through `FileClock`,
which implements `bot.clock.Clock`: `now()` is the file's time, and `sleep` returns once that time has
passed the deadline. So a test can jump a movie night's hours in one step, and wait for the post that follows.

A sleep is measured from the time it starts, so moving the clock while a process is about to sleep would be
lost on it. A sleeping FileClock therefore leaves a marker next to the file (``<file>.sleeping.<pid>.<n>``),
and the driving side waits until the processes it drives are asleep (`asleep`) before it moves the clock.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from pathlib import Path

POLL_SECONDS = 0.02  # how often a sleeping FileClock looks at the file (real time)


def _write(path: Path, moment: datetime) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(repr(moment.timestamp()), encoding="ascii")
    os.replace(temp, path)  # atomic: a reader never sees a half-written time


def _read(path: Path) -> datetime:
    return datetime.fromtimestamp(float(path.read_text(encoding="ascii")), UTC)


class VirtualClock:
    """The driving side: a time that stands still until `advance` or `move_to`, mirrored to `path`."""

    def __init__(self, path: Path | str, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self.path = Path(path)
        self._now = start.astimezone(UTC)
        _write(self.path, self._now)

    def now(self) -> datetime:
        return self._now

    def move_to(self, moment: datetime) -> None:
        if moment < self._now:
            raise ValueError("a virtual clock never goes back")
        self._now = moment.astimezone(UTC)
        _write(self.path, self._now)

    def advance(self, delta: timedelta | float) -> datetime:
        """Move forward by `delta` (seconds or a timedelta); the new time."""
        self.move_to(self._now + (delta if isinstance(delta, timedelta) else timedelta(seconds=delta)))
        return self._now

    def sleepers(self) -> set[int]:
        """The pids of processes asleep on this clock now (a killed process may leave a stale marker)."""
        found = set()
        for marker in self.path.parent.glob(f"{self.path.name}.sleeping.*"):
            pid = marker.name.split(".")[-2]
            if pid.isdigit():
                found.add(int(pid))
        return found

    def asleep(self, pids: Iterable[int]) -> bool:
        """Every one of these processes is asleep on this clock: moving it now wakes them as it should."""
        return set(pids) <= self.sleepers()


class FileClock:
    """The bot side: `bot.clock.Clock` reading a `VirtualClock`'s file.

    `sleep(seconds)` counts from the time the calling task last read (`now()`), not from the file's time when
    the sleep begins: a task works out how long to sleep from a `now()` it read, and the driving side may move
    the time in between (a jump of hours in one step); the sleep then still ends when the task meant it to.
    "Last read" is per task (a context variable), so another task reading the clock meanwhile changes nothing."""

    _numbers = itertools.count()

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._told: ContextVar[datetime | None] = ContextVar(f"told:{self.path}", default=None)

    def now(self) -> datetime:
        moment = _read(self.path)
        self._told.set(moment)
        return moment

    async def sleep(self, seconds: float) -> None:
        since = self._told.get() or self.now()
        deadline = since + timedelta(seconds=max(0.0, seconds))
        marker = self.path.with_name(f"{self.path.name}.sleeping.{os.getpid()}.{next(self._numbers)}")
        marker.write_text(repr(deadline.timestamp()), encoding="ascii")
        try:
            while self.now() < deadline:  # noqa: ASYNC110 - the time is another process's file
                await asyncio.sleep(POLL_SECONDS)
        finally:
            marker.unlink(missing_ok=True)


class ManualClock:
    """In one process (the console): `bot.clock.Clock` whose time moves only by `set`/`advance`; a sleeper
    wakes when the time passes its deadline. `sleeping` counts the tasks asleep on it (e.g. the scheduler)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._now = start.astimezone(UTC)
        self._sleepers: list[tuple[datetime, asyncio.Future[None]]] = []

    def now(self) -> datetime:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (self._now + timedelta(seconds=seconds), future)
        self._sleepers.append(entry)
        try:
            await future
        finally:
            if entry in self._sleepers:
                self._sleepers.remove(entry)

    @property
    def sleeping(self) -> int:
        return sum(1 for _, future in self._sleepers if not future.done())

    def set(self, moment: datetime) -> None:
        if moment < self._now:
            raise ValueError("the clock never goes back")
        self._now = moment.astimezone(UTC)
        for deadline, future in self._sleepers:
            if deadline <= self._now and not future.done():
                future.set_result(None)

    def advance(self, delta: timedelta | float) -> datetime:
        self.set(self._now + (delta if isinstance(delta, timedelta) else timedelta(seconds=delta)))
        return self._now
