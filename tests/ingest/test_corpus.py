"""The fixture corpus: every film with written answers is known perfectly (see `bench.knowledge`).

Each film is built alone, asked everything, rendered as the bot renders it, and graded against answers that
were written before the code ever ran on its documents. A failure lists every problem, one per line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.knowledge import ANSWERS, BUNDLED, FIXTURES, grade

ANSWER_FILES = sorted(ANSWERS.glob("*.toml"))


def film_folder(answers: Path) -> Path:
    """A fixture film's folder, or the bundled film's for its answers."""
    fixture = FIXTURES / answers.stem
    return fixture if fixture.is_dir() else BUNDLED.parent / answers.stem


def test_every_fixture_film_has_answers() -> None:
    films = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
    assert films, "no fixture films"
    assert [f for f in films if not (ANSWERS / f"{f}.toml").is_file()] == []
    assert (ANSWERS / f"{BUNDLED.name}.toml").is_file()


@pytest.mark.parametrize("answers", ANSWER_FILES, ids=[p.stem for p in ANSWER_FILES])
def test_film_is_known_perfectly(answers: Path) -> None:
    folder = film_folder(answers)
    assert folder.is_dir(), f"{answers.name} has no film folder ({folder})"
    result = grade(folder, answers)
    if not result.perfect:
        problems = "\n".join(f"  - {p}" for p in result.problems)
        pytest.fail(
            f"{answers.stem} ({result.mix}): {result.right} right, {result.wrong} wrong, {result.missing} missing, "
            f"{result.events_told}/{result.events_expected} events, {result.garbles} garbles, {result.leaks} leaks\n"
            f"{problems}",
            pytrace=False,
        )
