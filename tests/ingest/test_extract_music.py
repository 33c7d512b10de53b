"""Music extraction (bot.ingest.extract.music), table-driven: songs in lists and prose, their performers
and writers, featured pre-existing music."""

from __future__ import annotations

import pytest

from bot.ingest.extract.music import TITLE_MIN_WORDS
from tests.ingest.pages import blog, values


@pytest.mark.parametrize(
    ("sentence", "song"),
    [
        (
            'The film opens on the song "Redbone" by Childish Gambino, written by Donald Glover and Ludwig Göransson.',
            ("Redbone", "Childish Gambino", ("Donald Glover", "Ludwig Göransson")),
        ),
        ('The band rehearses "Whiplash", the Hank Levy composition.', ("Whiplash", "", ("Hank Levy",))),
        (
            'Bong drops in Gianni Morandi\'s 1964 Italian hit "In ginocchio da te".',
            ("In ginocchio da te", "Gianni Morandi", ()),
        ),
        ('"Start a Fire", performed by John Legend, is catchy.', ("Start a Fire", "John Legend", ())),
        (
            '"City of Stars", which Ryan Gosling sings alone, is lovely.',
            ("City of Stars", "Ryan Gosling", ()),
        ),
        ('They tap-dance through "A Lovely Night" at twilight.', ("A Lovely Night", "", ())),
        (
            '"Hello Stranger", written and sung by Barbara Lewis, is the song on the jukebox.',
            ("Hello Stranger", "Barbara Lewis", ("Barbara Lewis",)),
        ),
        (
            'The closing song, "Itsumo Nando Demo" ("Always With Me"), was written by Youmi Kimura with lyrics by '
            "Wakako Kaku, and is sung by Youmi Kimura.",
            ("Itsumo Nando Demo", "Youmi Kimura", ("Youmi Kimura", "Wakako Kaku")),
        ),
        (
            'Caetano Veloso\'s version of "Cucurrucucu paloma", the 1954 song by Tomas Mendez, plays as he drives.',
            ("Cucurrucucu paloma", "Caetano Veloso", ("Tomas Mendez",)),
        ),
        (
            'The band plays "Sing Sing Sing", the 1936 song by Louis Prima.',  # no performer known: it is his
            ("Sing Sing Sing", "Louis Prima", ()),
        ),
        (  # "by" right after the title: the recording's performer
            'The opening scene plays over the song "Ball and Biscuit" by the White Stripes.',
            ("Ball and Biscuit", "the White Stripes", ()),
        ),
        (
            'The end credits roll to the song "Baby, You\'re a Rich Man" by the Beatles, written by John Lennon.',
            ("Baby, You're a Rich Man", "the Beatles", ("John Lennon",)),
        ),
        (  # a performer named otherwise is kept; "by" then names nobody new
            'The song "Hello Stranger", sung by Barbara Lewis, plays.',
            ("Hello Stranger", "Barbara Lewis", ()),
        ),
    ],
)
def test_songs_in_prose(sentence: str, song: tuple[str, str, tuple[str, ...]]) -> None:
    assert [(s.title, s.performer, s.writers) for s in blog(sentence).songs] == [song]


@pytest.mark.parametrize(
    "sentence",
    [
        'She holds the "My house, my rules, my coffee" mug.',  # no music in the sentence
        'They perform in the "Chapel" tonight.',  # one word: not a title by itself
        'The crowd sings "blood bag" over and over.',  # not written as a title
    ],
)
def test_quotations_that_are_not_songs(sentence: str) -> None:
    assert blog(sentence).songs == []


def test_a_song_title_needs_two_words_written_as_a_title() -> None:
    words = " ".join(["Word"] * TITLE_MIN_WORDS)
    assert [s.title for s in blog(f'They dance to "{words}".').songs] == [words]
    assert blog(f'They dance to "{" ".join(["Word"] * (TITLE_MIN_WORDS - 1))}".').songs == []


def test_a_song_named_twice_is_one_song_with_what_each_mention_says() -> None:
    x = blog(
        'Kevin plays Barbara Lewis\'s "Hello Stranger" on the jukebox.',
        '"Hello Stranger", written by Barbara Lewis, is the song on the jukebox.',
    )
    assert [(s.title, s.performer, s.writers) for s in x.songs] == [
        ("Hello Stranger", "Barbara Lewis", ("Barbara Lewis",))
    ]


def test_a_song_credit_clause_stops_at_the_next_title() -> None:
    x = blog('They play "Classic Man" and "Wake Up Now", written by Ann Other, in the car.')
    assert [(s.title, s.writers) for s in x.songs] == [("Classic Man", ()), ("Wake Up Now", ("Ann Other",))]


def test_the_film_itself_is_not_a_song() -> None:
    x = blog('"Whiplash" is a 2014 film. The band plays "Whiplash" in the score.')
    assert [s.title for s in x.songs] == []


@pytest.mark.parametrize(
    ("sentence", "featured"),
    [
        (
            "The soundtrack features big band arrangements of Ellington, Wilson, and Kenton.",
            "Ellington; Wilson; Kenton",
        ),
        (
            'Rawlings also used part of Howard Hanson\'s Symphony No. 2 "Romantic" over the end credits of the score.',
            'Howard Hanson: Symphony No. 2 "Romantic"',
        ),
        (
            'The film uses "On the Nature of Daylight", a 2004 piece by Max Richter.',
            'Max Richter: "On the Nature of Daylight"',
        ),
        ("The soundtrack includes a movement of a Vivaldi concerto.", "Vivaldi"),
    ],
)
def test_featured_music(sentence: str, featured: str) -> None:
    assert values(blog(sentence), "featured") == [featured]
