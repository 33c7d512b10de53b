"""Cast extraction (bot.ingest.extract.cast, roles), table-driven: cast lists, prose credits, which of two
names is the actor."""

from __future__ import annotations

import pytest

from bot.ingest.extract import Extraction, extract
from bot.ingest.extract.cast import CAST_LIST_MIN_LINES, split_role
from bot.ingest.extract.roles import role_score
from tests.ingest.pages import blog, doc


def cast_page(lines: list[str]) -> Extraction:
    return extract(
        doc("Fan page\n\nWhat is it about?\n\nx\n\nWho is in the cast?\n\n" + "\n".join(lines) + "\n")
    )


def test_a_cast_list_needs_three_lines() -> None:
    lines = [f"Actor Name{i} as Role{i}" for i in range(CAST_LIST_MIN_LINES)]
    assert len(cast_page(lines).credits) == CAST_LIST_MIN_LINES
    assert cast_page(lines[: CAST_LIST_MIN_LINES - 1]).credits == []


@pytest.mark.parametrize(
    ("sentence", "credits"),
    [
        ("Charlotte Willmore (Allison Williams) is a cellist.", [("Allison Williams", "Charlotte Willmore")]),
        ("The Doof Warrior (iOTA) plays his guitar.", [("iOTA", "The Doof Warrior")]),
        ("Bill (J. K. Simmons, in a cameo) fires him.", [("J. K. Simmons", "Bill")]),
        ("Composer Junkie XL (Tom Holkenborg) built a score.", []),  # a crew member's real name
        (
            "Josh Helman plays Slit, Angus Sampson is the Organic Mechanic.",
            [("Josh Helman", "Slit"), ("Angus Sampson", "Organic Mechanic")],
        ),
        ("The premiere was at Sundance Film Festival (Utah) in January.", []),
        # "Actor (Character)": the character is the name that looks like one, and that the story talks about
        (
            "The boys are Alex Hibbert (Little) and Ashton Sanders (Chiron). Little runs; Chiron hides.",
            [("Alex Hibbert", "Little"), ("Ashton Sanders", "Chiron")],
        ),
        ("It stars Hugo Weaving (Agent Smith). Smith waits.", [("Hugo Weaving", "Agent Smith")]),
        (
            "Kevin is played by Jaden Piner (young Kevin) and Jharrel Jerome (teen Kevin). Kevin grows up.",
            [("Jaden Piner", "young Kevin"), ("Jharrel Jerome", "teen Kevin")],
        ),
        (
            "The dub has Suzanne Pleshette (Yubaba and Zeniba). Yubaba shouts.",
            [("Suzanne Pleshette", "Yubaba and Zeniba")],
        ),
        ("Keanu Reeves (Neo) had hurt his neck.", []),  # a character nobody talks about: not a credit
        # two ordinary names: the way the document's other pairs run
        (
            "Lynn (Toni Collette) worries, and Vincent Grey (Donnie Wahlberg) returns.",
            [("Toni Collette", "Lynn"), ("Donnie Wahlberg", "Vincent Grey")],
        ),
        (
            "Juan, played by Mahershala Ali, leaves. Paula (played by Naomie Harris) stays.",
            [("Mahershala Ali", "Juan"), ("Naomie Harris", "Paula")],
        ),
        ("It was played by Keanu Reeves in the end.", []),
        ("Gloria Foster played the Oracle with warmth.", [("Gloria Foster", "Oracle")]),
    ],
)
def test_prose_credits(sentence: str, credits: list[tuple[str, str]]) -> None:
    assert [(c.actor, c.character) for c in blog(sentence).credits] == credits


@pytest.mark.parametrize(
    ("lines", "credits"),
    [
        (
            ["Chihiro Ogino / Sen – Rumi Hiiragi", "Haku – Miyu Irino", "Kamaji – Bunta Sugawara"],
            [("Rumi Hiiragi", "Chihiro Ogino / Sen"), ("Miyu Irino", "Haku"), ("Bunta Sugawara", "Kamaji")],
        ),
        (
            ["Rumi Hiiragi - Chihiro", "Miyu Irino - Haku", "Bunta Sugawara - Kamaji"],
            [("Rumi Hiiragi", "Chihiro"), ("Miyu Irino", "Haku"), ("Bunta Sugawara", "Kamaji")],
        ),
        (
            ["- Alex Hibbert (Little)", "- Ashton Sanders (Chiron)", "- Trevante Rhodes (Black)"],
            [("Alex Hibbert", "Little"), ("Ashton Sanders", "Chiron"), ("Trevante Rhodes", "Black")],
        ),
        (
            ["Lynn (Toni Collette)", "Cole Sear (Haley Joel Osment)", "Dr. Malcolm Crowe (Bruce Willis)"],
            [
                ("Toni Collette", "Lynn"),
                ("Haley Joel Osment", "Cole Sear"),
                ("Bruce Willis", "Dr. Malcolm Crowe"),
            ],
        ),
        (
            ["Keanu Reeves ..... Neo", "Carrie-Anne Moss ..... Trinity", "Hugo Weaving ..... Agent Smith"],
            [("Keanu Reeves", "Neo"), ("Carrie-Anne Moss", "Trinity"), ("Hugo Weaving", "Agent Smith")],
        ),
    ],
)
def test_cast_lists_of_two_names_either_way_round(lines: list[str], credits: list[tuple[str, str]]) -> None:
    assert [(c.actor, c.character) for c in cast_page(lines).credits] == credits


def test_lines_of_two_names_outside_a_cast_section_need_a_dash() -> None:
    facts = ["Directed by: Hayao Miyazaki", "Produced by: Toshio Suzuki", "Music: Joe Hisaishi"]
    page = "Fan page\n\n" + "\n".join(facts) + "\n\nIt is a film. It is long and it is good to watch twice.\n"
    assert extract(doc(page)).credits == []


@pytest.mark.parametrize(
    ("name", "character"),
    [
        ("Haku", True),
        ("Agent Smith", True),
        ("Dr. Malcolm Crowe", True),
        ("the Oracle", True),
        ("young Kevin", True),
        ("Yubaba / Zeniba", True),
        ("Rumi Hiiragi", False),
        ("David Ogden Stiers", False),
        ("iOTA", True),  # one word: as much a stage name as a part; the other name decides
    ],
)
def test_role_score(name: str, character: bool) -> None:
    assert (role_score(name) > role_score("Daveigh Chase")) is character


@pytest.mark.parametrize(
    ("role", "split"),
    [
        (
            "Anton, the head of the school (as A. N. Other)",
            ("Anton", "the head of the school", "A. N. Other"),
        ),
        ("Anton the head of Bachoff Academy", ("Anton", "the head of Bachoff Academy", None)),
        ("Paloma Anton's wife", ("Paloma", "Anton's wife", None)),
        ('Elizabeth "Lizzie" Wells', ('Elizabeth "Lizzie" Wells', "", None)),
    ],
)
def test_split_role(role: str, split: tuple[str, str, str | None]) -> None:
    assert split_role(role) == split
