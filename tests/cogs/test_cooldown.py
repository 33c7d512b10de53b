"""The per-user cooldown: five uses in ten seconds, counted per member, forgetting members from the oldest."""

from __future__ import annotations

from cogs.film import UserCooldown


def test_five_uses_in_ten_seconds_then_the_wait() -> None:
    cooldown = UserCooldown(5, 10.0)
    assert [cooldown.retry_after(1, t) for t in (0.0, 1.0, 2.0, 3.0, 4.0)] == [0.0] * 5
    assert cooldown.retry_after(1, 5.0) == 5.0  # the first use leaves the window at 10.0
    assert cooldown.retry_after(2, 5.0) == 0.0  # another member is counted apart
    assert cooldown.retry_after(1, 10.0) == 0.0


def test_members_gone_quiet_are_forgotten() -> None:
    cooldown = UserCooldown(5, 10.0)
    for user in range(1000):
        cooldown.retry_after(user, float(user) / 100)
    cooldown.retry_after(5000, 25.0)  # every earlier use is over ten seconds old
    assert list(cooldown.seen) == [5000]
