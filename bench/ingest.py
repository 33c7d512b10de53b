"""Ingest benchmark: a generated library of N films, built from scratch, started unchanged, and with one film
changed.

    python -m bench.ingest [--sizes 100,1000] [--runs 3] [--workers 2] [--keep DIR]

Generated films are the bundled film and the fixture films (tests/fixtures/films) in turn, each with its
title made unique (film 12 of "Alien" is "Alien 12", in every document), so every film is parsed, resolved
and indexed in full and no two films share a title. For each size it prints the medians of `--runs` runs:
- full rebuild: an empty database, every film ingested (`python -m bot.ingest --full`), `--workers`
  processes; and per film, to show whether it grows linearly;
- unchanged: the same build again, which finds every film's source hash unchanged and ingests nothing
  (what the bot does at start, before it connects);
- one film changed: a document of one film edited, that film alone ingested again.
`--keep DIR` keeps each size's films folder and database in DIR (bench.library starts bots from them);
`--reuse` measures a size kept there before without generating or rebuilding it (the unchanged and one
changed figures only).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.ingest.build import Summary, build
from bot.ingest.values import slug_pattern

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "films"
BASES = [ROOT / "data" / "films" / "the-perfection", *sorted(p for p in FIXTURES.iterdir() if p.is_dir())]


def generate(target: Path, films: int) -> None:
    """`films` film folders under target, cycling through the bases, each with a title of its own."""
    bases = []
    for base in BASES:
        docs = {p.name: p.read_text(encoding="utf-8", errors="replace") for p in sorted(base.iterdir())}
        bases.append((base.name, slug_pattern(base.name), docs))
    for i in range(films):
        slug, pattern, docs = bases[i % len(bases)]
        folder = target / f"{slug}-{i}"
        folder.mkdir(parents=True)
        for name, text in docs.items():
            unique = pattern.sub(rf"\g<0> {i}", text) if pattern else text
            (folder / name).write_text(unique, encoding="utf-8")


def median_of(runs: int, work: Callable[[], Summary]) -> tuple[float, Summary]:
    times, summary = [], Summary()
    for _ in range(runs):
        started = time.perf_counter()
        summary = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), summary


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def measure(films: Path, db: Path, n: int, runs: int, workers: int, *, rebuild: bool = True) -> None:
    if rebuild:
        full, summary = median_of(runs, lambda: build(films, db, workers=workers, full=True))
        print(
            f"{n} films: full rebuild {full:.1f} s ({full / n * 1000:.1f} ms a film; {summary.films} films, "
            f"{len(summary.warnings)} warnings)"
        )
    unchanged, summary = median_of(runs, lambda: build(films, db, workers=workers))
    assert summary.ingested == 0, summary.lines()
    print(f"{n} films: unchanged {unchanged * 1000:.0f} ms (no film ingested)")
    first = sorted(p for p in films.iterdir())[0]
    document = sorted(first.iterdir())[0]

    def one_changed() -> Summary:
        with document.open("a", encoding="utf-8") as fh:
            fh.write("\nA line added.\n")
        return build(films, db, workers=workers)

    changed, summary = median_of(runs, one_changed)
    assert summary.ingested == 1, summary.lines()
    print(f"{n} films: one film changed {changed * 1000:.0f} ms (1 film ingested)")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000", help="library sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path, help="keep <DIR>/<size>/films and knowledge.db")
    parser.add_argument(
        "--reuse", action="store_true", help="with --keep: a size already there is not generated or rebuilt"
    )
    args = parser.parse_args()
    print(f"machine: {machine()}; {args.workers} worker processes; medians of {args.runs} runs")
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
            where = args.keep / str(n) if args.keep else Path(tmp)
            reused = args.reuse and (where / "knowledge.db").is_file()
            if not reused:
                shutil.rmtree(where / "films", ignore_errors=True)
                generate(where / "films", n)
            measure(where / "films", where / "knowledge.db", n, args.runs, args.workers, rebuild=not reused)


if __name__ == "__main__":
    main()
