"""`python -m bot.state`: look after the state database.

    python -m bot.state migrate --to postgresql://user@host:5432/db [--from data/state.db]
        copy a SQLite state (default: STATE_DB) into PostgreSQL: verified counts, safe to run twice, refused
        when the target already holds other data
    python -m bot.state status [--db LOCATION]
        backend, schema revision and row counts (default: STATE_DB)
    python -m bot.state upgrade [--db LOCATION]
        apply pending migrations now (the bot also does it when it starts)
    python -m bot.state revision -m "watchlist" [--autogenerate]
        write a new migration (developers); --autogenerate diffs the tables against a database at head

Exit codes: 0 done, 1 refused or failed, 2 bad arguments or configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bot.settings import Settings, SettingsError
from bot.storage.dsn import is_dsn, mask, parse_state_db
from bot.storage.errors import StateError, StateUnavailable

log = logging.getLogger(__name__)


def _location(raw: str | None) -> Path | str:
    if raw is None:
        return Settings.from_env().state_db
    return parse_state_db(raw)


async def _migrate(source: Path | str, target: Path | str) -> int:
    from bot.storage.state import StateStore
    from bot.storage.state.transfer import copy_state

    origin = await StateStore.open(source)
    try:
        destination = await StateStore.open(target)
        try:
            report = await copy_state(origin, destination)
        finally:
            await destination.close()
    finally:
        await origin.close()
    counts = ", ".join(f"{name} {count}" for name, count in report.counts.items())
    if report.copied:
        print(f"copied {mask(source)} into {mask(target)}; verified rows: {counts}")
    else:
        print(f"{mask(target)} already holds exactly this state ({counts}); nothing to do")
    return 0


async def _status(location: Path | str) -> int:
    from sqlalchemy import func, select
    from sqlalchemy.ext.asyncio import AsyncConnection

    from bot.storage.state import StateStore
    from bot.storage.state.base import metadata

    store = await StateStore.open(location)
    try:

        async def counts(conn: AsyncConnection) -> dict[str, int]:
            return {
                table.name: int((await conn.execute(select(func.count()).select_from(table))).scalar_one())
                for table in metadata.sorted_tables
            }

        rows = await store.db.read(counts)
        print(f"{store.db.shown}: {store.backend}, schema {', '.join(await store.schema_revision())}")
        print("rows: " + ", ".join(f"{name} {count}" for name, count in rows.items()))
    finally:
        await store.close()
    return 0


async def _upgrade(location: Path | str) -> int:
    from bot.storage.state import StateStore

    store = await StateStore.open(location)
    try:
        print(f"{store.db.shown} is at {', '.join(await store.schema_revision())}")
    finally:
        await store.close()
    return 0


def _revision(message: str, autogenerate: bool, rev_id: str | None) -> int:
    """A new migration file; with autogenerate, from the tables' difference with a temporary database at
    head (SQLite: review what it wrote for PostgreSQL types too)."""
    from alembic import command

    from bot.storage.state.versioning import alembic_config

    slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:40] or "change"
    rev_id = rev_id or f"{datetime.now(UTC):%Y%m%d%H%M}_{slug}"
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'head.db'}"
        config = alembic_config(url=url)
        if autogenerate:
            from sqlalchemy import create_engine

            engine = create_engine(url)
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "heads")
                written = command.revision(
                    config, message=message, autogenerate=True, rev_id=rev_id, head="heads"
                )
            engine.dispose()
        else:
            written = command.revision(config, message=message, rev_id=rev_id, head="heads")
    for script in written if isinstance(written, list) else [written]:
        if script is not None:  # the project's style, when ruff is installed (it is in the dev extras)
            subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", script.path], check=False)
            print(f"wrote {script.path}: review it, then test it on both backends")
    return 0


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(prog="python -m bot.state", description="Look after the state database.")
    commands = parse.add_subparsers(dest="command", required=True)
    migrate = commands.add_parser("migrate", help="copy a SQLite state into PostgreSQL")
    migrate.add_argument("--to", required=True, help="the target, e.g. postgresql://user@host:5432/db")
    migrate.add_argument("--from", dest="source", help="the SQLite state file (default: STATE_DB)")
    for name, text in (
        ("status", "show the schema revision and row counts"),
        ("upgrade", "apply migrations"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--db", help="a state file or DSN (default: STATE_DB)")
    revision = commands.add_parser("revision", help="write a new migration (developers)")
    revision.add_argument("-m", "--message", required=True)
    revision.add_argument("--autogenerate", action="store_true")
    revision.add_argument("--rev-id", help="the revision id (default: a timestamp and the message)")
    return parse


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "revision":
            return _revision(args.message, args.autogenerate, args.rev_id)
        if args.command == "migrate":
            source = _location(args.source)
            if is_dsn(source) or not Path(source).is_file():
                print(f"no SQLite state file at {mask(source)} (use --from PATH)", file=sys.stderr)
                return 2
            return asyncio.run(_migrate(source, _location(args.to)))
        location = _location(args.db)
        if args.command == "upgrade":
            return asyncio.run(_upgrade(location))
        if not is_dsn(location) and not Path(location).is_file():
            print(f"no state file at {location}", file=sys.stderr)
            return 2
        return asyncio.run(_status(location))
    except (SettingsError, ValueError) as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    except (StateError, StateUnavailable) as error:
        print(f"refused: {error}" if isinstance(error, StateError) else str(error), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
