"""Fixtures for the cog tests: `loop`, the whole bot in-process against the loopback Discord (tests/cogs/loop.py);
`env`, /movienight against a recording REST layer (tests/cogs/nights_env.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.cogs.loop import Loop, open_loop
from tests.cogs.nights_env import NOW, Env, close_env, make_env
from tests.fakes import (
    PERFECTION,
    FakeClock,
    FakeKnowledge,
)


@pytest.fixture
async def loop(tmp_path: Path) -> AsyncIterator[Loop]:
    async for opened in open_loop(tmp_path):
        yield opened


@pytest.fixture
async def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Env]:
    made = await make_env(tmp_path, monkeypatch, FakeKnowledge([PERFECTION]), FakeClock(NOW))
    yield made
    await close_env(made)
