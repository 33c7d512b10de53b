"""The offline console in-process (the real bot and cogs against the offline Discord) on its own clock, with
knowledge databases built once per session: the bundled film, and the bundled film plus a second one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.console import Console, open_console
from bot.ingest.build import build
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday noon: "friday 20:00" is 2 days 8 hours on

Opener = Callable[..., Awaitable[Console]]


@pytest.fixture(scope="session")
def one_film_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("knowledge-one") / "knowledge.db"
    build(ROOT / "data" / "films", path)
    return path


@pytest.fixture(scope="session")
def two_films_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    films = tmp_path_factory.mktemp("films-two")
    (films / "the-perfection").symlink_to(ROOT / "data" / "films" / "the-perfection")
    (films / "whiplash").symlink_to(ROOT / "tests" / "fixtures" / "films" / "whiplash")
    path = tmp_path_factory.mktemp("knowledge-two") / "knowledge.db"
    build(films, path)
    return path


@pytest.fixture
async def opener(tmp_path: Path) -> AsyncIterator[Opener]:
    """open(knowledge_db, start=START) -> a Console on that knowledge and this test's state database."""
    opened: list[Console] = []

    async def open_one(knowledge_db: Path, *, start: datetime | None = START) -> Console:
        env = {"KNOWLEDGE_DB": str(knowledge_db), "STATE_DB": str(tmp_path / "state.db")}
        console = await open_console(Settings.from_env(env, dotenv=False), start=start)
        opened.append(console)
        return console

    yield open_one
    for console in opened:
        await console.close()


@pytest.fixture
async def console(opener: Opener, one_film_db: Path) -> Console:
    return await opener(one_film_db)
