"""The library at run time: keeps this machine's knowledge database in step with its sources, without ever
blocking the event loop.

- **One writer task** (`_run`) does every write, in order: a film added or removed with /film, and the sync
  that brings the database up to date with FILMS_DIR and the uploaded documents (at start, and whenever
  another process changed the uploads: `library_revision` in the state store, read every POLL_S seconds).
  An add or remove waiting goes before the next film of a sync.
- **Worker processes** parse and resolve (bot/ingest/prepare.py): one kept warm for adds; a sync with many
  films to do gets a pool of its own for its duration. They run at a lower priority than the bot (ADD_NICE,
  SYNC_NICE): on a busy machine, answering members comes before ingesting.
- **The writer thread** runs the one `KnowledgeWriter` (bot/storage/knowledge/writer.py): one transaction per
  film, so readers (the bot's own `Knowledge`, other processes) see a film whole or not at all, and notice
  which films changed by their generation.

The bot's own process never imports the parsers (half a second of regular expressions, holding the
interpreter): it plans a sync (bot/ingest/plan.py) and writes what the workers prepared
(bot/ingest/outcome.py) with modules that import none.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, TypeVar

from bot.ingest.outcome import Prepared, apply
from bot.ingest.plan import CHECKPOINT_AFTER, open_writer, plan
from bot.ingest.sources import DocumentSource, FilmSource, uploaded_source
from bot.ingest.workers import worker_pool
from bot.storage.errors import KnowledgeUnavailable, StateUnavailable
from bot.storage.knowledge import Knowledge
from bot.storage.knowledge.writer import KnowledgeWriter
from bot.storage.state import StateStore

log = logging.getLogger(__name__)

T = TypeVar("T")
POLL_S: Final = 10.0  # how often to look for films other processes added or removed
INTERACTIVE: Final = 0
BACKGROUND: Final = 1
ADD_NICE: Final = 5  # the add worker's niceness (a film added waits for it; the members' answers do not)
SYNC_NICE: Final = 10  # a sync's workers' (thousands of films after a change of parser: bulk work)


WARM_UP = (
    b"Example Film is a 2001 drama film directed by Jane Doe. It was released on May 4, 2001, and runs "
    b"95 minutes.\n\nThe film follows a cellist who moves to a new city. She finds work in an orchestra.\n"
)


def _prepare(source: FilmSource) -> Prepared:
    from bot.ingest.prepare import prepare

    return prepare(source)


def _niced(niceness: int) -> None:
    """This worker process at `niceness` (once: niceness only goes up)."""
    with contextlib.suppress(OSError):
        os.nice(max(0, niceness - os.nice(0)))


def warm() -> int:
    """Run in a new worker: a small film prepared, so that imports and the libraries' lazy set-up (date
    parsing's locale data) are done before the first real film arrives."""
    _niced(ADD_NICE)
    _prepare(FilmSource("example-film", None, (DocumentSource("warm-up.txt", "0" * 64, data=WARM_UP),)))
    gc.freeze()  # the ingest code it imported, out of the collector's sight (bot/ingest/workers.py)
    return os.getpid()


def prepare_added(source: FilmSource) -> Prepared:
    """`prepare` in the add worker, below the bot's priority."""
    _niced(ADD_NICE)
    return _prepare(source)


def prepare_synced(source: FilmSource) -> Prepared:
    """`prepare` in a sync's worker, further below the bot's priority."""
    _niced(SYNC_NICE)
    return _prepare(source)


@dataclass
class _Job:
    run: Callable[[], Awaitable[Any]]
    done: asyncio.Future[Any]


@dataclass
class SyncReport:
    ingested: int = 0
    removed: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)


class Library:
    """Open with `await Library.open(...)`, then `start()`; `close()` at the end."""

    def __init__(
        self, knowledge_db: Path, films_dir: Path, state: StateStore, *, workers: int | None = None
    ) -> None:
        self.knowledge_db = knowledge_db
        self.films_dir = films_dir
        self.state = state
        self.workers = workers or max(1, min(os.cpu_count() or 1, 4))
        self._writer_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="knowledge-writer")
        self._writer: KnowledgeWriter | None = None
        self._pool: Executor | None = None  # adds: one worker, warmed when the writer opens
        self._writing = asyncio.Event()  # set once the writer and the add worker are there
        self._urgent: deque[_Job] = deque()
        self._wake = asyncio.Event()
        self._sync_wanted = False
        self._synced: asyncio.Future[SyncReport] | None = None
        self._revision: int | None = None
        self._changing = 0  # this process's adds and removes under way
        self._moves_here = 0  # how many times they moved the library's revision
        self._tasks: list[asyncio.Task[None]] = []
        self._knowledge: Knowledge | None = None

    @property
    def knowledge(self) -> Knowledge:
        """The reader of this machine's knowledge database (every server's view comes from it)."""
        if self._knowledge is None:
            raise RuntimeError("the library is not open")
        return self._knowledge

    # -- life -------------------------------------------------------------------------------------------------

    @classmethod
    async def open(
        cls, knowledge_db: Path, films_dir: Path, state: StateStore, *, workers: int | None = None
    ) -> Library:
        """Open (or create) the knowledge database and its reader. When the database holds no film yet, the
        first sync is run before returning, so the bot never answers from an empty library it could fill.

        A database of this schema with films is only opened for reading here: the bot can answer from it at
        once, and the writer opens in the writer thread when `start`ed."""
        self = cls(knowledge_db, films_dir, state, workers=workers)
        try:
            knowledge: Knowledge | None = await Knowledge.open(knowledge_db)
        except KnowledgeUnavailable:  # missing, or of another schema: the writer makes it anew
            knowledge = None
        if knowledge is not None and knowledge.all_films():
            self._knowledge = knowledge
            return self
        if knowledge is not None:
            await knowledge.close()
        await self._open_writer()
        fresh = await self._in_writer(lambda w: w.film_count() == 0, self._writer)
        self._knowledge = await Knowledge.open(knowledge_db)
        if fresh:
            report = await self._sync()
            log.info("knowledge database built: %d films", report.ingested)
        return self

    async def _open_writer(self) -> None:
        """The one writer (in the writer thread) and the add worker, warmed; once."""
        if self._writer is None:
            self._writer = await self._in_writer(open_writer, self.knowledge_db)
        if self._pool is None:
            self._pool = worker_pool(1)
            self._pool.submit(warm)
        self._writing.set()

    def start(self) -> asyncio.Future[SyncReport]:
        """Start the writer task and the poll for other processes' changes; the first sync's future."""
        self._tasks = [
            asyncio.create_task(self._run(), name="library-writer"),
            asyncio.create_task(self._poll(), name="library-poll"),
        ]
        return self.request_sync()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        if self._writer is not None:
            await self._in_writer(KnowledgeWriter.close, self._writer)
        self._writer_thread.shutdown(wait=True)
        if self._knowledge is not None:
            await self._knowledge.close()

    # -- what commands use ------------------------------------------------------------------------------------

    async def prepare(self, source: FilmSource) -> Prepared:
        """Parse and resolve a film in a worker process; nothing is written."""
        await self._writing.wait()
        return await asyncio.get_running_loop().run_in_executor(self._add_pool(), prepare_added, source)

    async def write(self, prepared: Prepared) -> None:
        """Write a prepared film through the writer task (before any waiting sync work)."""
        await self._urgently(lambda: self._in_writer(apply, self._writer, prepared))

    async def remove(self, key: str) -> bool:
        return bool(
            await self._urgently(lambda: self._in_writer(KnowledgeWriter.remove_film, self._writer, key))
        )

    @contextlib.asynccontextmanager
    async def changing_here(self) -> AsyncIterator[Callable[[], None]]:
        """Around this process's own add or remove (documents stored, then the film written): the poll does not
        look meanwhile, so the revision the store moved does not make it sync every film before the film is
        written. Call what it yields once the state store's revision moved for this change: when the last
        change under way ends, a revision moved by these changes alone (several adds at once too) need not
        make the next poll sync; one moved by another process as well still does."""
        self._changing += 1
        try:
            yield self._moved_here
        finally:
            self._changing -= 1
            if not self._changing:
                moved, self._moves_here = self._moves_here, 0
                with contextlib.suppress(StateUnavailable):
                    revision = await self.state.library_revision()
                    if self._revision is not None and revision == self._revision + moved:
                        self._revision = revision

    def _moved_here(self) -> None:
        self._moves_here += 1

    def request_sync(self) -> asyncio.Future[SyncReport]:
        """Ask the writer task to bring the database up to date; resolves when that sync is done."""
        if self._synced is None or self._synced.done():
            self._synced = asyncio.get_running_loop().create_future()
        self._sync_wanted = True
        self._wake.set()
        return self._synced

    # -- the writer task --------------------------------------------------------------------------------------

    async def _urgently(self, run: Callable[[], Awaitable[T]]) -> T:
        job = _Job(run, asyncio.get_running_loop().create_future())
        self._urgent.append(job)
        self._wake.set()
        result: T = await asyncio.shield(job.done)
        return result

    async def _run(self) -> None:
        while not self._writing.is_set():
            try:
                await self._open_writer()
            except Exception:  # the bot answers from what it has; adds and syncs wait for the writer
                log.exception("the knowledge writer cannot open; trying again in %.0f s", POLL_S)
                await asyncio.sleep(POLL_S)
        while True:
            await self._wake.wait()
            self._wake.clear()
            await self._drain()
            if self._sync_wanted:
                self._sync_wanted = False
                waiting = self._synced
                try:
                    report = await self._sync()
                except Exception as err:  # the next sync tries again; the database is as it was
                    log.exception("library sync failed")
                    if waiting is not None and not waiting.done():
                        waiting.set_exception(err)
                else:
                    if waiting is not None and not waiting.done():
                        waiting.set_result(report)

    async def _drain(self) -> None:
        while self._urgent:
            job = self._urgent.popleft()
            try:
                job.done.set_result(await job.run())
            except Exception as err:
                job.done.set_exception(err)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_S)
            await self._poll_once()

    async def _poll_once(self) -> None:
        if self._changing:
            return  # this process's own change is under way (see changing_here)
        try:
            revision = await self.state.library_revision()
        except StateUnavailable as err:
            log.warning("library poll: %s", err)
            return
        if self._revision is not None and revision != self._revision:
            log.info("library changed elsewhere (revision %d -> %d); syncing", self._revision, revision)
            self.request_sync()
        self._revision = revision

    # -- syncing ----------------------------------------------------------------------------------------------

    async def _sync(self) -> SyncReport:
        """Ingest what changed, remove what is gone; between films, adds and removes go first."""
        self._revision = await self.state.library_revision()
        uploaded = [uploaded_source(f) for f in await self.state.library_films()]
        todo = await self._in_writer(plan, self._writer, self.films_dir, uploaded)
        report = SyncReport(unchanged=todo.unchanged, warnings=list(todo.warnings))
        if not todo.empty:
            log.info(
                "library: %d films to ingest, %d to remove, %d unchanged",
                len(todo.ingest),
                len(todo.remove),
                todo.unchanged,
            )
        pool: Executor | None = None
        try:
            if len(todo.ingest) > 2 and self.workers > 1:
                pool = worker_pool(self.workers)
            await self._ingest_all(todo.ingest, pool or self._add_pool(), report)
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        for key in todo.remove:
            report.removed += await self._in_writer(KnowledgeWriter.remove_film, self._writer, key)
            await self._drain()
        if todo.files_changed:
            await self._in_writer(KnowledgeWriter.remember_files, self._writer, todo.files)
        if report.ingested + report.removed > CHECKPOINT_AFTER:
            await self._in_writer(KnowledgeWriter.checkpoint, self._writer)
        for warning in report.warnings:
            log.warning("ingest: %s", warning)
        log.info(
            "library in step: %d ingested, %d removed, %d unchanged",
            report.ingested,
            report.removed,
            report.unchanged,
        )
        return report

    async def _ingest_all(self, films: Sequence[FilmSource], pool: Executor, report: SyncReport) -> None:
        loop = asyncio.get_running_loop()
        waiting = deque(films)
        running: deque[asyncio.Future[Prepared]] = deque()
        ahead = self.workers + 1
        while waiting or running:
            while waiting and len(running) < ahead:
                source = await self._with_bytes(waiting.popleft())
                work = prepare_synced if pool is not self._pool else prepare_added
                running.append(loop.run_in_executor(pool, work, source))
            prepared = await running.popleft()
            await self._in_writer(apply, self._writer, prepared)
            report.ingested += 1
            report.warnings += prepared.warnings
            await self._drain()

    def _add_pool(self) -> Executor:
        if self._pool is None:
            raise RuntimeError("the writer is not open")
        return self._pool

    async def _with_bytes(self, source: FilmSource) -> FilmSource:
        """An uploaded film's documents with their bytes (the plan only needed their hashes)."""
        if source.guild_id is None or all(d.data is not None for d in source.documents):
            return source
        films = await self.state.library_films(source.guild_id, slug=source.slug, with_data=True)
        return uploaded_source(films[0]) if films else replace(source, documents=())

    async def _in_writer(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return await asyncio.get_running_loop().run_in_executor(self._writer_thread, fn, *args)
        finally:
            if self._knowledge is not None:
                self._knowledge.written()
