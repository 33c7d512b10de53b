"""The fuzz: hypothesis drives every command, option, autocomplete and button of the real bot process over the
offline Discord with the values unusual users type (see fuzz_values.py), and checks every interaction (see
fuzz_harness.py). A fixed seed runs in CI with a bounded budget (the sweep of every option, then sessions),
plus a few sessions from a random seed against a library of two films (where `film` must be named and a poll
can be held); `make fuzz` runs a longer budget. A failure prints its seed: rerun it with FUZZ_SEED=<seed>.

    FUZZ_EXAMPLES        sessions of 8 steps for the fixed seed (default 20)
    FUZZ_RANDOM_EXAMPLES sessions for the random seed (default 5)
    FUZZ_SEED            the random test's seed (default: a fresh one, printed on failure)
    FUZZ_JOURNAL         a file to write every step and its answer to
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from bot.ingest.build import build
from tests.e2e.conftest import (
    FILMS_DIR,
    ClubFactory,
)
from tests.e2e.fuzz_harness import Fuzz

pytestmark = pytest.mark.slow  # the real bot process, and a budget of half a minute or so

FIXED_SEED = 20261201
STEPS_PER_EXAMPLE = 8
STEP_TIMEOUT = 90.0  # real seconds for one step, checks included (a hung step fails, it does not hang CI)
WHIPLASH = Path(__file__).resolve().parents[1] / "fixtures" / "films" / "whiplash"


@pytest.fixture(scope="module")
def two_films(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(documents, knowledge database) of the bundled film and the fixture film."""
    films = tmp_path_factory.mktemp("films")
    for source in (*FILMS_DIR.iterdir(), WHIPLASH):
        if source.is_dir():
            shutil.copytree(source, films / source.name)
    database = films.parent / "two-films.db"
    build(films, database)
    return films, database


async def _fuzz(
    clubs: ClubFactory,
    fuzz_seed: int,
    examples: int,
    *,
    sweep: bool,
    library: tuple[Path, Path] | None = None,
) -> None:
    club = await clubs(guild_shards=(None, None))
    if library is not None:
        club.films_dir, club.knowledge_db = library
    fuzz = Fuzz(club)
    await fuzz.setup()
    loop = asyncio.get_running_loop()
    if sweep:  # first every option with each kind of edge value, deterministically
        for step in fuzz.sweep():
            problems = await asyncio.wait_for(fuzz.run(step), STEP_TIMEOUT)
            assert not problems, "the sweep found:\n" + "\n".join(problems)

    @seed(fuzz_seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(st.data())
    def interact(data: st.DataObject) -> None:
        for _ in range(STEPS_PER_EXAMPLE):  # a short session: shrinking drops the steps that don't matter
            step = fuzz.draw(data)
            problems = asyncio.run_coroutine_threadsafe(fuzz.run(step), loop).result(STEP_TIMEOUT)
            assert not problems, "\n".join(problems)

    try:
        await loop.run_in_executor(None, interact)  # hypothesis in a thread; the bot's I/O stays in this loop
    except BaseException as error:
        raise AssertionError(
            f"the fuzz failed with seed {fuzz_seed} after {fuzz.steps_run} steps; "
            f"rerun with FUZZ_SEED={fuzz_seed} (see tests/e2e/test_fuzz.py)"
        ) from error
    print(f"fuzz seed {fuzz_seed}: {fuzz.steps_run} steps, all answered and accepted")


def _examples(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


async def test_fuzz_every_command_with_a_fixed_seed(clubs: ClubFactory) -> None:
    await _fuzz(clubs, FIXED_SEED, _examples("FUZZ_EXAMPLES", 20), sweep=True)


async def test_fuzz_every_command_with_a_random_seed_and_two_films(
    clubs: ClubFactory, two_films: tuple[Path, Path]
) -> None:
    fuzz_seed = int(os.environ.get("FUZZ_SEED") or random.SystemRandom().randrange(2**32))
    await _fuzz(clubs, fuzz_seed, _examples("FUZZ_RANDOM_EXAMPLES", 5), sweep=False, library=two_films)
