"""Fixtures for the cog tests: `loop`, the whole bot in-process against the loopback Discord (tests/cogs/loop.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.cogs.loop import Loop, open_loop


@pytest.fixture
async def loop(tmp_path: Path) -> AsyncIterator[Loop]:
    async for opened in open_loop(tmp_path):
        yield opened
