"""The processes films are prepared in (prepare.py runs there). Spawned, not forked, since the bot has threads;
each exits with its parent, even when the parent was SIGKILLed. Imports no parser: the workers do."""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

# A worker allocates and drops many small objects per film, and keeps caches of thousands (sentences, words,
# the answers about them): Python's default thresholds run a full collection of about 100 ms every hundred
# films or so, 5% of the work. Young objects are collected every GC_YOUNG allocations, old ones seldom, and
# what the worker loaded is frozen out of the collector's sight.
GC_YOUNG = 10_000
GC_THRESHOLDS = (GC_YOUNG, 20, 100)


def tune_gc() -> None:
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:  # the bot died (even by SIGKILL): a worker must not outlive it
            os._exit(0)


def _worker_started(parent: int, level: int) -> None:
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    tune_gc()
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()


def workers_for(films: int) -> int:
    return min(os.cpu_count() or 1, 8) if films > 8 else 1


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Processes to prepare films in. They exit with their parent."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_started,
        initargs=(os.getpid(), logging.getLogger().getEffectiveLevel()),
    )
