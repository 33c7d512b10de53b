"""The offline console in-process (the real bot and cogs against the offline Discord) on its own clock, with
knowledge databases built once per session: the bundled film, and the bundled film plus a second one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.console import Console, open_console
from bot.ingest.build import build, copy_database
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday noon: "friday 20:00" is 2 days 8 hours on

Opener = Callable[..., Awaitable[Console]]


@pytest.fixture(scope="session")
def one_film_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled film's knowledge database, beside its films folder (`films`, what FILMS_DIR names)."""
    folder = tmp_path_factory.mktemp("knowledge-one")
    (folder / "films").symlink_to(ROOT / "data" / "films")
    build(folder / "films", folder / "knowledge.db")
    return folder / "knowledge.db"


@pytest.fixture(scope="session")
def two_films_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("knowledge-two")
    films = folder / "films"
    films.mkdir()
    (films / "the-perfection").symlink_to(ROOT / "data" / "films" / "the-perfection")
    (films / "whiplash").symlink_to(ROOT / "tests" / "fixtures" / "films" / "whiplash")
    build(films, folder / "knowledge.db")
    return folder / "knowledge.db"


@pytest.fixture
async def opener(tmp_path: Path) -> AsyncIterator[Opener]:
    """open(knowledge_db, start=START) -> a Console on a copy of that knowledge (the bot writes to it), with its
    films folder as FILMS_DIR, and this test's state database."""
    opened: list[Console] = []

    async def open_one(knowledge_db: Path, *, start: datetime | None = START) -> Console:
        copy = tmp_path / f"knowledge-{len(opened)}.db"
        copy_database(knowledge_db, copy)
        env = {
            "KNOWLEDGE_DB": str(copy),
            "FILMS_DIR": str(knowledge_db.parent / "films"),
            "STATE_DB": str(tmp_path / "state.db"),
        }
        console = await open_console(Settings.from_env(env, dotenv=False), start=start)
        opened.append(console)
        return console

    yield open_one
    for console in opened:
        await console.close()


@pytest.fixture
async def console(opener: Opener, one_film_db: Path) -> Console:
    return await opener(one_film_db)
