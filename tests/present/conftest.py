"""Hand-built models for The Perfection (2018), as fixtures. The strategies for nasty models are in strategies.py."""

from __future__ import annotations

import pytest

from bot.storage.models import (
    Alternative,
    Beat,
    Credit,
    Fact,
    Figure,
    FilmRef,
    Garbled,
    Overview,
    Plot,
    Provenance,
    Quote,
    Reception,
    SearchHit,
    Song,
    Soundtrack,
    SourceInfo,
    Sources,
    Spoil,
    TimelineEntry,
)
from tests.present.strategies import (
    DOC0,
    DOC1,
    DOC2,
    DOC3,
    FILM,
)


def prov(document: str = DOC2, sentence: str = "") -> Provenance:
    return Provenance(document=document, start=0, end=len(sentence), sentence=sentence)


def fact(name: str, value: str, *alternatives: Alternative, spoil: Spoil = Spoil.SAFE) -> Fact:
    return Fact(name, value, (DOC2, DOC3), prov(), tuple(alternatives), spoil)


YOUNG_CHARLOTTE = Credit(
    billing=2,
    actor="Molly Grace",
    character="young Charlotte Willmore",
    note="",
    note_spoiler="",
    documents=(DOC2,),
    adult_of="Charlotte Willmore",
)
CHARLOTTE = Credit(
    billing=1,
    actor="Allison Williams",
    character="Charlotte Willmore",
    note="a former cello prodigy",
    note_spoiler="",
    documents=(DOC1, DOC2),
    younger=(YOUNG_CHARLOTTE,),
)
ANTON = Credit(
    billing=5,
    actor="Steven Weber",
    character="Anton",
    note="the head of Bachoff Academy",
    note_spoiler="who is secretly running an abusive sex cult",
    documents=(DOC1, DOC2),
)
CREDITS = [
    CHARLOTTE,
    YOUNG_CHARLOTTE,  # the query layer may list younger versions at top level too
    Credit(
        3,
        "Logan Browning",
        "Elizabeth “Lizzie” Wells",
        "Anton's new star pupil",
        "",
        (DOC1, DOC2),
        younger=(Credit(4, "Milah Thompson", "young Lizzie", "", "", (DOC2,), adult_of="Lizzie"),),
    ),
    ANTON,
    Credit(6, "Alaina Huffman", "Paloma", "Anton's wife", "and his accomplice", (DOC1, DOC2)),
    Credit(
        7,
        "Mark Kandborg",
        "Theis",
        "",
        "",
        (DOC2,),
        actor_alternatives=(Alternative("Imprint Kandborg", (DOC1,)),),
    ),
    Credit(8, "Graeme Duffy", "Geoffrey", "", "", (DOC1, DOC2)),
    Credit(9, "Eileen Tian", "Zhang Li", "Anton's new student from China", "", (DOC1, DOC2)),
]
SECRET = "who is secretly running an abusive sex cult"


@pytest.fixture
def film() -> FilmRef:
    return FILM


@pytest.fixture
def credits() -> list[Credit]:
    return list(CREDITS)


@pytest.fixture
def overview_model() -> Overview:
    facts = {
        "title": fact("title", "The Perfection"),
        "year": fact("year", "2018", Alternative("2019", (DOC1,))),
        "genre": fact("genre", "Psychological horror thriller"),
        "director": fact("director", "Richard Shepard"),
        "writers": fact("writers", "Richard Shepard, Eric C. Charmelo, Nicole Snyder"),
        "composer": fact("composer", "Paul Haslinger"),
        "distributor": fact("distributor", "Netflix"),
        "premiere": fact("premiere", "September 20, 2018 (Fantastic Fest)"),
        "release": fact("release", "May 24, 2019"),
        "runtime": fact("runtime", "90 minutes"),
        "country": fact("country", "United States"),
        "language": fact("language", "English"),
    }
    return Overview(
        film=FILM,
        facts=facts,
        premise="A troubled cello prodigy seeks out the new star pupil of her former music academy.",
        top_cast=(CHARLOTTE, CREDITS[2], ANTON),
        where_to_watch=("Netflix",),
        timeline=(
            TimelineEntry("October 2017", "2017-10", "Allison Williams joined the cast.", prov()),
            TimelineEntry("September 2017", "2017-09", "Miramax announced the film.", prov()),
        ),
    )


BEATS = (
    ("beginning", Spoil.MILD, "After her mother dies, Charlotte travels to Shanghai to meet Anton."),
    ("beginning", Spoil.MILD, "Charlotte and Lizzie spend a night out and become lovers."),
    ("middle", Spoil.MAJOR, "On a bus in rural China, Lizzie falls ill and cuts off her own hand."),
    ("middle", Spoil.MAJOR, "Charlotte drugged Lizzie so that Anton would cast her out of Bachoff."),
    ("end", Spoil.ENDING, "Charlotte and Lizzie poison Theis and Geoffrey and kill Paloma."),
    ("end", Spoil.ENDING, "Anton, mutilated, is forced to listen as the two women play for him."),
)


@pytest.fixture
def plot_model() -> Plot:
    beats = tuple(Beat(n, text, spoil, part, prov(DOC1)) for n, (part, spoil, text) in enumerate(BEATS))
    return Plot(
        film=FILM,
        premise="Charlotte, a former cello prodigy, reconnects with her old mentor Anton.",
        beats=beats,
        document=DOC1,
        rejected=(Alternative("They wake up in a strange village and witness a surreal ritual.", (DOC0,)),),
    )


@pytest.fixture
def soundtrack_model() -> Soundtrack:
    return Soundtrack(
        film=FILM,
        composer=fact("composer", "Paul Haslinger"),
        featured=("Bach", "Mozart", "Handel"),
        songs=(
            Song(
                "At Least I Still Have You",
                "Rose Liu",
                ("Jason Zachary Parris", "Lestley Renaldo Pierce", "Rose Liu"),
                (DOC2,),
                (Alternative("At any rate I Still Have You", (DOC1,)),),
            ),
            Song("Ready or Not", "Gizzle", ("Morgan Dorr", "Timothy Healy", "Glenda Proby"), (DOC1, DOC2)),
            Song("Petals", "Chromatics", ("Courtney Love", "Eric Erlandson", "Billy Corgan"), (DOC1, DOC2)),
        ),
    )


QUOTE_SPOILER = "the hand scene recasts everything before it"


@pytest.fixture
def reception_model() -> Reception:
    rotten = Figure(
        "Rotten Tomatoes",
        fact("rt_approval", "70%", Alternative("73%", (DOC1,)), Alternative("71%", (DOC2,))),
        98,
        "reviews",
        average="6.58/10",
    )
    metacritic = Figure(
        "Metacritic", fact("metacritic", "60/100"), 15, "critics", verdict="mixed or average reviews"
    )
    return Reception(
        film=FILM,
        figures=(rotten, metacritic),
        consensus=fact(
            "consensus", "Led by a pair of compelling performances, The Perfection is a smart thriller."
        ),
        quotes=(
            Quote(
                "Jeannette Catsoulis",
                "The New York Times",
                None,
                "A nasty little shocker.",
                Spoil.SAFE,
                prov(),
            ),
            Quote("A. Critic", "Film Weekly", "B+", f"Bold: {QUOTE_SPOILER}.", Spoil.MAJOR, prov()),
        ),
        reviewer_ratings=(Figure("Common Sense Media", fact("csm", "3/5"), None, ""),),
    )


@pytest.fixture
def hits() -> list[SearchHit]:
    return [
        SearchHit(
            FILM, DOC2, "Plot", "Charlotte, a gifted cellist, had to leave Bachoff.", Spoil.SAFE, 0, 50
        ),
        SearchHit(FILM, DOC1, "Plot", "Lizzie hacks off her infected right hand.", Spoil.MAJOR, 900, 941),
    ]


@pytest.fixture
def sources_model() -> Sources:
    return Sources(
        film=FILM,
        documents=(
            SourceInfo(DOC2, "encyclopedia", 0.91, "w2", None, {"cast": 9, "plot": 6}),
            SourceInfo(DOC1, "rewrite", 0.554, "w2", DOC2, {"songs": 1}, ("machine-reworded text",)),
            SourceInfo(
                DOC0,
                "blog",
                0.3,
                "w0",
                None,
                {},
                markup="html",
                reasons=("0 of 6 story sentences told as the plot source tells them",),
            ),
        ),
        garbles=(Garbled(DOC1, DOC2, "Theis (actor)", "Mark Kandborg", "Imprint Kandborg"),),
        disputed=(
            fact("year", "2018", Alternative("2019", (DOC1,))),
            fact("fate", "Anton survives, mutilated", Alternative("Anton dies", (DOC0,)), spoil=Spoil.ENDING),
        ),
    )
