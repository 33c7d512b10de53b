"""The watchlist, polls and series tables on both backends (see conftest.py): merges and caps that hold under
concurrent writers, a poll's lifecycle with its two jobs, a series written with its occurrences and upkeep
job (a pass run twice adds nothing twice), and the jobs table's rule that a job has exactly one owner."""

from __future__ import annotations

import asyncio
from datetime import date, time, timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.nights.series import Rule, plan
from bot.nights.watchlist import clean_title, same_film
from bot.storage.models import FilmRef
from bot.storage.state import StateStore
from bot.storage.state.polls import CLOSE_GRACE, PollOption
from bot.storage.state.tables import jobs
from tests.fakes import (
    ARRIVAL,
    PERFECTION,
    utc,
)
from tests.storage.state_helpers import NOW, make_night

GUILD = 1 << 22
REMINDERS = (86400, 900)


async def suggest(
    store: StateStore, user: int, text: str, *, film: FilmRef | None = None, cap: int = 10
) -> str:
    title = clean_title(text)
    outcome = await store.add_suggestion(
        guild_id=GUILD,
        user_id=user,
        title=title.text,
        title_key=title.key,
        year=title.year,
        film=film,
        same=lambda key, year: same_film(title.key, title.year, key, year),
        member_cap=cap,
        server_cap=50,
        now=NOW,
    )
    return outcome.result


async def test_suggestions_merge_count_supporters_and_cap(store: StateStore) -> None:
    assert await suggest(store, 1, "The Perfection (2018)", film=PERFECTION) == "added"
    assert await suggest(store, 2, "perfecton") == "supported"  # fuzzy, no year: the same film
    assert await suggest(store, 2, "The Perfection") == "already"
    assert [await suggest(store, 3, f"Film {i}", cap=3) for i in range(5)] == [
        "added",
        "added",
        "added",
        "member_cap",
        "member_cap",
    ]
    entries = await store.watchlist(GUILD)
    assert [(e.title, e.supporters) for e in entries][:1] == [("The Perfection", 2)]
    assert len(entries) == 4 and await store.supporters(entries[0].id) == [1, 2]
    assert await store.watchlist(GUILD + 1) == []  # per server


async def test_concurrent_suggestions_of_one_film_merge_and_caps_hold(store: StateStore) -> None:
    results = await asyncio.gather(
        *(suggest(store, user, "Arrival (2016)", film=ARRIVAL) for user in range(8))
    )
    assert sorted(results) == ["added"] + ["supported"] * 7
    (entry,) = await store.watchlist(GUILD)
    assert entry.supporters == 8
    capped = await asyncio.gather(*(suggest(store, 99, f"Title {i}", cap=3) for i in range(6)))
    assert capped.count("added") == 3 and capped.count("member_cap") == 3


async def test_removal_link_and_watched(store: StateStore) -> None:
    await suggest(store, 1, "Arrival")
    await suggest(store, 2, "Arrival")
    (entry,) = await store.unlinked_entries(GUILD)
    assert await store.remove_suggestion(
        guild_id=GUILD, entry_id=entry.id, user_id=3, organiser=False, now=NOW
    ) == (
        "not_allowed",
        entry,
    )
    result, _ = await store.remove_suggestion(
        guild_id=GUILD, entry_id=entry.id, user_id=2, organiser=False, now=NOW
    )
    assert result == "unsupported"
    assert await store.link_entries({entry.id: ARRIVAL}) == 1
    assert await store.link_entries({entry.id: PERFECTION}) == 0  # only unlinked entries are linked
    night = await make_night(store, guild_id=GUILD)
    assert await store.mark_watched(night.id, now=NOW) == []  # the night shows another film
    await store.update_night(night.id, now=NOW, film=ARRIVAL)
    (watched,) = await store.mark_watched(night.id, now=NOW)
    assert watched.watched and watched.film == ARRIVAL
    assert await store.watchlist(GUILD, watched=False) == []
    result, _ = await store.remove_suggestion(
        guild_id=GUILD, entry_id=entry.id, user_id=9, organiser=True, now=NOW
    )
    assert result == "removed" and await store.watchlist(GUILD) == []


async def test_a_poll_and_its_two_jobs(store: StateStore) -> None:
    options = [PollOption(1, "Arrival", 2016, "arrival"), PollOption(2, "Paprika", 2006, None, 7)]
    closes = NOW + timedelta(hours=24)
    poll = await store.create_poll(
        guild_id=GUILD,
        channel_id=10,
        source="watchlist",
        options=options,
        opens_at=NOW,
        closes_at=closes,
        created_by=5,
        now=NOW,
    )
    assert poll.status == "scheduled" and poll.options == tuple(options) and poll.winners is None
    opening, closing = await store.jobs_for_poll(poll.id)
    assert (opening.kind, opening.due_at, opening.night_id) == ("poll_open", NOW, None)
    assert (closing.kind, closing.due_at) == ("poll_close", closes + CLOSE_GRACE)
    claimed = await store.claim_job(opening.id, instance="a", now=NOW)
    assert claimed is not None and await store.claim_job(opening.id, instance="b", now=NOW) is None
    expires = closes + timedelta(minutes=3)
    posted = await store.mark_poll_posted(opening.id, message_id=123, expires_at=expires, now=NOW)
    assert posted is not None and (posted.status, posted.message_id, posted.closes_at) == (
        "open",
        123,
        expires,
    )
    assert (await store.jobs_for_poll(poll.id))[1].due_at == expires + CLOSE_GRACE
    ended = await store.end_poll_early(poll.id, ended_by=5, now=NOW + timedelta(hours=1))
    assert ended is not None and ended.ended_by == 5
    assert (await store.jobs_for_poll(poll.id))[1].next_attempt_at == NOW + timedelta(hours=1)
    closed = await store.close_poll(poll.id, counts={1: 3, 2: 3}, now=NOW)
    assert closed is not None and closed.winners == (1, 2) and closed.total_votes == 6
    again = await store.close_poll(poll.id, counts={1: 9}, now=NOW)  # recorded once
    assert again is not None and again.winners == (1, 2) and [o.votes for o in again.options] == [3, 3]
    assert await store.guild_polls(GUILD, ("closed",)) == [again]


async def test_a_failed_poll_stops_its_jobs(store: StateStore) -> None:
    poll = await store.create_poll(
        guild_id=GUILD,
        channel_id=10,
        source="library",
        options=[],
        opens_at=NOW,
        closes_at=NOW + timedelta(hours=2),
        created_by=5,
        now=NOW,
    )
    failed = await store.fail_poll(poll.id, error="404 its message was deleted", now=NOW)
    assert failed is not None and (failed.status, failed.error) == ("failed", "404 its message was deleted")
    assert {j.status for j in await store.jobs_for_poll(poll.id)} == {"cancelled"}
    assert await store.set_poll_options(poll.id, [PollOption(1, "x", None)]) is not None
    assert (await store.get_poll(poll.id)).options == ()  # type: ignore[union-attr]


async def test_a_series_with_its_occurrences_polls_and_upkeep(store: StateStore) -> None:
    rule = Rule(date(2026, 11, 27), time(20, 0), "Europe/London", "weekly")
    first = plan(rule, [], NOW, reminders=REMINDERS, poll_days=3, first_film=PERFECTION, first_runtime=90)
    series, nights = await store.create_series(
        guild_id=GUILD,
        channel_id=10,
        role_id=None,
        timezone=rule.zone,
        local_time="20:00",
        first_date=rule.first,
        repeat="weekly",
        until=None,
        poll_days=3,
        note="snacks",
        created_by=5,
        plans=first.occurrences,
        next_upkeep=first.next_upkeep,
        now=NOW,
    )
    assert [(n.occurrence, n.series_id, n.note) for n in nights] == [
        (0, series.id, "snacks"),
        (1, series.id, "snacks"),
    ]
    assert nights[0].film == PERFECTION and nights[1].film is None
    assert [len(await store.night_polls(n.id)) for n in nights] == [0, 1]  # the first night has its film
    (upkeep,) = await store.jobs_for_series(series.id)
    assert (upkeep.kind, upkeep.due_at) == ("series", utc(2026, 11, 27, 20, 0))

    later = upkeep.due_at
    claimed = await store.claim_job(upkeep.id, instance="a", now=later)
    assert claimed is not None
    existing = [(n.occurrence or 0, n.starts_at, True) for n in nights]
    more = plan(rule, existing, later, reminders=REMINDERS, poll_days=3)
    added = await store.add_occurrences(
        series.id, job_id=upkeep.id, plans=more.occurrences, next_upkeep=more.next_upkeep, now=later
    )
    assert [n.occurrence for n in added] == [2]
    assert (
        await store.add_occurrences(
            series.id, job_id=upkeep.id, plans=more.occurrences, next_upkeep=more.next_upkeep, now=later
        )
        == []
    )
    statuses = [(j.kind, j.status) for j in await store.jobs_for_series(series.id)]
    assert statuses == [("series", "sent"), ("series", "pending")]

    cancelled, open_polls = await store.cancel_series(series.id, now=later)
    assert [n.occurrence for n in cancelled] == [1, 2] and open_polls == []  # the first had started
    assert (await store.get_series(series.id)).status == "cancelled"  # type: ignore[union-attr]
    assert {j.status for j in await store.jobs_for_series(series.id)} == {"sent", "cancelled"}
    assert {p.status for n in cancelled for p in await store.night_polls(n.id)} == {"cancelled"}


async def test_a_job_belongs_to_exactly_one_owner(store: StateStore) -> None:
    night = await make_night(store, guild_id=GUILD)
    poll = await store.create_poll(
        guild_id=GUILD,
        channel_id=10,
        source="library",
        options=[],
        opens_at=NOW,
        closes_at=NOW + timedelta(hours=2),
        created_by=5,
        now=NOW,
    )
    row = {
        "guild_id": GUILD,
        "kind": "poll_open",
        "revision": 0,
        "due_at": NOW,
        "next_attempt_at": NOW,
        "updated_at": NOW,
    }
    for owners, nonce in (({}, "n-none"), ({"night_id": night.id, "poll_id": poll.id}, "n-two")):

        async def work(
            conn: AsyncConnection, maybe_committed: bool, owners: dict[str, int] = owners, nonce: str = nonce
        ) -> None:
            await conn.execute(insert(jobs).values(**row, **owners, nonce=nonce))

        with pytest.raises(IntegrityError):
            await store.db.write(work)
