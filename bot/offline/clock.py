"""A virtual clock shared between a test (or the console) and bot processes: time moves only when told to.

The driving side owns a `VirtualClock` and moves it (`advance`, `set`); every move is written to a file. A bot
process started with ``LOOPBACK_CLOCK=<that file>`` (see `bot.offline.redirect`) reads it through `FileClock`,
which implements `bot.clock.Clock`: `now()` is the file's time, and `sleep` returns once that time has
passed the deadline. So a test can jump a movie night's hours in one step, and wait for the post that follows.
"""

from __future__ import annotations

import asyncio
import os
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
    """The driving side: a time that stands still until `advance` or `set`, mirrored to `path`."""

    def __init__(self, path: Path | str, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self.path = Path(path)
        self._now = start.astimezone(UTC)
        _write(self.path, self._now)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        if moment < self._now:
            raise ValueError("a virtual clock never goes back")
        self._now = moment.astimezone(UTC)
        _write(self.path, self._now)

    def advance(self, delta: timedelta | float) -> datetime:
        """Move forward by `delta` (seconds or a timedelta); the new time."""
        self.set(self._now + (delta if isinstance(delta, timedelta) else timedelta(seconds=delta)))
        return self._now


class FileClock:
    """The bot side: `bot.clock.Clock` reading a `VirtualClock`'s file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def now(self) -> datetime:
        return _read(self.path)

    async def sleep(self, seconds: float) -> None:
        deadline = self.now() + timedelta(seconds=max(0.0, seconds))
        while self.now() < deadline:  # noqa: ASYNC110 - the time is another process's file
            await asyncio.sleep(POLL_SECONDS)
