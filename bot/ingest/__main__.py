"""`python -m bot.ingest`: build the knowledge database from FILMS_DIR into KNOWLEDGE_DB and print a summary."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from bot.ingest.build import build
from bot.settings import Settings, SettingsError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.ingest", description=__doc__)
    parser.add_argument("--films-dir", type=Path, help="folder of film folders (default: FILMS_DIR)")
    parser.add_argument("--db", type=Path, help="database to write (default: KNOWLEDGE_DB)")
    parser.add_argument("--workers", type=int, help="processes to parse with (default: by library size)")
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
    summary = build(films_dir, db, workers=args.workers)
    elapsed = time.perf_counter() - started
    print(f"built {db} from {films_dir} in {elapsed:.2f} s")
    for line in summary.lines():
        print(line)
    return 0 if summary.films else 1


if __name__ == "__main__":
    sys.exit(main())
