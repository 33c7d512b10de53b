"""The fuzz: hypothesis drives every command, option, autocomplete and button of the real bot process over the
offline Discord with the values unusual users type (see fuzz_values.py), and checks every interaction (see
fuzz_harness.py). A fixed seed runs in CI with a bounded budget, plus a few examples from a random seed;
`make fuzz` runs a longer budget. A failure prints its seed: rerun it with FUZZ_SEED=<seed>.

    FUZZ_EXAMPLES        examples (sessions of 8 steps) for the fixed seed (default 20)
    FUZZ_RANDOM_EXAMPLES examples for the random seed (default 5)
    FUZZ_SEED            the random test's seed (default: a fresh one, printed on failure)
"""

from __future__ import annotations

import asyncio
import os
import random

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.e2e.conftest import ClubFactory
from tests.e2e.fuzz_harness import Fuzz

pytestmark = pytest.mark.slow  # the real bot process, and a budget of a minute or so

FIXED_SEED = 20261201
STEPS_PER_EXAMPLE = 8
STEP_TIMEOUT = 90.0  # real seconds for one step, checks included (a hung step fails, it does not hang CI)


def _examples(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


async def _fuzz(clubs: ClubFactory, fuzz_seed: int, examples: int, *, sweep: bool = False) -> None:
    club = await clubs(guild_shards=(None, None))
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


async def test_fuzz_every_command_with_a_fixed_seed(clubs: ClubFactory) -> None:
    await _fuzz(clubs, FIXED_SEED, _examples("FUZZ_EXAMPLES", 20), sweep=True)


async def test_fuzz_every_command_with_a_random_seed(clubs: ClubFactory) -> None:
    fuzz_seed = int(os.environ.get("FUZZ_SEED") or random.SystemRandom().randrange(2**32))
    await _fuzz(clubs, fuzz_seed, _examples("FUZZ_RANDOM_EXAMPLES", 5))
