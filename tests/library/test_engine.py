"""The library engine: a fresh database is built before the bot answers, a start with nothing changed does no
ingest work, films other processes upload are picked up, and parsing happens in a worker process."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.ingest.sources import sha256, uploaded_source
from bot.library import engine
from bot.library.engine import Library
from bot.storage.state import LibraryFilm, NewDocument, Quota, StateStore
from tests.storage.state_helpers import NOW

ROOT = Path(__file__).resolve().parents[2]
ALIEN = ROOT / "tests" / "fixtures" / "films" / "alien" / "wikipedia.txt"
GUILD = 1 << 22


@pytest.fixture
def films(tmp_path: Path) -> Path:
    folder = tmp_path / "films"
    shutil.copytree(ROOT / "data" / "films" / "the-perfection", folder / "the-perfection")
    return folder


@pytest.fixture
async def state(tmp_path: Path) -> AsyncIterator[StateStore]:
    store = await StateStore.open(tmp_path / "state.db")
    yield store
    await store.close()


async def upload(store: StateStore) -> None:
    data = ALIEN.read_bytes()
    document = NewDocument("wikipedia.txt", sha256(data), data)
    quota = Quota(10, 10_000_000)
    outcome = await store.store_library_documents(
        GUILD, "alien", title="Alien", year=1979, documents=[document], by=1, now=NOW, quota=quota
    )
    assert outcome == "added"


async def one_upload(store: StateStore) -> LibraryFilm:
    await upload(store)
    (film,) = await store.library_films(GUILD, with_data=True)
    return film


async def eventually(check: object, timeout: float = 20.0) -> None:  # noqa: ASYNC109
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "not reached in time"
        await asyncio.sleep(0.02)


async def test_a_fresh_database_is_built_before_open_returns(
    tmp_path: Path, films: Path, state: StateStore
) -> None:
    library = await Library.open(tmp_path / "k.db", films, state)
    try:
        assert [f.slug for f in await library.knowledge.for_guild(None).films()] == ["the-perfection"]
        report = await library.start()
        assert (report.ingested, report.unchanged) == (0, 1)  # nothing changed since: no ingest work
        pid = await asyncio.get_running_loop().run_in_executor(library._pool, os.getpid)
        assert pid != os.getpid()  # films are parsed in a worker process
        await library.prepare(uploaded_source(await one_upload(state)))
        niceness = await asyncio.get_running_loop().run_in_executor(library._pool, os.nice, 0)
        assert niceness >= os.nice(0) + engine.ADD_NICE  # below the bot's priority: members' answers first
    finally:
        await library.close()


async def test_uploads_of_other_processes_are_picked_up(
    tmp_path: Path, films: Path, state: StateStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "POLL_S", 0.05)
    library = await Library.open(tmp_path / "k.db", films, state)
    try:
        await library.start()
        other = await StateStore.open(tmp_path / "state.db")  # another process's connection to the store
        try:
            await upload(other)
        finally:
            await other.close()
        view = library.knowledge.for_guild(GUILD)

        async def seen() -> bool:
            return "alien~4194304" in {f.slug for f in await view.films()}

        await eventually(seen)
        assert (await view.overview("alien~4194304")).facts["director"].value == "Ridley Scott"
        await state.remove_library_film(GUILD, "alien")

        async def gone() -> bool:
            return not await seen()

        await eventually(gone)
    finally:
        await library.close()


async def test_a_restart_ingests_only_what_changed(tmp_path: Path, films: Path, state: StateStore) -> None:
    library = await Library.open(tmp_path / "k.db", films, state)
    await library.start()
    await library.close()
    await upload(state)
    (films / "the-perfection" / "extra.txt").write_text("The Perfection is a 2018 film.\n")
    library = await Library.open(tmp_path / "k.db", films, state)
    try:
        report = await library.start()
        assert (report.ingested, report.unchanged) == (2, 0)
        again = await library.request_sync()
        assert (again.ingested, again.unchanged, again.removed) == (0, 2, 0)
        shutil.rmtree(films / "the-perfection")
        gone = await library.request_sync()
        assert (gone.removed, gone.unchanged) == (1, 1)
    finally:
        await library.close()


async def test_this_process_s_own_adds_never_make_the_poll_sync_every_film(
    tmp_path: Path, films: Path, state: StateStore
) -> None:
    """The documents are stored (the library's revision moves) before the film is written: a poll in between
    must not take it for another process's change and sync every film; nor afterwards, when two adds
    overlapped. Another process's change is still noticed, even when it came during one of ours."""
    library = await Library.open(tmp_path / "k.db", films, state)
    try:
        await library.start()
        await library._poll_once()  # the revision as it is
        async with library.changing_here() as moved:
            film = await one_upload(state)  # stored: the revision moved
            moved()
            await library._poll_once()  # a poll now, before the film is written
            assert not library._sync_wanted
            async with library.changing_here() as moved_too:  # another add, overlapping
                assert await state.remove_library_film(GUILD, "alien")
                moved_too()
            await library.write(await library.prepare(uploaded_source(film)))
        await library._poll_once()  # and after: the moves were these changes' alone
        assert not library._sync_wanted

        async with library.changing_here() as moved:
            await upload(state)
            moved()
            await upload_elsewhere(tmp_path)  # another process's change, meanwhile
        await library._poll_once()
        assert library._sync_wanted
    finally:
        await library.close()


async def upload_elsewhere(tmp_path: Path) -> None:
    other = await StateStore.open(tmp_path / "state.db")
    try:
        data = b"Arrival is a 2016 film directed by Denis Villeneuve.\n"
        outcome = await other.store_library_documents(
            GUILD + 1,
            "arrival",
            title="Arrival",
            year=2016,
            documents=[NewDocument("a.txt", sha256(data), data)],
            by=1,
            now=NOW,
            quota=Quota(10, 10_000_000),
        )
        assert outcome == "added"
    finally:
        await other.close()


@pytest.mark.slow  # a process
async def test_the_bots_process_never_imports_the_parsers(
    tmp_path: Path, films: Path, state: StateStore
) -> None:
    """The ingest code (half a second of imports, holding the interpreter) runs in the workers only: the bot
    answers from its library as soon as it is open, plans a start with nothing changed, and writes a film
    added, without ever importing it."""
    library = await Library.open(tmp_path / "k.db", films, state)  # builds it: the first start
    await library.start()
    await library.close()
    script = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from bot.ingest.sources import DocumentSource, FilmSource, sha256\n"
        "from bot.library.engine import Library\n"
        "from bot.storage.state import StateStore\n"
        "def parsers(): return any(m.startswith(('bot.ingest.prepare', 'bot.ingest.extract')) for m in sys.modules)\n"
        "async def main():\n"
        "    state = await StateStore.open(Path(sys.argv[1]) / 'state.db')\n"
        "    library = await Library.open(Path(sys.argv[1]) / 'k.db', Path(sys.argv[2]), state)\n"
        "    films = [f.slug for f in await library.knowledge.for_guild(None).films()]\n"
        "    print(films, parsers())\n"
        "    report = await library.start()\n"
        "    print(report.unchanged, report.ingested, parsers())\n"
        "    data = Path(sys.argv[3]).read_bytes()\n"
        "    source = FilmSource('alien', 7, (DocumentSource('wikipedia.txt', sha256(data), data=data),))\n"
        "    await library.write(await library.prepare(source))\n"
        "    added = await library.knowledge.for_guild(7).films()\n"
        "    print(sorted(f.slug for f in added), parsers())\n"
        "    await library.close()\n"
        "    await state.close()\n"
        "asyncio.run(main())\n"
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        str(tmp_path),
        str(films),
        str(ALIEN),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0
    assert out.decode().splitlines() == [
        "['the-perfection'] False",
        "1 0 False",
        "['alien~7', 'the-perfection'] False",
    ]
