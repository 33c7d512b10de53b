"""Fixtures: a FakeDiscord with one guild, the floor bot running against it, the OpenAPI spec."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.offline.model import FakeGuild
from bot.offline.process import BotProcess
from bot.offline.server import FakeDiscord

from . import SITECUSTOMIZE
from .openapi import OpenAPISpec, require_spec


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        server.add_guild("Film Club")
        yield server


@pytest.fixture
def guild(fake: FakeDiscord) -> FakeGuild:
    return next(iter(fake.guilds.values()))


@pytest.fixture
async def floor_bot(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """bench.floor_bot as a subprocess, logged in and READY (stopped with SIGTERM afterwards)."""
    async with BotProcess(
        fake, SITECUSTOMIZE, module="bench.floor_bot", log_path=tmp_path / "floor_bot.log"
    ) as bot:
        await bot.wait_ready()
        yield bot


@pytest.fixture(scope="session")
def openapi_spec() -> OpenAPISpec:
    return require_spec()
