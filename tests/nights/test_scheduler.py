"""The scheduler with a fake clock: on-time posts, late posts with a note, skips, retries, failures, recovery."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.nights.scheduler import DeliveryFailed, Policy, Scheduler, plan_jobs
from bot.storage.state import Shards, StateStore
from tests.fake_discord import (
    GUILD_ID,
)
from tests.fakes import (
    FakeClock,
    RecordingPoster,
    add_night,
    eventually,
    utc,
)

H, M = 3600, 60


def make(store: StateStore, poster: RecordingPoster, clock: FakeClock, **kwargs: object) -> Scheduler:
    return Scheduler(store, poster, clock, instance="test", **kwargs)  # type: ignore[arg-type]


async def statuses(store: StateStore, night_id: int) -> dict[str, str]:
    jobs = await store.jobs_for_night(night_id)
    return {(j.kind if j.kind != "reminder" else f"reminder:{j.offset_s}"): j.status for j in jobs}


def test_plan_jobs_skips_past_reminders_and_falls_back_to_two_hours() -> None:
    now = utc(2026, 11, 20, 12, 0)
    start = now + timedelta(hours=3)  # the 24h reminder is already past
    jobs = plan_jobs(start, None, (24 * H, 15 * M), now)
    assert [(j.kind, j.offset_s) for j in jobs] == [
        ("announce", 0),
        ("reminder", 900),
        ("start", 0),
        ("spoilers", 0),
    ]
    assert jobs[0].due_at == now and jobs[1].due_at == start - timedelta(minutes=15)
    assert jobs[-1].due_at == start + timedelta(hours=2)
    assert plan_jobs(start, 100, (), now, announce=False)[-1].due_at == start + timedelta(minutes=100)


async def test_every_post_on_time_exactly_once(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    start = clock.now() + timedelta(days=3)
    night = await add_night(store, clock.now(), start)
    scheduler = make(store, poster, clock)
    assert await scheduler.run_due() == 1
    assert poster.kinds() == ["announce"]
    for moment, expected in [
        (start - timedelta(hours=24, seconds=1), ["announce"]),
        (start - timedelta(hours=24), ["announce", "reminder:86400"]),
        (start - timedelta(minutes=15), ["announce", "reminder:86400", "reminder:900"]),
        (start, ["announce", "reminder:86400", "reminder:900", "start"]),
        (start + timedelta(minutes=90), ["announce", "reminder:86400", "reminder:900", "start", "spoilers"]),
        (start + timedelta(days=1), ["announce", "reminder:86400", "reminder:900", "start", "spoilers"]),
    ]:
        await clock.advance(moment - clock.now())
        await scheduler.run_due()
        assert poster.kinds() == expected
    assert all(p.late_by is None for p in poster.posts)
    assert set((await statuses(store, night.id)).values()) == {"sent"}
    refreshed = await store.get_night(night.id)
    assert refreshed is not None and refreshed.announcement_id == poster.by_nonce[poster.posts[0].job.nonce]


async def test_loop_sleeps_until_due_and_wakes_early(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    scheduler = make(store, poster, clock)
    scheduler.start()
    try:
        start = clock.now() + timedelta(days=2)
        await add_night(store, clock.now(), start, reminders=(H,))
        scheduler.wake()  # as the cog does after scheduling
        asleep = lambda: clock.sleeping > 0  # noqa: E731 - advance only once the loop went back to sleep
        await eventually(lambda: poster.kinds() == ["announce"] and asleep())
        await clock.advance(start - timedelta(hours=1) - clock.now() - timedelta(seconds=1))
        await eventually(asleep)
        assert poster.kinds() == ["announce"]  # not due yet
        await clock.advance(timedelta(seconds=1))
        await eventually(lambda: poster.kinds() == ["announce", "reminder:3600"] and asleep())
        await clock.advance(timedelta(hours=1))
        await eventually(lambda: poster.kinds()[-1] == "start" and asleep())
        await clock.advance(timedelta(minutes=90))
        await eventually(lambda: poster.kinds()[-1] == "spoilers")
        assert len(poster.posts) == 4
    finally:
        await scheduler.stop()


async def test_missed_reminder_is_sent_late_with_a_note(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    start = clock.now() + timedelta(days=2)
    night = await add_night(store, clock.now(), start)
    scheduler = make(store, poster, clock)
    await scheduler.run_due()
    await clock.advance(start - timedelta(minutes=5) - clock.now())  # down from before T-24h to T-5m
    await scheduler.run_due()
    # the 24h reminder was overtaken by the 15m one (both due): only the later one goes out, late
    assert poster.kinds() == ["announce", "reminder:900"]
    assert poster.posts[-1].late_by == timedelta(minutes=10)
    assert (await statuses(store, night.id))["reminder:86400"] == "skipped"


async def test_start_missed_by_minutes_is_sent_late_and_reminders_skipped(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    start = clock.now() + timedelta(hours=1)
    night = await add_night(store, clock.now(), start, reminders=(30 * M, 15 * M))
    scheduler = make(store, poster, clock)
    await scheduler.run_due()
    await clock.advance(timedelta(hours=1, minutes=20))  # the film started 20 minutes ago
    await scheduler.run_due()
    assert poster.kinds() == ["announce", "start"]
    assert poster.posts[-1].late_by == timedelta(minutes=20)
    status = await statuses(store, night.id)
    assert status["reminder:1800"] == status["reminder:900"] == "skipped"


async def test_everything_skipped_once_the_film_is_over(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    start = clock.now() + timedelta(hours=1)
    night = await add_night(store, clock.now(), start, runtime=90)
    scheduler = make(store, poster, clock)
    await clock.advance(timedelta(hours=3))  # down through the whole night, announcement included
    await scheduler.run_due()
    # too late for the announcement, reminder and start; the spoilers-ok post is still useful
    assert poster.kinds() == ["spoilers"]
    assert poster.posts[0].late_by == timedelta(minutes=30)
    status = await statuses(store, night.id)
    assert status == {
        "announce": "skipped",
        "reminder:900": "skipped",
        "start": "skipped",
        "spoilers": "sent",
    }
    skipped = [j for j in await store.jobs_for_night(night.id) if j.status == "skipped"]
    assert all("too late" in (j.last_error or "") for j in skipped)


async def test_spoilers_post_skipped_when_far_too_late(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    start = clock.now() + timedelta(hours=1)
    night = await add_night(store, clock.now(), start, runtime=90, reminders=())
    await clock.advance(timedelta(days=2))
    await make(store, poster, clock).run_due()
    assert poster.posts == []
    assert set((await statuses(store, night.id)).values()) == {"skipped"}


async def test_retries_with_backoff_on_5xx_and_429_keeping_the_nonce(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    night = await add_night(store, clock.now(), clock.now() + timedelta(days=2))
    poster.failures = [
        DeliveryFailed("503 Service Unavailable"),
        DeliveryFailed("rate limited (429)", retry_after=30.0),
        DeliveryFailed("network: ClientConnectionError"),
    ]
    scheduler = make(store, poster, clock, policy=Policy(backoff_base=5.0))
    await scheduler.run_due()
    job = (await store.jobs_for_night(night.id))[0]
    assert (job.status, job.attempts, job.last_error) == ("pending", 1, "503 Service Unavailable")
    assert job.next_attempt_at == clock.now() + timedelta(seconds=5)
    assert [j.id for j in (await store.problem_jobs([night.id]))[night.id]] == [
        job.id
    ]  # shown while retrying

    await clock.advance(4)
    await scheduler.run_due()
    assert len(poster.calls) == 1  # backoff respected
    await clock.advance(1)
    await scheduler.run_due()
    job = (await store.jobs_for_night(night.id))[0]
    assert job.attempts == 2 and job.next_attempt_at == clock.now() + timedelta(
        seconds=30
    )  # retry_after wins

    await clock.advance(30)
    await scheduler.run_due()
    job = (await store.jobs_for_night(night.id))[0]
    assert job.attempts == 3 and job.next_attempt_at == clock.now() + timedelta(seconds=20)  # 5 * 2**2

    await clock.advance(20)
    await scheduler.run_due()
    job = (await store.jobs_for_night(night.id))[0]
    assert (job.status, job.attempts, job.last_error) == ("sent", 4, None)
    assert len(poster.posts) == 1
    assert {call.job.nonce for call in poster.calls} == {job.nonce}


async def test_permanent_403_is_recorded_not_retried(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    night = await add_night(store, clock.now(), clock.now() + timedelta(days=2))
    poster.failures = [DeliveryFailed("403 missing access or permissions: Missing Access", permanent=True)]
    scheduler = make(store, poster, clock)
    await scheduler.run_due()
    job = (await store.jobs_for_night(night.id))[0]
    assert (job.status, job.last_error) == ("failed", "403 missing access or permissions: Missing Access")
    await clock.advance(timedelta(hours=1))
    await scheduler.run_due()
    assert len(poster.calls) == 1
    problems = (await store.problem_jobs([night.id]))[night.id]
    assert [(p.kind, p.status) for p in problems] == [("announce", "failed")]


async def test_gives_up_after_max_attempts(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    night = await add_night(store, clock.now(), clock.now() + timedelta(days=2))
    poster.failures = [DeliveryFailed("502 Bad Gateway")] * 3
    scheduler = make(store, poster, clock, policy=Policy(max_attempts=3, backoff_base=1.0))
    for _ in range(5):
        await scheduler.run_due()
        await clock.advance(10)
    job = (await store.jobs_for_night(night.id))[0]
    assert (
        job.status == "failed" and job.attempts == 3 and "gave up after 3 attempts" in (job.last_error or "")
    )


async def test_unexpected_exception_is_retried(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    night = await add_night(store, clock.now(), clock.now() + timedelta(days=2))

    async def broken(delivery: object) -> int:
        raise RuntimeError("bug")

    poster.deliver = broken  # type: ignore[method-assign, assignment]
    await make(store, poster, clock).run_due()
    job = (await store.jobs_for_night(night.id))[0]
    assert job.status == "pending" and job.last_error == "RuntimeError: bug"


async def test_restart_redrives_a_post_left_sending_with_the_same_nonce(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    night = await add_night(store, clock.now(), clock.now() + timedelta(days=2))
    job = (await store.jobs_for_night(night.id))[0]
    # A previous process claimed the job and Discord created the message, then it was killed.
    assert await store.claim_job(job.id, instance="dead", now=clock.now())
    poster.by_nonce[job.nonce] = 4242
    await clock.advance(30)
    scheduler = make(store, poster, clock)
    assert await scheduler.recover() == 1
    await scheduler.run_due()
    sent = await store.get_job(job.id)
    assert sent is not None and (sent.status, sent.message_id, sent.attempts) == ("sent", 4242, 2)
    assert poster.posts == []  # Discord returned the earlier message: no second post
    assert [c.job.nonce for c in poster.calls] == [job.nonce]


async def test_past_the_nonce_window_the_channel_is_checked_first(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    night = await add_night(store, clock.now(), clock.now() + timedelta(days=2))
    job = (await store.jobs_for_night(night.id))[0]
    assert await store.claim_job(job.id, instance="dead", now=clock.now())
    poster.by_nonce[job.nonce] = 777  # it did go out before the crash
    await clock.advance(timedelta(minutes=30))  # down longer than Discord remembers nonces
    scheduler = make(store, poster, clock)
    await scheduler.recover()
    await scheduler.run_due()
    assert poster.calls == []  # not sent again
    assert [(d.job.id, since) for d, since in poster.lookups] == [
        (job.id, clock.now() - timedelta(minutes=30))
    ]
    sent = await store.get_job(job.id)
    assert sent is not None and (sent.status, sent.message_id) == ("sent", 777)


async def test_past_the_nonce_window_and_not_in_the_channel_it_is_sent(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    night = await add_night(store, clock.now(), clock.now() + timedelta(days=2))
    job = (await store.jobs_for_night(night.id))[0]
    assert await store.claim_job(job.id, instance="dead", now=clock.now())
    await clock.advance(timedelta(minutes=30))
    scheduler = make(store, poster, clock)
    await scheduler.recover()
    await scheduler.run_due()
    assert len(poster.lookups) == 1 and poster.kinds() == ["announce"]


async def test_stale_sending_claims_are_redriven_while_running(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    night = await add_night(store, clock.now(), clock.now() + timedelta(days=2))
    scheduler = make(store, poster, clock)
    await scheduler.recover()
    job = (await store.jobs_for_night(night.id))[0]
    await store.register_instance("stuck", host="elsewhere", pid=1, shards="all")  # alive, but hung
    assert await store.claim_job(job.id, instance="stuck", now=clock.now())
    assert await scheduler._delay() > 0  # a fresh claim of a live instance is left alone
    await clock.advance(timedelta(minutes=16))
    assert await scheduler._delay() == 0.0
    await scheduler.run_due()
    assert poster.kinds() == ["announce"]


async def test_cancelled_night_posts_nothing_more(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    start = clock.now() + timedelta(days=2)
    night = await add_night(store, clock.now(), start)
    scheduler = make(store, poster, clock)
    await scheduler.run_due()
    await store.cancel_night(night.id, now=clock.now())
    await clock.advance(timedelta(days=3))
    await scheduler.run_due()
    assert poster.kinds() == ["announce"]
    assert list((await statuses(store, night.id)).values()) == [
        "sent",
        "cancelled",
        "cancelled",
        "cancelled",
        "cancelled",
    ]


async def test_announcement_in_flight_during_cancel_is_retracted(
    store: StateStore, poster: RecordingPoster, clock: FakeClock
) -> None:
    night = await add_night(store, clock.now(), clock.now() + timedelta(days=2))
    original = poster.deliver

    async def cancel_meanwhile(delivery: object) -> int:
        await store.cancel_night(night.id, now=clock.now())
        return await original(delivery)  # type: ignore[arg-type]

    poster.deliver = cancel_meanwhile  # type: ignore[method-assign, assignment]
    await make(store, poster, clock).run_due()
    assert poster.retracted == [(night.id, poster.by_nonce[poster.posts[0].job.nonce])]


async def test_each_shard_handles_only_its_guilds(store: StateStore, clock: FakeClock) -> None:
    even, odd = 2 << 22, 3 << 22
    await add_night(store, clock.now(), clock.now() + timedelta(days=2), guild_id=even)
    await add_night(store, clock.now(), clock.now() + timedelta(days=2), guild_id=odd)
    first, second = RecordingPoster(), RecordingPoster()
    await make(store, first, clock, shards=Shards(2, (0,))).run_due()
    await make(store, second, clock, shards=Shards(2, (1,))).run_due()
    assert [p.night.guild_id for p in first.posts] == [even]
    assert [p.night.guild_id for p in second.posts] == [odd]


@pytest.mark.parametrize("attempts", [1, 2, 5, 20])
def test_backoff_is_capped(attempts: int) -> None:
    policy = Policy()
    assert 0 < policy.backoff(attempts) <= policy.backoff_cap
    assert policy.backoff(attempts, retry_after=1000.0) == 1000.0


async def test_default_guild_used_by_fakes_is_on_shard_zero_of_one() -> None:
    assert Shards(1, (0,)).serves(GUILD_ID)
