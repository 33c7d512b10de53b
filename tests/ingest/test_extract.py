"""The film's own facts (bot.ingest.extract), table-driven on small documents: crew, companies, dates,
runtime, figures, titles, infobox rows and labels; what each pattern reads, and what it must not."""

from __future__ import annotations

import pytest

from bot.ingest.extract import Extraction, extract
from bot.ingest.labels import infobox_field
from tests.ingest.pages import ALIEN, LEAD, blog, doc, values


@pytest.mark.parametrize(
    ("sentence", "field", "value"),
    [
        ("The film was directed by Damien Chazelle.", "director", "Damien Chazelle"),
        (
            "George Miller directed it and wrote it with Brendan McCarthy and Nico Lathouris.",
            "writers",
            "George Miller, Brendan McCarthy, Nico Lathouris",
        ),
        ("Damien Chazelle, who wrote and directed it, follows up.", "writers", "Damien Chazelle"),
        (
            "The score was composed by Trent Reznor and Atticus Ross.",
            "composer",
            "Trent Reznor and Atticus Ross",
        ),
        ("Justin Hurwitz's score swings.", "composer", "Justin Hurwitz"),
        (
            "The music is by Jung Jae-il, the cinematography by Hong Kyung-pyo and the editing by Yang Jin-mo.",
            "editor",
            "Yang Jin-mo",
        ),
        ("It was produced by Kwak Sin-ae and Moon Yang-kwon for Barunson E&A.", "companies", "Barunson E&A"),
        ("CJ Entertainment distributed the film in South Korea.", "distributor", "CJ Entertainment"),
        (
            "It was released on October 3, 2014, distributed by 20th Century Fox.",
            "distributor",
            "20th Century Fox",
        ),
        ("Parasite is a Korean-language film made in South Korea.", "language", "Korean"),
        ("No Country for Old Men is a 2007 American crime thriller film.", "title", "No Country for Old Men"),
        ("Some Like It Hot is a 1959 American romantic comedy film.", "title", "Some Like It Hot"),
        ("Parasite is a Korean-language film made in South Korea.", "country", "South Korea"),
        ("The duration of the film is 107 minutes.", "runtime", "107 minutes"),
        ("At 128 minutes it never outstays its welcome.", "runtime", "128 minutes"),
        ("It sits at 97% on Rotten Tomatoes from 456 reviews.", "rotten_tomatoes", "97%"),
        ("It scored 96 on Metacritic.", "metacritic", "96/100"),
        ("IMDB rating is 8.5/10.", "imdb", "8.5/10"),
        ("It still has an 8.6 on IMDb, for what that's worth.", "imdb", "8.6/10"),
        (
            "Moonlight is a 2016 coming-of-age drama written and directed by Barry Jenkins.",
            "genre",
            "coming-of-age drama",
        ),
        ("Welcome to our page on Hayao Miyazaki's 2001 animated fantasy film.", "genre", "animated fantasy"),
        ("Welcome to our page on Hayao Miyazaki's 2001 animated fantasy film.", "year", "2001"),
        ("James Laxton shot it in saturated colors.", "cinematographer", "James Laxton"),
        ("It was cut by Joi McMillon & Nat Sanders.", "editor", "Joi McMillon and Nat Sanders"),
        (
            "It came with A24, Plan B Entertainment and Pastel as the production companies.",
            "companies",
            "A24, Plan B Entertainment, Pastel",
        ),
        (
            "Hollywood Pictures and The Kennedy/Marshall Company were the production companies.",
            "companies",
            "Hollywood Pictures, The Kennedy/Marshall Company",
        ),
        ("A24 also distributed it.", "distributor", "A24"),
        (
            "It was made by FilmNation Entertainment, Lava Bear Films & 21 Laps Entertainment, and Paramount Pictures released it.",
            "companies",
            "FilmNation Entertainment, Lava Bear Films, 21 Laps Entertainment",
        ),
        ("It opened in US theaters on October 21st, 2016.", "release_date", "2016-10-21"),
        ("It's only 1h 51m long.", "runtime", "111 minutes"),
        ("It runs two hours and 22 minutes.", "runtime", "142 minutes"),
        ("It hit US theaters on 12/15/1995.", "release_date", "1995-12-15"),
        ("M. Night Shyamalan wrote and directed it.", "director", "M. Night Shyamalan"),
        (
            "The Matrix is a 1999 science fiction film written and directed by the Wachowskis.",
            "director",
            "the Wachowskis",
        ),
        ("It was directed by the Coen brothers.", "director", "the Coen brothers"),
        (
            "Filming began in Sydney, with Bill Pope as director of photography.",
            "cinematographer",
            "Bill Pope",
        ),
        ("Producer Joel Silver persuaded the studio.", "producers", "Joel Silver"),
        ("M. Night Shyamalan wrote and directed it.", "writers", "M. Night Shyamalan"),
        (
            "It was shot by Dante Spinotti, scored by Elliot Goldenthal and cut by Dov Hoenig & Tom Rolf.",
            "composer",
            "Elliot Goldenthal",
        ),
        (
            "It was shot by Dante Spinotti, scored by Elliot Goldenthal and cut by Dov Hoenig & Tom Rolf.",
            "editor",
            "Dov Hoenig and Tom Rolf",
        ),
        ("They made it for Warner Bros., which also distributed it.", "distributor", "Warner Bros"),
    ],
)
def test_prose_facts(sentence: str, field: str, value: str) -> None:
    assert value in values(blog(sentence), field)


@pytest.mark.parametrize(
    ("sentence", "field"),
    [
        (
            "Netflix released the trailer on April 15, 2019.",
            "release_date",
        ),  # a trailer's date, not the film's
        ("The film features music by Duke Ellington and Stan Kenton.", "composer"),  # featured, not the score
        ("Harlan had told his son he would cut his allowance.", "writers"),
        ("The first hour is basically just people walking.", "runtime"),
        ("It is based on a short story by Ted Chiang.", "writers"),  # a source's author
        ("Lizzie is a 2016 coming-of-age heroine.", "genre"),  # no genre noun, no film
        ("There is a kind of movie that is supposed to be impossible.", "title"),  # "There" names nothing
        ("There is a kind of movie that is supposed to be impossible.", "genre"),  # "kind of" is no genre
        ("Here is a sort of film nobody makes any more.", "title"),
        ("Jaws is a kind of movie that made the summer.", "genre"),  # a title, but "kind of" is no genre
        ("The dub came out in US cinemas on September 20, 2002.", "release_date"),  # another version's
        ("The 4K restoration was released on May 1, 2020.", "release_date"),
        ("The English dub was directed by Kirk Wise.", "director"),
        ("It was made by Denis Villeneuve in Montreal.", "companies"),  # a person: not a company
        ("Executive producer Steven Spielberg backed it.", "producers"),
    ],
)
def test_prose_facts_that_are_not_there(sentence: str, field: str) -> None:
    assert values(blog(sentence), field) == []


@pytest.mark.parametrize(
    ("label", "dates", "premiere", "release"),
    [
        (
            "Released",
            "January 16, 2014 (Sundance) and October 10, 2014 (United States)",
            "2014-01-16",
            "2014-10-10",
        ),
        ("Released", "May 25, 1979 (United States); September 6, 1979 (United Kingdom)", None, "1979-05-25"),
        (
            "Released",
            "2018-09-20 and 2019-05-24",
            "2018-09-20",
            "2019-05-24",
        ),  # the first showing, then a release
        ("Release date", "September 23rd, 1994", None, "1994-09-23"),  # one date: what its label calls it
        ("Premiere", "2018-09-20", "2018-09-20", None),
    ],
)
def test_release_dates_by_where_they_were_shown(
    label: str, dates: str, premiere: str | None, release: str | None
) -> None:
    x = extract(
        doc(
            f"= Film =\n\n- Director: A Person\n- {label}: {dates}\n- Country: Spain\n\n{LEAD}\n\n==Plot==\nx\n"
        )
    )
    assert (values(x, "premiere_date") or [None])[0] == premiere
    assert (values(x, "release_date") or [None])[0] == release


@pytest.mark.parametrize(
    ("page", "film", "title", "year"),
    [
        (
            "= Alien (film) =\n\n",
            "alien",
            "Alien",
            None,
        ),  # an encyclopedia's own title, disambiguation dropped
        ("The Perfection (2018)\n\n", "", "The Perfection", "2018"),  # a headline shaped "Title (Year)"
        (
            "Why Get Out Is the Best Horror Film of the Decade\n\n",
            "",
            None,
            None,
        ),  # a headline is not a title
        ("Review: La La Land (2016)\n\n", "la-la-land", "La La Land", "2016"),
    ],
)
def test_titles(page: str, film: str, title: str | None, year: str | None) -> None:
    x = extract(
        doc(page + "It is a 1979 science fiction film.\n\n==Plot==\nx\n"),
        film,
    )
    assert (values(x, "title") or [None])[0] == title
    assert (values(x, "year") or [None])[0] == year


def test_the_year_of_the_first_showing_when_no_year_is_given() -> None:
    x = blog("The film premiered at the TCL Chinese Theatre in Los Angeles on May 7, 2015.")
    assert values(x, "year") == ["2015"] and values(x, "premiere_venue") == ["TCL Chinese Theatre"]


def test_infobox_rows_for_one_list_are_one_claim() -> None:
    x = extract(
        doc(
            f"= Alien =\n\n- Screenplay by: Dan O'Bannon\n- Story by: Dan O'Bannon, Ronald Shusett\n- Director: Ridley Scott\n\n{ALIEN}\n\n==Plot==\nx\n"
        )
    )
    assert values(x, "writers") == ["Dan O'Bannon, Ronald Shusett"]


def test_a_labelled_list_is_not_added_to_by_names_in_passing() -> None:
    page = f"= Alien =\n\n- Produced by: Gordon Carroll\n- Director: Ridley Scott\n- Music: Jerry Goldsmith\n\n{ALIEN}\n\nProducer Walter Hill rewrote it.\n\n==Plot==\nx\n"
    assert values(extract(doc(page)), "producers")[0] == "Gordon Carroll"


def test_a_reviews_front_matter_states_facts_with_labels() -> None:
    page = '---\ntitle: "Twenty-five years later, it still plays fair"\nfilm: "The Sixth Sense"\nyear: 1999\ndirector: "M. Night Shyamalan"\nrating: "4.5/5"\n---\n\nA review.\n'
    x = extract(doc(page, "review.md"))
    assert values(x, "title") == ["The Sixth Sense"]  # the film's, not the post's headline
    assert values(x, "year") == ["1999"] and values(x, "director") == ["M. Night Shyamalan"]
    assert all(c.labelled for c in x.claims if c.field in {"year", "director"})


def test_a_documents_writers_named_in_several_places_are_one_claim() -> None:
    x = blog(
        "Moonlight is a 2016 coming-of-age drama written and directed by Barry Jenkins.",
        "Jenkins wrote the screenplay from a story by Tarell Alvin McCraney.",
        "It was released by Buena Vista Pictures on May 1, 2016. Buena Vista Pictures Distribution distributed the film.",
        film="moonlight",
    )
    assert values(x, "writers") == ["Barry Jenkins, Tarell Alvin McCraney"]
    assert values(x, "distributor") == ["Buena Vista Pictures Distribution"]  # one company, named twice


def test_a_list_of_facts_further_down_a_blog_is_read_with_its_labels() -> None:
    prose = "I rewatched it last week and it is still wonderful to see on a big screen with friends."

    def details(rows: list[str]) -> Extraction:
        lines = "\n".join(rows)
        return extract(doc(f"My thoughts\n\n{prose}\n\nThe story\n\n{prose}\n\nDetails\n\n{lines}\n"))

    rows = ["- Directed by: Denis Villeneuve", "- Screenplay: Eric Heisserer", "- Running time: 1 hr 56 min"]
    x = details(rows)
    assert values(x, "director") == ["Denis Villeneuve"] and values(x, "runtime")[0] == "116 minutes"
    assert all(c.labelled for c in x.claims if c.field in {"director", "writers"})
    assert values(details(rows[:2]), "director") == []  # two lines with colons are not a list of facts


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Release date(s)", "release_date"),
        ("Producers", "producers"),
        ("Production companies", "companies"),
        ("Production\ncompanies", "companies"),
        ("Directed by:", "director"),
        ("Director(s)", "director"),
        ("Film editing", "editor"),
        ("Director of photography", "cinematographer"),
        ("Studios", "companies"),
        ("Countries", "country"),
        ("Original language", "language"),
        ("Running time", "runtime"),
        ("Based on", None),
        ("Starring", None),
    ],
)
def test_infobox_labels_however_spelled(label: str, field: str | None) -> None:
    assert infobox_field(label) == field


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("Directed by", True),
        ("Production companies", True),
        ("Starring", True),
        ("Box office", True),
        ("Release dates", True),
        ("David Fincher", False),
        ("United States", False),
        ("directed by", False),  # a label begins with a capital
        ("Directed by the man who made the best film of the year", False),  # too many words for a label
    ],
)
def test_a_line_standing_alone_is_a_label(line: str, label: bool) -> None:
    from bot.ingest.labels import is_label

    assert is_label(line) is label
