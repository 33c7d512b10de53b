"""The offline clocks: a sleep counts from the time its caller was told, whatever the driving side does in
between (FileClock), and the console's in-process clock wakes exactly the sleepers whose time has come."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.offline.clock import FileClock, ManualClock, VirtualClock

START = datetime(2031, 5, 1, 12, 0, tzinfo=UTC)


async def test_a_sleep_counts_from_the_time_its_caller_read(tmp_path: Path) -> None:
    clock = VirtualClock(tmp_path / "clock", START)
    reader = FileClock(tmp_path / "clock")
    delay = (START + timedelta(hours=32) - reader.now()).total_seconds()  # e.g. until tomorrow's reminder
    clock.move_to(START + timedelta(hours=32))  # the driver jumps there before the sleep begins
    await asyncio.wait_for(reader.sleep(delay), 5)  # over at once: not 32 hours after the jump


async def test_the_manual_clock_wakes_sleepers_whose_time_came() -> None:
    clock = ManualClock(START)
    short = asyncio.create_task(clock.sleep(60))
    long = asyncio.create_task(clock.sleep(3600))
    await asyncio.sleep(0)
    assert clock.sleeping == 2
    clock.advance(timedelta(minutes=2))
    await asyncio.wait_for(short, 1)
    assert not long.done() and clock.sleeping == 1
    long.cancel()
    with pytest.raises(asyncio.CancelledError):
        await long
    assert clock.sleeping == 0
    with pytest.raises(ValueError, match="never goes back"):
        clock.set(START)
    with pytest.raises(ValueError, match="timezone-aware"):
        ManualClock(datetime(2031, 5, 1))
