"""Facts, figures, songs and credits as reviews and encyclopedias word them in prose (round 3 of the ingest
rules, from films nobody had read the code for), each rule on both sides: what it reads and what it must not."""

from __future__ import annotations

import pytest

from bot.ingest.extract import Extraction, extract
from tests.ingest.pages import blog as blog_about
from tests.ingest.pages import doc


def blog(*paragraphs: str) -> Extraction:
    return blog_about(*paragraphs, film="inception")


NOLAN = "Christopher Nolan's next film was Tenet."


@pytest.mark.parametrize(
    ("paragraphs", "field", "value"),
    [
        # a surname alone is the person the document names in full elsewhere
        ((NOLAN, "It was written and directed by Nolan in London."), "director", "Christopher Nolan"),
        # a chain of credits: "him" is the director just named
        (
            (NOLAN, "It was written and directed by Nolan and produced by him and Emma Thomas."),
            "producers",
            "Christopher Nolan, Emma Thomas",
        ),
        (
            ("It was produced by Emma Thomas through their company Syncopy, with a big budget.",),
            "companies",
            "Syncopy",
        ),
        (
            ("Syncopy made it, with Legendary Pictures putting up much of the money.",),
            "companies",
            "Legendary Pictures",
        ),
        (("Lee Smith's editing keeps it legible.",), "editor", "Lee Smith"),
        (("Wally Pfister's photography is gorgeous.",), "cinematographer", "Wally Pfister"),
        # a sentence about a re-release still names the original distributor when it says so
        (
            (
                "Warner Bros., which released the film in the first place, put it back into theaters for its anniversary.",
            ),
            "distributor",
            "Warner Bros",
        ),
        (("Universal released the film on June 20, 1975, with a TV campaign.",), "distributor", "Universal"),
        (
            ("Universal released the film on June 20, 1975, with a TV campaign.",),
            "release_date",
            "1975-06-20",
        ),
        (
            ("When it originally opened, on July 16th, 2010, it felt like magic.",),
            "release_date",
            "2010-07-16",
        ),
        (
            ("It opened in theaters in the United States on 23 September 1994.",),
            "release_date",
            "1994-09-23",
        ),
        (("It holds a 91% rating on Rotten Tomatoes based on 151 reviews.",), "rotten_tomatoes", "91%"),
        (("It holds a 91% rating on Rotten Tomatoes based on 151 reviews.",), "rotten_tomatoes_count", "151"),
        (("It has a Metascore of 82 based on 22 critic reviews.",), "metacritic", "82/100"),
        (("It has a Metascore of 82 based on 22 critic reviews.",), "metacritic_count", "22"),
        (("A24 acquired its distribution rights after the festival.",), "distributor", "A24"),
    ],
)
def test_prose_facts(paragraphs: tuple[str, ...], field: str, value: str) -> None:
    assert value in blog(*paragraphs).values(field)


@pytest.mark.parametrize(
    ("paragraphs", "field"),
    [
        # a surname nobody names in full is not read as a person
        (("It was written and directed by Nolan in London.",), "director"),
        # "film rights" to a novel are the rights to adapt it, not to distribute the film
        (("Producer Scott Rudin acquired the film rights to the novel.",), "distributor"),
        # a re-release sentence that does not say it is about the original dates and credits that version
        (
            ("Warner Bros. put it back into theaters for its tenth anniversary on July 16, 2020.",),
            "release_date",
        ),
        (
            ("Warner Bros., which re-released it, put it back into theaters for its anniversary.",),
            "distributor",
        ),
        # "produced by" outside a chain of the film's credits (an album's producer)
        (("The soundtrack album was produced by Rick Rubin.",), "producers"),
    ],
)
def test_prose_facts_that_are_not_there(paragraphs: tuple[str, ...], field: str) -> None:
    assert blog(*paragraphs).values(field) == []


LEAD = "Whiplash is a 2014 American psychological drama film written and directed by Damien Chazelle."


def test_category_links_are_not_statements_about_the_film() -> None:
    page = (
        f"= Film =\n\n{LEAD}\n\n==Plot==\nAndrew drums. Fletcher shouts at him.\n\n"
        "Categories: 2014 films | Films directed by the Coen brothers | American drama films\n"
    )
    assert extract(doc(page)).values("director") == ["Damien Chazelle"]


@pytest.mark.parametrize(
    ("sentence", "genre"),
    [
        (
            "No Country for Old Men is a 2007 American neo-Western crime thriller film.",
            "neo-Western crime thriller",
        ),
        ("Whiplash is a 2014 American psychological drama film.", "psychological drama"),
    ],
)
def test_genres_with_a_capitalised_part_after_a_hyphen(sentence: str, genre: str) -> None:
    page = f"= Film =\n\n{sentence}\n\n==Plot==\nAndrew drums. Fletcher shouts at him.\n"
    assert extract(doc(page)).values("genre") == [genre]


@pytest.mark.parametrize(
    ("label", "prose", "field"),
    [
        ("Release date", "", "release_date"),
        # the document's own prose says the film premiered that day, and never that it was released then
        (
            "Released",
            "The film had its world premiere at Fantastic Fest on September 20, 2018.",
            "premiere_date",
        ),
        ("Released", "The film was released on September 20, 2018.", "release_date"),
    ],
)
def test_a_lone_release_labelled_date_is_what_the_document_says_happened_that_day(
    label: str, prose: str, field: str
) -> None:
    page = (
        f"= Film =\n\n- Director: A Person\n- {label}: 2018-09-20\n- Country: Spain\n\n{LEAD} {prose}\n\n"
        "==Plot==\nAndrew drums. Fletcher shouts at him.\n"
    )
    x = extract(doc(page))
    other = "premiere_date" if field == "release_date" else "release_date"
    assert "2018-09-20" in x.values(field)
    assert "2018-09-20" not in x.values(other)


CAST = ["- Audrey Tautou as Amélie Poulain", "- Mathieu Kassovitz as Nino Quincampoix"]


def cast(lines: list[str]) -> list[tuple[str, str]]:
    page = "\n".join(["Amélie", "", "Cast", "", *lines, "", "Amélie meets Nino. Nino loses his album."])
    return [(c.actor, c.character) for c in extract(doc(page)).credits]


def test_a_one_word_stage_name_inside_a_cast_list() -> None:
    lines = [CAST[0], "- Rufus as Raphaël Poulain", CAST[1], "- Serge Merlin as Raymond Dufayel"]
    assert ("Rufus", "Raphaël Poulain") in cast(lines)


def test_a_one_word_name_away_from_a_cast_list_is_not_a_credit() -> None:
    lines = [*CAST, "- Serge Merlin as Raymond Dufayel", "", "Later on", "", "- Paris as Montmartre"]
    assert [a for a, _ in cast(lines) if a == "Paris"] == []


@pytest.mark.parametrize(
    ("text", "song"),
    [
        (
            'Tracks include:\n\n1. "J\'y suis jamais allé" – Yann Tiersen\n2. "Les Jours tristes" (instrumental) – Yann Tiersen\n',
            ("Les Jours tristes", "Yann Tiersen", ()),
        ),
        (
            'The men join in a chorus of "Show Me the Way to Go Home", a 1925 drinking song credited to Irving King.',
            ("Show Me the Way to Go Home", "", ("Irving King",)),
        ),
        (
            'The countdown is signalled by music: Édith Piaf singing "Non, je ne regrette rien". Zimmer built his '
            "score from the Piaf song, written by Charles Dumont with words by Michel Vaucaire.",
            ("Non, je ne regrette rien", "Édith Piaf", ("Charles Dumont", "Michel Vaucaire")),
        ),
    ],
)
def test_songs(text: str, song: tuple[str, str, tuple[str, ...]]) -> None:
    found = [(s.title, s.performer, s.writers) for s in blog(text).songs]
    assert song in found


def test_a_song_referred_to_by_a_performer_with_two_songs_is_not_guessed() -> None:
    text = (
        'Piaf is heard singing "Non, je ne regrette rien" and later Édith Piaf singing "La Vie en rose". '
        "The Piaf song was written by Charles Dumont."
    )
    assert all(s.writers == () for s in blog(text).songs)
