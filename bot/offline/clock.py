"""A virtual clock shared between a test (or the console) and bot processes: time moves only when told to.

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
    """The bot side: `bot.clock.Clock` reading a `VirtualClock`'s file."""

    _numbers = itertools.count()

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def now(self) -> datetime:
        return _read(self.path)

    async def sleep(self, seconds: float) -> None:
        deadline = self.now() + timedelta(seconds=max(0.0, seconds))
        marker = self.path.with_name(f"{self.path.name}.sleeping.{os.getpid()}.{next(self._numbers)}")
        marker.write_text(repr(deadline.timestamp()), encoding="ascii")
        try:
            while self.now() < deadline:  # noqa: ASYNC110 - the time is another process's file
                await asyncio.sleep(POLL_SECONDS)
        finally:
            marker.unlink(missing_ok=True)
