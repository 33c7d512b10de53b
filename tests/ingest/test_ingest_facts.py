"""What the knowledge database says, checked against what the documents say, traps included."""

from __future__ import annotations

import json
import sqlite3

import pytest

from bot.ingest.text import normalise

P = "001_976fb35c43b5aed4.txt"  # the machine-rewritten copy
Q = "002_85840959d0d38c4d.txt"  # the fan-site Q&A
W = "003_fa2efec3392b4419.txt"  # the encyclopedia article
B = "000_655aa728681d0709.txt"  # the blog that invents plot events


def fact(
    sql: sqlite3.Connection, field: str, slug: str = "the-perfection"
) -> tuple[str, list[str], list[list[object]]]:
    row = sql.execute(
        "SELECT value, documents, alternatives FROM facts JOIN films ON films.id = film_id "
        "WHERE slug = ? AND field = ?",
        (slug, field),
    ).fetchone()
    assert row is not None, f"no fact {field}"
    return row[0], json.loads(row[1]), json.loads(row[2])


def test_mojibake_is_repaired() -> None:
    assert normalise("Ruth Willmore is dyingâ€”neither") == "Ruth Willmore is dying—neither\n"
    assert normalise("“quoted” it’s") == '"quoted" it\'s\n'


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "The Perfection"),
        ("genre", "psychological horror thriller"),
        ("director", "Richard Shepard"),
        ("composer", "Paul Haslinger"),
        ("cinematographer", "Vanja Černjul"),
        ("editor", "David Dean"),
        ("distributor", "Netflix"),
        ("runtime", "90 minutes"),
        ("country", "United States"),
        ("language", "English"),
        ("premiere", "September 20, 2018 at Fantastic Fest"),
        ("release", "May 24, 2019 (United States) by Netflix"),
        ("trailer", "April 15, 2019"),
        ("imdb", "6.2/10"),
        ("metacritic", "60/100"),
        ("metacritic_count", "15"),
        ("streaming", "Netflix"),
    ],
)
def test_overview_facts(sql: sqlite3.Connection, field: str, value: str) -> None:
    assert fact(sql, field)[0] == value


def test_writers_are_one_set_however_spelled(sql: sqlite3.Connection) -> None:
    value, _, alternatives = fact(sql, "writers")
    assert set(value.split(", ")) == {"Richard Shepard", "Eric Charmelo", "Nicole Snyder"}
    assert alternatives == []  # "Eric C. Charmelo" and "Shepard" are the same people


def test_year_is_the_premiere_year_and_2019_is_an_alternative(sql: sqlite3.Connection) -> None:
    value, _, alternatives = fact(sql, "year")
    assert value == "2018"
    assert alternatives == [["2019", [P]]]
    assert fact(sql, "release_date")[0] == "May 24, 2019"


def test_three_rotten_tomatoes_figures_resolve_to_the_most_reliable(sql: sqlite3.Connection) -> None:
    value, documents, alternatives = fact(sql, "rotten_tomatoes")
    assert value == "70%" and documents == [W]
    assert sorted(alternatives) == [["71%", [Q]], ["73% (85 reviews, average 6.58/10)", [P]]]
    count = sql.execute("SELECT count FROM figures WHERE fact = 'rotten_tomatoes' AND film_id = 1").fetchone()
    assert count == (98,)


def garbles(sql: sqlite3.Connection) -> set[tuple[str, str, str, str, str]]:
    return set(sql.execute("SELECT document, original, what, value, garbled FROM garbles WHERE film_id = 1"))


def test_rewritten_copy_garbles_are_not_alternatives_but_its_songwriters_are_merged(
    sql: sqlite3.Connection,
) -> None:
    rows = sql.execute(
        "SELECT f.value, f.alternatives, s.performer, s.writers FROM songs s JOIN facts f "
        "ON f.film_id = s.film_id AND f.field = s.title_fact WHERE s.film_id = 1 ORDER BY s.idx"
    ).fetchall()
    titles = [r[0] for r in rows]
    assert titles == [
        "At Least I Still Have You",
        "Ready or Not",
        "Let's Make This a Moment to Remember",
        "It's On",
        "Petals",
    ]
    assert all(json.loads(r[1]) == [] for r in rows)  # a copy's garbled title is not an alternative
    assert (P, W, "Song title", "At Least I Still Have You", "At any rate I Still Have You") in garbles(sql)
    assert (P, W, "Song title", "Ready or Not", "Prepared or Not") in garbles(sql)
    assert json.loads(rows[0][3]) == ["Jason Zachary Parris", "Lestley Renaldo Pierce", "Rose Liu"]
    assert json.loads(rows[4][3]) == ["Courtney Love", "Eric Erlandson", "Billy Corgan"]
    theis = sql.execute(
        "SELECT actor, fact FROM credits WHERE film_id = 1 AND character = 'Theis'"
    ).fetchone()
    assert theis[0] == "Mark Kandborg"
    assert fact(sql, theis[1])[2] == []  # never "also credited as"
    assert (P, W, "Theis (actor)", "Mark Kandborg", "Imprint Kandborg") in garbles(sql)
    assert sql.execute("SELECT count(*) FROM credits WHERE actor LIKE 'Imprint%'").fetchone() == (0,)
    chapel = sql.execute("SELECT group_concat(text, ' ') FROM beats WHERE film_id = 1").fetchone()[0]
    assert "Chapel" in chapel and "Sanctuary" not in chapel


def test_copies_are_one_witness(sql: sqlite3.Connection) -> None:
    docs = dict(sql.execute("SELECT name, copy_of FROM documents WHERE film_id = 1").fetchall())
    assert docs[P] == W and docs[W] is None and docs[Q] is None
    witness = dict(sql.execute("SELECT name, witness FROM documents WHERE film_id = 1").fetchall())
    assert witness[P] == witness[W] != witness[Q]
    reliability = dict(sql.execute("SELECT name, reliability FROM documents WHERE film_id = 1").fetchall())
    assert reliability[P] < reliability[W]


def test_cast_has_every_credit_with_fullest_names_and_younger_versions(sql: sqlite3.Connection) -> None:
    rows = sql.execute(
        "SELECT billing, actor, character, note, note_spoiler, adult_billing FROM credits WHERE film_id = 1 ORDER BY billing"
    ).fetchall()
    assert len(rows) == 31
    by_actor = {r[1]: r for r in rows}
    assert by_actor["Allison Williams"][2] == "Charlotte Willmore"
    assert by_actor["Logan Browning"][2] == 'Elizabeth "Lizzie" Wells'
    assert by_actor["Molly Grace"][5] == by_actor["Allison Williams"][0]
    assert by_actor["Milah Thompson"][5] == by_actor["Logan Browning"][0]
    anton = by_actor["Steven Weber"]
    assert anton[3] == "the head of Bachoff Academy"
    assert anton[4] == "who is secretly running an abusive sex cult"
    assert by_actor["Stephen Chang"][2] == "Older Male Bus Passenger"
    assert [r[1] for r in rows[:3]] == ["Allison Williams", "Logan Browning", "Steven Weber"]


def test_plot_is_the_supported_one_and_invented_events_stay_out(sql: sqlite3.Connection) -> None:
    beats = sql.execute(
        "SELECT text, spoil, part, document FROM beats WHERE film_id = 1 ORDER BY idx"
    ).fetchall()
    told = " ".join(b[0] for b in beats)
    assert {b[3] for b in beats} == {W}
    for invented in ("food poisoning", "strange village", "ritual"):
        assert invented not in told
    rejected = " ".join(r[0] for r in sql.execute("SELECT text FROM rejected WHERE document = ?", (B,)))
    assert "strange village" in rejected
    assert "sex cult" in told and "sewn shut" in told  # the rewritten copy's paraphrase supports the ending
    assert all(b[1] > 0 for b in beats)
    assert beats[-1][2] == "end" and beats[-1][1] == 3
    premise = sql.execute("SELECT premise FROM films WHERE id = 1").fetchone()[0]
    assert premise.startswith("Charlotte Willmore is a talented young cellist")
    assert "revealed" not in premise


def test_reception_quotes_and_reviewer_rating(sql: sqlite3.Connection) -> None:
    quotes = sql.execute("SELECT critic, outlet, grade FROM quotes WHERE film_id = 1 ORDER BY idx").fetchall()
    assert ("Katie Rife", "The A.V. Club", "B−") in quotes
    assert ("Barry Hertz", "The Globe and Mail", "1.5/4") in quotes
    assert len(quotes) == 5
    assert fact(sql, "reviewer:004_645a023d3b447f4d.txt")[0] == "3.5/5"
    assert fact(sql, "metacritic_verdict")[2] == []
    assert (P, W, "Metacritic verdict", "mixed or average reviews", "blended or normal surveys") in garbles(
        sql
    )


def test_every_fact_points_into_its_document(sql: sqlite3.Connection) -> None:
    texts = {(f, n): t for f, n, t in sql.execute("SELECT film_id, name, text FROM documents")}
    rows = sql.execute("SELECT film_id, field, value, document, start, end, sentence FROM facts").fetchall()
    assert rows
    for film_id, field, _, document, start, end, sentence in rows:
        text = texts[(film_id, document)]
        assert 0 <= start < end <= len(text), field
        assert sentence in text, field


def test_a_second_film_in_other_shapes_needs_no_code(sql: sqlite3.Connection) -> None:
    """Whiplash: single-space cast lines, a spun copy, songs named only in a blog's prose."""
    assert fact(sql, "title", "whiplash")[0] == "Whiplash"
    assert fact(sql, "director", "whiplash")[0] == "Damien Chazelle"
    assert fact(sql, "runtime", "whiplash")[0] == "107 minutes"
    docs = dict(sql.execute("SELECT name, copy_of FROM documents WHERE film_id = 2").fetchall())
    assert docs == {
        "sticks-and-skins-blog.txt": None,
        "whiplash-fanpage.txt": None,
        "whiplash-movie-facts.txt": "wikipedia.txt",
        "wikipedia.txt": None,
    }
    actors = {a for (a,) in sql.execute("SELECT actor FROM credits WHERE film_id = 2")}
    assert {"Miles Teller", "J. K. Simmons", "Austin Stowell"} <= actors
    songs = dict(
        sql.execute(
            "SELECT f.value, s.writers FROM songs s JOIN facts f ON f.film_id = s.film_id "
            "AND f.field = s.title_fact WHERE s.film_id = 2"
        ).fetchall()
    )
    assert json.loads(songs["Caravan"]) == ["Juan Tizol", "Duke Ellington"]
    assert fact(sql, "featured", "whiplash")[0] == "Duke Ellington; Stan Kenton"
