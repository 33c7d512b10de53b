"""StateStore on both backends (see conftest.py): meta, settings, nights, RSVPs, and the job lifecycle (the
claim is atomic). The same assertions run on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.nights.offsets import end_of
from bot.nights.scheduler import plan_jobs
from bot.storage.state import DEFAULT_REMINDERS, Shards, StateStore
from tests.fakes import (
    ARRIVAL,
    PERFECTION,
)
from tests.storage.state_helpers import NOW, START, make_night


async def test_meta(store: StateStore) -> None:
    assert await store.get_meta("command_hash") is None
    await store.set_meta("command_hash", "abc")
    await store.set_meta("command_hash", "def")
    assert await store.get_meta("command_hash") == "def"


async def test_guild_settings_defaults_and_updates(store: StateStore) -> None:
    settings = await store.guild_settings(5)
    assert (settings.channel_id, settings.timezone, settings.role_id) == (None, "UTC", None)
    assert settings.reminders == DEFAULT_REMINDERS
    updated = await store.update_guild_settings(
        5, now=NOW, timezone="Asia/Kolkata", role_id=7, reminders=[900, 3600]
    )
    assert (updated.timezone, updated.role_id, updated.reminders) == ("Asia/Kolkata", 7, (3600, 900))
    updated = await store.update_guild_settings(5, now=NOW, channel_id=9)
    assert (updated.channel_id, updated.timezone, updated.role_id) == (9, "Asia/Kolkata", 7)
    cleared = await store.update_guild_settings(5, now=NOW, role_id=None, reminders=[])
    assert cleared.role_id is None and cleared.reminders == ()


async def test_night_with_jobs(store: StateStore) -> None:
    night = await make_night(store)
    assert night.film == PERFECTION and night.note == "bring snacks" and night.status == "scheduled"
    jobs = await store.jobs_for_night(night.id)
    assert [(j.kind, j.offset_s) for j in jobs] == [
        ("announce", 0),
        ("reminder", 86400),
        ("reminder", 900),
        ("start", 0),
        ("spoilers", 0),
    ]
    assert jobs[-1].due_at == START + timedelta(minutes=90)
    assert len({j.nonce for j in jobs}) == len(jobs) and all(len(j.nonce) <= 25 for j in jobs)
    assert all(j.status == "pending" and j.attempts == 0 for j in jobs)
    assert [n.id for n in await store.upcoming_nights(night.guild_id, NOW)] == [night.id]
    assert await store.upcoming_nights(night.guild_id, night.ends_at) == []


async def test_edit_replans_pending_jobs_under_a_new_revision(store: StateStore) -> None:
    night = await make_night(store)
    jobs = await store.jobs_for_night(night.id)
    announce = jobs[0]
    assert await store.claim_job(announce.id, instance="a", now=NOW)
    assert await store.mark_sent(announce.id, message_id=555, now=NOW)
    later = START + timedelta(days=1)
    updated = await store.update_night(
        night.id,
        now=NOW,
        starts_at=later,
        ends_at=end_of(later, 90),
        note="new note",
        replan=plan_jobs(later, 90, DEFAULT_REMINDERS, NOW, announce=False),
    )
    assert updated is not None
    assert (updated.starts_at, updated.note, updated.revision, updated.announcement_id) == (
        later,
        "new note",
        1,
        555,
    )
    after = await store.jobs_for_night(night.id)
    assert [j.status for j in after if j.revision == 0] == [
        "sent",
        "cancelled",
        "cancelled",
        "cancelled",
        "cancelled",
    ]
    assert [(j.kind, j.due_at) for j in after if j.revision == 1] == [
        ("reminder", later - timedelta(hours=24)),
        ("reminder", later - timedelta(minutes=15)),
        ("start", later),
        ("spoilers", later + timedelta(minutes=90)),
    ]
    note_only = await store.update_night(night.id, now=NOW, note="")
    assert note_only is not None and note_only.note == "" and note_only.revision == 1


async def test_cancel_stops_every_pending_job(store: StateStore) -> None:
    night = await make_night(store)
    cancelled = await store.cancel_night(night.id, now=NOW)
    assert cancelled is not None and cancelled.status == "cancelled"
    assert {j.status for j in await store.jobs_for_night(night.id)} == {"cancelled"}
    assert await store.due_jobs(START + timedelta(days=2)) == []
    assert await store.cancel_night(night.id, now=NOW) is None  # already cancelled
    assert await store.update_night(night.id, now=NOW, note="x") is None
    assert await store.upcoming_nights(night.guild_id, NOW) == []


async def test_rsvp_changes_answer_never_double_counts(store: StateStore) -> None:
    night = await make_night(store)
    counts = await store.set_rsvp(night.id, 1, "going", now=NOW)
    assert (counts.going, counts.maybe, counts.no) == (1, 0, 0)
    counts = await store.set_rsvp(night.id, 1, "going", now=NOW)
    assert (counts.going, counts.maybe, counts.no) == (1, 0, 0)
    counts = await store.set_rsvp(night.id, 1, "maybe", now=NOW)
    assert (counts.going, counts.maybe, counts.no) == (0, 1, 0)
    counts = await store.set_rsvp(night.id, 2, "no", now=NOW)
    assert (counts.going, counts.maybe, counts.no) == (0, 1, 1)
    assert [(r.user_id, r.answer) for r in await store.rsvps(night.id)] == [(1, "maybe"), (2, "no")]
    with pytest.raises(ValueError):
        await store.set_rsvp(night.id, 3, "yes", now=NOW)  # type: ignore[arg-type]


async def test_job_lifecycle(store: StateStore) -> None:
    night = await make_night(store)
    announce = (await store.due_jobs(NOW))[0]
    assert announce.kind == "announce"
    claimed = await store.claim_job(announce.id, instance="me", now=NOW)
    assert claimed is not None and claimed.status == "sending" and claimed.attempts == 1
    assert claimed.first_claimed_at == NOW and claimed.claimed_by == "me"
    assert await store.claim_job(announce.id, instance="other", now=NOW) is None
    assert await store.retry_later(
        announce.id, error="503 Service Unavailable", at=NOW + timedelta(seconds=5), now=NOW
    )
    assert await store.due_jobs(NOW) == []
    assert await store.next_due_at() == NOW + timedelta(seconds=5)
    problems = await store.problem_jobs([night.id])
    assert [j.last_error for j in problems[night.id]] == ["503 Service Unavailable"]
    again = await store.claim_job(announce.id, instance="me", now=NOW + timedelta(seconds=5))
    assert (
        again is not None
        and again.attempts == 2
        and again.first_claimed_at == NOW
        and again.nonce == announce.nonce
    )
    assert await store.mark_sent(announce.id, message_id=42, now=NOW)
    assert not await store.mark_sent(announce.id, message_id=43, now=NOW)  # only from 'sending'
    refreshed = await store.get_night(night.id)
    assert refreshed is not None and refreshed.announcement_id == 42
    assert (await store.problem_jobs([night.id]))[night.id] == []

    reminder = (await store.jobs_for_night(night.id))[1]
    assert await store.claim_job(reminder.id, instance="me", now=reminder.due_at)
    assert await store.mark_failed(reminder.id, error="403 Missing Access", now=NOW)
    failed = await store.get_job(reminder.id)
    assert failed is not None and failed.status == "failed" and failed.last_error == "403 Missing Access"
    assert [j.id for j in (await store.problem_jobs([night.id]))[night.id]] == [reminder.id]

    start = (await store.jobs_for_night(night.id))[3]
    assert await store.mark_skipped(start.id, reason="too late", now=NOW)
    skipped = await store.get_job(start.id)
    assert skipped is not None and skipped.status == "skipped"


async def test_requeue_sending_keeps_the_nonce(store: StateStore) -> None:
    await make_night(store)
    job = (await store.due_jobs(NOW))[0]
    assert await store.claim_job(job.id, instance="dead", now=NOW)
    assert await store.due_jobs(NOW) == []
    assert await store.requeue_sending(now=NOW, claimed_before=NOW - timedelta(minutes=15)) == 0  # not stale
    assert await store.requeue_sending(now=NOW + timedelta(seconds=1)) == 1
    again = await store.claim_job(job.id, instance="new", now=NOW + timedelta(seconds=1))
    assert again is not None and again.nonce == job.nonce and again.attempts == 2


async def test_claim_is_atomic_across_connections(state_location: Path | str) -> None:
    stores = [await StateStore.open(state_location) for _ in range(4)]
    try:
        await make_night(stores[0])
        job = (await stores[0].due_jobs(NOW))[0]
        results = await asyncio.gather(
            *(s.claim_job(job.id, instance=f"w{i}", now=NOW) for i, s in enumerate(stores) for _ in range(3))
        )
        assert sum(r is not None for r in results) == 1
    finally:
        for s in stores:
            await s.close()


async def test_shard_filter(store: StateStore) -> None:
    even = await make_night(store, guild_id=2 << 22)  # shard 0 of 2
    odd = await make_night(store, guild_id=3 << 22)  # shard 1 of 2
    shard0, shard1 = Shards(2, (0,)), Shards(2, (1,))
    assert {j.night_id for j in await store.due_jobs(NOW, shard0)} == {even.id}
    assert {j.night_id for j in await store.due_jobs(NOW, shard1)} == {odd.id}
    assert {j.night_id for j in await store.due_jobs(NOW, Shards(2, (0, 1)))} == {even.id, odd.id}
    assert await store.due_jobs(NOW, Shards(2, ())) == []
    assert shard0.serves(even.guild_id) and not shard0.serves(odd.guild_id)


async def test_state_survives_a_reopen(state_location: Path | str) -> None:
    first = await StateStore.open(state_location)
    night = await make_night(first)
    await first.set_rsvp(night.id, 1, "going", now=NOW)
    await first.close()
    second = await StateStore.open(state_location)
    try:
        assert await second.get_night(night.id) == night
        assert (await second.rsvp_counts(night.id)).going == 1
        assert len(await second.jobs_for_night(night.id)) == 5
    finally:
        await second.close()


async def test_other_film_fields_update(store: StateStore) -> None:
    night = await make_night(store)
    updated = await store.update_night(night.id, now=NOW, film=ARRIVAL, runtime_minutes=None)
    assert updated is not None and updated.film == ARRIVAL and updated.runtime_minutes is None


async def test_problems_of_a_replaced_plan_are_not_shown(store: StateStore) -> None:
    night = await make_night(store)
    reminder = (await store.jobs_for_night(night.id))[1]
    assert await store.mark_failed(reminder.id, error="403 Missing Access", now=NOW)
    assert [j.id for j in (await store.problem_jobs([night.id]))[night.id]] == [reminder.id]
    later = START + timedelta(days=1)
    await store.update_night(
        night.id, now=NOW, starts_at=later, replan=plan_jobs(later, 90, (), NOW, announce=False)
    )
    assert (await store.problem_jobs([night.id]))[night.id] == []
