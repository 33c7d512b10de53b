"""Ingest benchmark: the bundled corpus, and a generated library of N films x 5 documents.

    python -m bench.ingest [--films 1000] [--runs 3]

Generated films are the bundled documents with the title and names varied per film, so every film is parsed,
resolved and indexed in full. Prints the median of the runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bot.ingest.build import build

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "films" / "the-perfection"


def generate(target: Path, films: int) -> None:
    docs = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEED.iterdir())}
    for i in range(films):
        folder = target / f"film-{i:05d}"
        folder.mkdir(parents=True)
        for name, text in docs.items():
            (folder / name).write_text(
                text.replace("The Perfection", f"The Perfection {i}"), encoding="utf-8"
            )


def timed(films_dir: Path, runs: int) -> float:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            start = time.perf_counter()
            build(films_dir, Path(tmp) / "k.db")
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--films", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"bundled corpus (1 film, 5 documents): median {timed(SEED.parent, args.runs) * 1000:.0f} ms of {args.runs} runs"
    )
    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp) / "films"
        for n in sorted({max(1, args.films // 10), args.films}):
            shutil.rmtree(library, ignore_errors=True)
            generate(library, n)
            print(f"{n} films x 5 documents: median {timed(library, args.runs):.1f} s of {args.runs} runs")


if __name__ == "__main__":
    main()
