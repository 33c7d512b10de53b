"""Migrations on both backends: the tables in code are the migrated schema, unknown (newer) revisions are
refused, processes opening a fresh database together migrate it once, and the migrations ship as package data."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.state import StateError, StateStore
from bot.storage.state.base import metadata
from bot.storage.state.versioning import HEADS, MIGRATIONS, head_revisions, script

ROOT = Path(__file__).resolve().parents[2]


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_the_tables_in_code_are_the_migrated_schema(store: StateStore) -> None:
    async def work(conn: AsyncConnection) -> list[object]:
        return await conn.run_sync(_differences)

    assert await store.db.read(work) == []
    assert await store.schema_revision() == head_revisions()


async def test_a_revision_from_a_newer_bot_is_refused(state_location: Path | str) -> None:
    store = await StateStore.open(state_location)

    async def work(conn: AsyncConnection, maybe_committed: bool) -> None:
        await conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))

    await store.db.write(work)
    await store.close()
    with pytest.raises(StateError, match=r"9999_from_the_future.*newer version"):
        await StateStore.open(state_location)


async def test_processes_opening_a_fresh_database_together_migrate_it_once(
    state_location: Path | str,
) -> None:
    stores = await asyncio.gather(*(StateStore.open(state_location) for _ in range(4)))
    try:
        for store in stores:
            assert await store.schema_revision() == head_revisions()
        await stores[0].set_meta("k", "v")
        assert await stores[3].get_meta("k") == "v"
    finally:
        for store in stores:
            await store.close()


def test_the_history_starts_at_one_baseline() -> None:
    revisions = list(script().walk_revisions())
    assert revisions[-1].revision == "0001_baseline" and revisions[-1].down_revision is None
    assert len(script().get_bases()) == 1


def test_migrations_are_package_data() -> None:
    """A non-editable install ships env.py, the template and every version (packages + package-data)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "script.py.mako" in config["package-data"]["bot.storage.state.migrations"]
    assert any("bot*" == pattern for pattern in config["packages"]["find"]["include"])
    for folder in (MIGRATIONS, MIGRATIONS / "versions"):
        assert (folder / "__init__.py").is_file(), f"{folder} must be a package to be installed"
    assert (MIGRATIONS / "env.py").is_file() and (MIGRATIONS / "script.py.mako").is_file()


def test_heads_names_every_head_of_the_migrations() -> None:
    assert HEADS == head_revisions()  # a new migration: add it to HEADS (what a start at the newest trusts)


@pytest.mark.slow  # processes
async def test_a_database_at_the_newest_revision_opens_without_loading_alembic(
    state_location: Path | str,
) -> None:
    """The first open migrates (Alembic); the next ones, with nothing to do, only read the revision."""
    opened = (
        "import asyncio, sys\n"
        "from bot.storage.state import StateStore\n"
        "async def main():\n"
        "    store = await StateStore.open(sys.argv[1])\n"
        "    print(await store.get_meta('k'), 'alembic' in sys.modules)\n"
        "    await store.close()\n"
        "asyncio.run(main())\n"
    )

    def run() -> str:
        done = subprocess.run(
            [sys.executable, "-c", opened, str(state_location)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        return done.stdout.strip()

    assert run() == "None True"  # a fresh database: migrated with Alembic
    store = await StateStore.open(state_location)
    await store.set_meta("k", "v")
    await store.close()
    assert run() == "v False"
