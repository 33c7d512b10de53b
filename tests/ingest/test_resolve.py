"""Resolver rules (bot.ingest.resolve), on small inputs: near-copies, truth discovery, cast alignment. Each named
threshold is tested on both sides. The story's rules are in test_resolve_story.py."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.ingest.extract import Claim, CreditClaim
from bot.ingest.resolve import copies as copying
from bot.ingest.resolve.cast import merge_credits, stage
from bot.ingest.resolve.truth import LABELLED_WEIGHT, PRIOR, Resolved, Standing, Vote, discover
from bot.ingest.shapes import Doc, parse
from bot.ingest.text import normalise

# ---------------------------------------------------------------- near-copies

ORIGINAL = [
    "Andrew Neiman is an ambitious young jazz drummer in his first year at the conservatory.",
    "Conductor Terence Fletcher invites Andrew to join his studio band as an alternate drummer.",
    "Fletcher pushes the band with abuse and throws a chair at Andrew when he misses the tempo.",
    "Andrew practises until his hands bleed and breaks up with his girlfriend to focus on music.",
    "On the way to a competition his bus breaks down and Andrew rents a car and crashes it.",
]
SPUN = [
    "Andrew Neiman is a driven youthful jazz drummer in his first year at the conservatory.",
    "Conductor Terence Fletcher welcomes Andrew to join his studio band as a substitute drummer.",
    "Fletcher pushes the band with misuse and tosses a seat at Andrew when he misses the rhythm.",
    "Andrew practises until his hands drain and separates from his sweetheart to concentrate on music.",
    "On the route to a contest his transport stalls and Andrew leases a vehicle and crashes it.",
]
OTHER = [
    "The film follows a drummer who wants to become one of the greats of jazz.",
    "Critics praised the performances and the editing of the final concert.",
    "It was shot in nineteen days in Los Angeles on a small budget.",
    "The soundtrack album was released by Varese Sarabande in October.",
    "A short film made the year before helped to raise the money for it.",
]


def doc(name: str, lines: list[str]) -> Doc:
    return parse(
        name,
        normalise(
            "Title\n\n" + "\n\n".join(" ".join(lines[i : i + 2]) for i in range(0, len(lines), 2)) + "\n"
        ),
    )


def test_a_rewritten_copy_is_found_and_pointed_at_its_original() -> None:
    found = copying.find_copies([doc("wiki.txt", ORIGINAL), doc("spun.txt", SPUN), doc("blog.txt", OTHER)])
    assert found.copy_of == {"wiki.txt": None, "spun.txt": "wiki.txt", "blog.txt": None}
    assert found.witness["spun.txt"] == "wiki.txt"
    assert ("chair", "seat") in found.swaps("spun.txt")


def test_sharing_sentences_word_for_word_is_no_rewrite_unless_it_is_most_of_a_document() -> None:
    # A fan site quoting three sentences of the article among more of its own: two witnesses.
    quoting = (
        ORIGINAL[:3] + OTHER + [f"The fan site adds remark number {i} of its own here." for i in range(2)]
    )
    found = copying.find_copies([doc("wiki.txt", ORIGINAL), doc("fan.txt", quoting)])
    assert len(ORIGINAL[:3]) < copying.VERBATIM_SHARE * len(quoting)
    assert found.copy_of == {"wiki.txt": None, "fan.txt": None}
    # Each mostly the other's sentences, word for word: a mirror.
    mirror = ORIGINAL[:4] + OTHER[:3]
    assert len(ORIGINAL[:4]) >= copying.VERBATIM_SHARE * len(mirror)
    found = copying.find_copies([doc("wiki.txt", ORIGINAL), doc("wiki-mirror.txt", mirror)])
    assert found.copy_of["wiki-mirror.txt"] == "wiki.txt"


def test_too_few_shared_sentences_make_no_copy() -> None:
    few = copying.COPY_MIN_SENTENCES - 1
    found = copying.find_copies([doc("wiki.txt", ORIGINAL), doc("spun.txt", SPUN[:few] + OTHER)])
    assert found.copy_of["spun.txt"] is None
    enough = copying.find_copies([doc("wiki.txt", ORIGINAL), doc("spun.txt", SPUN[: few + 1] + OTHER[:2])])
    assert enough.copy_of["spun.txt"] == "wiki.txt"


def test_a_rewrite_must_be_a_share_of_its_document() -> None:
    padding = [
        f"Sentence number {i} of a long page talks about something else entirely here." for i in range(40)
    ]
    found = copying.find_copies([doc("wiki.txt", ORIGINAL), doc("long.txt", SPUN[:3] + padding)])
    assert 3 < copying.COPY_MIN_SHARE * 43 and found.copy_of["long.txt"] is None


def test_a_copy_of_a_copy_counts_for_the_original_at_the_chain_end() -> None:
    """The blog re-says the spun page's own sentences, none of the article's: it is still one witness with
    the article, and the link to it is there (it was not compared while looking for rewrites)."""
    spun_own = [
        "The movie follows a percussionist who wishes to become one of the greats of jazz.",
        "Reviewers lauded the acting and the cutting of the closing concert.",
        "It was filmed in nineteen days in Los Angeles on a modest budget.",
        "The score record was issued by Varese Sarabande in October.",
        "A short movie made the year prior helped to raise the funds for it.",
    ]
    docs = [doc("wiki.txt", ORIGINAL), doc("spun.txt", SPUN[:3] + OTHER), doc("blog.txt", spun_own)]
    found = copying.find_copies(docs)
    assert found.copy_of == {"wiki.txt": None, "spun.txt": "wiki.txt", "blog.txt": "wiki.txt"}
    assert found.witness["blog.txt"] == "wiki.txt"
    assert "re-says 5 sentences of spun.txt" in found.reasons["blog.txt"]
    assert found.links[("blog.txt", "wiki.txt")].pairs == [] and found.swaps("blog.txt") == []


def test_the_same_text_twice_the_longer_name_is_the_copy() -> None:
    found = copying.find_copies([doc("wikipedia.txt", ORIGINAL), doc("wikipedia-mirror.txt", ORIGINAL)])
    assert found.copy_of == {"wikipedia.txt": None, "wikipedia-mirror.txt": "wikipedia.txt"}


# ---------------------------------------------------------------- truth discovery


def vote(field: str, value: str, document: str, weightless: bool = False, **extra: str) -> Vote:
    return Vote(Claim(field, value, value.lower(), 0, 1, value, dict(extra)), document, weightless)


def test_a_tie_teaches_nothing_and_the_more_explicit_claim_wins_it() -> None:
    votes = {
        "rotten_tomatoes": [
            vote("rotten_tomatoes", "70", "a.txt", count="98"),
            vote("rotten_tomatoes", "71", "b.txt"),
        ]
    }
    truth = discover(votes, {"a.txt": "a.txt", "b.txt": "b.txt"}, ["a.txt", "b.txt"])
    assert truth.facts["rotten_tomatoes"].winner.claim.value == "70"
    assert truth.trust == {"a.txt": 0.5, "b.txt": 0.5}  # neither agreed nor disagreed


def test_agreement_earns_reliability_and_outvotes() -> None:
    docs = ["a.txt", "b.txt", "c.txt"]
    votes = {
        "year": [vote("year", "2014", "a.txt"), vote("year", "2014", "b.txt"), vote("year", "2015", "c.txt")],
        "runtime": [vote("runtime", "107", "a.txt"), vote("runtime", "96", "c.txt")],
    }
    truth = discover(votes, {d: d for d in docs}, docs)
    assert truth.facts["runtime"].winner.claim.value == "107"
    assert truth.trust["a.txt"] > truth.trust["c.txt"]
    assert truth.standing["c.txt"] == Standing(agreed=0, contested=2)
    assert truth.trust["c.txt"] == PRIOR / (2 + 2 * PRIOR)


@pytest.mark.parametrize("order", [1, -1])
def test_a_labelled_value_outweighs_one_said_in_passing_but_not_two(order: int) -> None:
    def labelled(value: str, document: str) -> Vote:
        v = vote("director", value, document)
        return Vote(replace(v.claim, labelled=True), document)

    docs = ["a-listicle.txt", "wiki.txt", "blog.txt"]
    one = {
        "director": [
            vote("director", "Alex Proyas", "a-listicle.txt"),
            labelled("The Wachowskis", "wiki.txt"),
        ][::order]
    }
    truth = discover(one, {d: d for d in docs}, docs)
    assert (
        truth.facts["director"].winner.claim.value == "The Wachowskis"
    )  # whatever the order or the spelling
    assert truth.trust["wiki.txt"] > truth.trust["a-listicle.txt"]  # not a tie: the sloppy page disagreed
    two = {"director": [*one["director"], vote("director", "Alex Proyas", "blog.txt")]}
    assert discover(two, {d: d for d in docs}, docs).facts["director"].winner.claim.value == "Alex Proyas"
    assert LABELLED_WEIGHT < 2


def test_a_copy_weighs_nothing_but_its_other_number_is_listed() -> None:
    votes = {"year": [vote("year", "2014", "wiki.txt"), vote("year", "2015", "spun.txt", weightless=True)]}
    truth = discover(votes, {"wiki.txt": "wiki.txt", "spun.txt": "wiki.txt"}, ["wiki.txt", "spun.txt"])
    year = truth.facts["year"]
    assert year.winner.claim.value == "2014" and year.supporters == ("wiki.txt",)
    assert [(c.value, docs) for c, docs in year.alternatives] == [("2015", ("spun.txt",))]


def test_part_of_a_set_supports_the_set() -> None:
    full = Vote(
        Claim("writers", "Wes Anderson, Hugo Guinness", "hugo guinness|wes anderson", 0, 1, ""), "md.txt"
    )
    part = Vote(Claim("writers", "Wes Anderson", "wes anderson", 0, 1, ""), "fan.txt")
    truth = discover(
        {"writers": [part, full]}, {"md.txt": "md.txt", "fan.txt": "fan.txt"}, ["md.txt", "fan.txt"]
    )
    writers = truth.facts["writers"]
    assert writers.winner.claim.value == "Wes Anderson, Hugo Guinness" and writers.alternatives == ()
    assert writers.supporters == ("fan.txt", "md.txt")


# ---------------------------------------------------------------- cast


@pytest.mark.parametrize(
    ("character", "staged"),
    [
        ("young Kevin", ("young", "Kevin")),
        ("Young Charlotte", ("young", "Charlotte")),
        ("teen Kevin", ("teen", "Kevin")),
        ("adult Kevin", ("old", "Kevin")),
        ("Kevin", ("", "Kevin")),
        ("Youngblood Priest", ("", "Youngblood Priest")),
    ],
)
def test_the_age_a_cast_list_gives_a_character(character: str, staged: tuple[str, str]) -> None:
    assert stage(character) == staged


def test_younger_versions_name_the_grown_character_and_keep_their_own_age() -> None:
    lines = [
        ("Jaden Piner", "young Kevin"),
        ("Jharrel Jerome", "teen Kevin"),
        ("Andre Holland", "adult Kevin"),
    ]
    groups = [[("b.txt", CreditClaim(a, c, "", None, None, i, i + 1, ""))] for i, (a, c) in enumerate(lines)]
    facts = {
        f"credit:{i}:actor": Resolved(f"credit:{i}:actor", vote("actor", a, "b.txt"), False, ("b.txt",), ())
        for i, (a, _) in enumerate(lines)
    }
    merged = merge_credits(groups, facts, {"b.txt": 0.5}, set())
    assert [(c.character, c.adult_index) for c in merged] == [
        ("Young Kevin", 2),
        ("Teen Kevin", 2),
        ("adult Kevin", None),
    ]
