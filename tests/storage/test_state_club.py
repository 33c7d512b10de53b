"""Ratings and the club's history in the state store, on both backends (see conftest.py): one rating per member
and film however often it is given, reviews kept or replaced as asked, verdicts, and nights recorded once with
who was going, whatever happens to the night or the film afterwards."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.state import UNSET, StateStore, Verdict
from tests.fakes import (
    ARRIVAL,
    PERFECTION,
)
from tests.storage.state_helpers import NOW, START, make_night

GUILD = 1 << 22
OTHER_GUILD = 2 << 22
ALICE, BOB, CAROL = 101, 102, 103


async def test_a_member_has_one_rating_per_film_however_often_they_rate(store: StateStore) -> None:
    first = await store.rate(GUILD, PERFECTION, ALICE, 8, now=NOW)
    assert first.previous is None and first.changed and first.verdict.count == 1
    again = await store.rate(GUILD, PERFECTION, ALICE, 8, now=NOW + timedelta(seconds=1))  # a double click
    assert again.previous == first.rating and not again.changed
    assert again.verdict == first.verdict == Verdict.of({8: 1})
    changed = await store.rate(GUILD, PERFECTION, ALICE, 5, now=NOW + timedelta(minutes=1))
    assert changed.changed and changed.previous is not None and changed.previous.half_stars == 8
    assert changed.verdict == Verdict.of({5: 1})
    assert changed.rating.created_at == NOW and changed.rating.updated_at == NOW + timedelta(minutes=1)

    await store.rate(GUILD, PERFECTION, BOB, 10, now=NOW)
    await store.rate(OTHER_GUILD, PERFECTION, CAROL, 1, now=NOW)  # another server's club
    verdict = await store.verdict(GUILD, PERFECTION.slug)
    assert (verdict.count, verdict.average) == (2, 3.75)
    assert verdict.distribution == (0, 0, 0, 0, 1, 0, 0, 0, 0, 1)
    assert await store.verdict(GUILD, ARRIVAL.slug) == Verdict() and Verdict().average is None


async def test_rating_many_times_at_once_still_counts_once(store: StateStore) -> None:
    await asyncio.gather(*(store.rate(GUILD, PERFECTION, ALICE, 1 + n % 10, now=NOW) for n in range(12)))
    assert (await store.verdict(GUILD, PERFECTION.slug)).count == 1


async def test_reviews_are_kept_replaced_or_removed_as_asked(store: StateStore) -> None:
    await store.rate(GUILD, PERFECTION, ALICE, 7, now=NOW, review="Loved the ||twist||", spoiler=False)
    kept = await store.rate(GUILD, PERFECTION, ALICE, 9, now=NOW + timedelta(seconds=5))
    assert (kept.rating.review, kept.rating.spoiler, kept.rating.half_stars) == (
        "Loved the ||twist||",
        False,
        9,
    )
    flagged = await store.rate(GUILD, PERFECTION, ALICE, 9, now=NOW, spoiler=True)
    assert flagged.rating.review == "Loved the ||twist||" and flagged.rating.spoiler and flagged.changed
    replaced = await store.rate(GUILD, PERFECTION, ALICE, 9, now=NOW, review="Second thoughts", spoiler=False)
    assert (replaced.rating.review, replaced.rating.spoiler) == ("Second thoughts", False)
    cleared = await store.rate(GUILD, PERFECTION, ALICE, 9, now=NOW, review=None, spoiler=UNSET)
    assert cleared.rating.review is None


async def test_reviews_newest_first_and_unrate(store: StateStore) -> None:
    await store.rate(GUILD, PERFECTION, ALICE, 7, now=NOW, review="first")
    await store.rate(GUILD, PERFECTION, BOB, 4, now=NOW + timedelta(hours=1), review="second", spoiler=True)
    await store.rate(GUILD, PERFECTION, CAROL, 6, now=NOW + timedelta(hours=2))  # stars only
    reviews = await store.reviews(GUILD, PERFECTION.slug)
    assert [(r.user_id, r.review, r.spoiler) for r in reviews] == [
        (BOB, "second", True),
        (ALICE, "first", False),
    ]
    removed = await store.unrate(GUILD, PERFECTION.slug, BOB)
    assert removed is not None and removed.review == "second"
    assert await store.unrate(GUILD, PERFECTION.slug, BOB) is None
    assert await store.rating(GUILD, PERFECTION.slug, BOB) is None
    assert (await store.verdict(GUILD, PERFECTION.slug)).count == 2


async def test_a_rating_is_half_stars_one_to_ten(store: StateStore) -> None:
    for bad in (0, 11, -1):
        with pytest.raises(ValueError, match="half stars"):
            await store.rate(GUILD, PERFECTION, ALICE, bad, now=NOW)

    async def sneak(conn: AsyncConnection, maybe_committed: bool) -> None:
        await conn.execute(
            text(
                "INSERT INTO ratings (guild_id, film_slug, user_id, film_title, half_stars, spoiler, created_at,"
                " updated_at) VALUES (1, 'x', 1, 'X', 11, false, 0, 0)"
            )
        )

    with pytest.raises(IntegrityError):  # the database refuses it too
        await store.db.write(sneak)


async def test_rated_films_keep_their_title_when_the_library_changes(store: StateStore) -> None:
    await store.rate(GUILD, ARRIVAL, ALICE, 9, now=NOW)
    await store.rate(GUILD, PERFECTION, ALICE, 6, now=NOW)
    rated = await store.rated_films(GUILD)
    assert [(film, verdict.count) for film, verdict in rated] == [(ARRIVAL, 1), (PERFECTION, 1)]
    assert await store.rated_films(OTHER_GUILD) == []


async def test_a_night_that_ended_is_recorded_once_with_who_was_going(store: StateStore) -> None:
    night = await make_night(store, guild_id=GUILD)
    for member, answer in ((ALICE, "going"), (BOB, "maybe"), (CAROL, "going")):
        await store.set_rsvp(night.id, member, answer, now=NOW)  # type: ignore[arg-type]
    assert await store.record_screenings(now=night.ends_at - timedelta(seconds=1), guild_id=GUILD) == []
    (recorded,) = await store.record_screenings(now=night.ends_at, guild_id=GUILD)
    assert (recorded.night_id, recorded.film, recorded.attendance) == (night.id, PERFECTION, 2)
    assert (recorded.starts_at, recorded.ends_at, recorded.runtime_minutes) == (START, night.ends_at, 90)
    assert await store.record_screenings(now=night.ends_at + timedelta(days=1)) == []  # never twice
    assert await store.attendees(night.id) == [ALICE, CAROL]
    assert [s.night_id for s in await store.screenings(GUILD)] == [night.id]
    assert await store.watched(GUILD, [PERFECTION.slug, ARRIVAL.slug]) == {PERFECTION.slug}


async def test_recording_from_several_processes_at_once_records_once(state_location: Path | str) -> None:
    stores = await asyncio.gather(*(StateStore.open(state_location) for _ in range(3)))
    try:
        night = await make_night(stores[0], guild_id=GUILD)
        await stores[0].set_rsvp(night.id, ALICE, "going", now=NOW)
        results = await asyncio.gather(*(s.record_screenings(now=night.ends_at) for s in stores))
        assert sorted(len(r) for r in results) == [0, 0, 1]
        assert (await stores[1].screening(night.id)) is not None
        assert await stores[2].attendees(night.id) == [ALICE]
    finally:
        for opened in stores:
            await opened.close()


async def test_cancelled_and_future_nights_are_not_history(store: StateStore) -> None:
    cancelled = await make_night(store, guild_id=GUILD)
    await store.cancel_night(cancelled.id, now=NOW)
    later = await make_night(store, guild_id=GUILD, start=START + timedelta(days=7))
    assert await store.record_screenings(now=cancelled.ends_at + timedelta(hours=1)) == []
    assert await store.screenings(GUILD) == []
    assert [s.night_id for s in await store.record_screenings(now=later.ends_at)] == [later.id]


async def test_history_is_a_copy_newest_first_with_regulars(store: StateStore) -> None:
    first = await make_night(store, guild_id=GUILD)
    second = await make_night(store, guild_id=GUILD, start=START + timedelta(days=7))
    elsewhere = await make_night(store, guild_id=OTHER_GUILD)
    for night, members in ((first, (ALICE, BOB)), (second, (ALICE,)), (elsewhere, (CAROL,))):
        for member in members:
            await store.set_rsvp(night.id, member, "going", now=NOW)
    await store.record_screenings(now=second.ends_at)
    await store.update_night(second.id, now=second.ends_at, film=ARRIVAL)  # changed afterwards: no effect
    listed = await store.screenings(GUILD)
    assert [(s.night_id, s.film, s.attendance) for s in listed] == [
        (second.id, PERFECTION, 1),
        (first.id, PERFECTION, 2),
    ]
    assert await store.regulars(GUILD) == [(ALICE, 2), (BOB, 1)]
    assert await store.regulars(OTHER_GUILD) == [(CAROL, 1)]
    assert await store.screenings(GUILD, limit=1) == listed[:1]


async def test_club_films_are_watched_or_rated_ones(store: StateStore) -> None:
    night = await make_night(store, guild_id=GUILD)
    await store.record_screenings(now=night.ends_at)
    await store.rate(GUILD, ARRIVAL, ALICE, 6, now=NOW)
    assert await store.club_films(GUILD) == [ARRIVAL, PERFECTION]
    assert await store.club_films(OTHER_GUILD) == []


async def test_a_servers_verdicts_are_read_once_and_follow_this_process_ratings(
    store: StateStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.rate(GUILD, PERFECTION, ALICE, 8, now=NOW)
    await store.rate(OTHER_GUILD, PERFECTION, CAROL, 2, now=NOW)
    reads: list[int] = []
    real = store.verdicts

    async def counted(guild_id: int, slugs: list[str] | None = None) -> dict[str, Verdict]:
        reads.append(guild_id)
        return await real(guild_id, slugs)

    monkeypatch.setattr(store, "verdicts", counted)
    store._verdict_cache().clear()
    films = [PERFECTION.slug, ARRIVAL.slug, *(f"film-{n}" for n in range(30))]
    verdicts = await asyncio.gather(*(store.verdict(GUILD, slug) for slug in films))
    assert verdicts[0] == Verdict.of({8: 1}) and set(verdicts[1:]) == {Verdict()}
    assert reads == [GUILD]  # one read for the whole server, however many films and askers at once
    assert await store.verdict(OTHER_GUILD, PERFECTION.slug) == Verdict.of({2: 1})  # never the other's
    assert reads == [GUILD, OTHER_GUILD]

    await store.rate(GUILD, ARRIVAL, BOB, 10, now=NOW)  # this process's rating shows at once
    assert await store.verdict(GUILD, ARRIVAL.slug) == Verdict.of({10: 1})
    await store.unrate(GUILD, PERFECTION.slug, ALICE)  # and so does its removal
    assert await store.verdict(GUILD, PERFECTION.slug) == Verdict()
    assert await store.verdict(GUILD, ARRIVAL.slug) == Verdict.of({10: 1})
    assert await store.verdict(OTHER_GUILD, PERFECTION.slug) == Verdict.of({2: 1})


async def test_a_rating_made_by_another_process_shows_once_the_verdicts_are_stale(
    state_location: Path | str, store: StateStore
) -> None:
    assert await store.verdict(GUILD, PERFECTION.slug) == Verdict()
    other = await StateStore.open(state_location)
    try:
        await other.rate(GUILD, PERFECTION, BOB, 6, now=NOW)
    finally:
        await other.close()
    assert await store.verdict(GUILD, PERFECTION.slug) == Verdict()  # trusted for VERDICT_TTL_S
    for seen in store._verdict_cache().values():  # as when VERDICT_TTL_S has passed
        seen.expires = 0.0
    assert await store.verdict(GUILD, PERFECTION.slug) == Verdict.of({6: 1})
