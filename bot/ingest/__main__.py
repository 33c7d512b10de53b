"""`python -m bot.ingest`: bring KNOWLEDGE_DB up to date with FILMS_DIR and the documents servers uploaded
(read from STATE_DB), and print a summary. Only films whose documents changed are ingested; `--full` starts
from an empty database. Safe while the bot runs: it sees each film as soon as it is written."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from pathlib import Path

from bot.ingest.build import build
from bot.ingest.sources import FilmSource, uploaded_source
from bot.settings import Settings, SettingsError
from bot.storage.dsn import is_dsn


async def uploaded(location: Path | str) -> list[FilmSource]:
    """Every server's uploaded films, with their bytes; none when there is no state database yet."""
    from bot.storage.state import StateStore

    if not is_dsn(location) and not Path(location).is_file():  # noqa: ASYNC240 - one stat, before anything runs
        return []
    store = await StateStore.open(location)
    try:
        return [uploaded_source(f) for f in await store.library_films(with_data=True)]
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.ingest", description=__doc__)
    parser.add_argument("--films-dir", type=Path, help="folder of film folders (default: FILMS_DIR)")
    parser.add_argument("--db", type=Path, help="database to write (default: KNOWLEDGE_DB)")
    parser.add_argument("--workers", type=int, help="processes to parse with (default: by library size)")
    parser.add_argument("--full", action="store_true", help="rebuild every film from an empty database")
    parser.add_argument("--no-uploads", action="store_true", help="leave out the films servers uploaded")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as err:
        print(f"configuration error: {err}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    films_dir = args.films_dir or settings.films_dir
    db = args.db or settings.knowledge_db
    started = time.perf_counter()
    uploads = [] if args.no_uploads else asyncio.run(uploaded(settings.state_db))
    summary = build(films_dir, db, workers=args.workers, uploaded=uploads, full=args.full)
    elapsed = time.perf_counter() - started
    print(f"built {db} from {films_dir} and {len(uploads)} uploaded films in {elapsed:.2f} s")
    for line in summary.lines():
        print(line)
    return 0 if summary.films else 1


if __name__ == "__main__":
    sys.exit(main())
