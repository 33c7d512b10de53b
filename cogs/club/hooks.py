"""What the club adds to other features, each in one call:

- `after_film(bot, night, post)`: the movie-night poster's after-film post gains the rating control, and the
  night is recorded in the club's history. The control is part of that one post, sent with its nonce, so it is
  posted exactly once like every other post.
- `record_nights(bot, ...)`: record the nights that have ended (idempotent; run by the after-film post and
  before history is read, so a post missed while the bot was down loses nothing). For each night newly
  recorded the bot dispatches **`film_watched`** with the `Screening`: a cog marks the film watched with

      @commands.Cog.listener()
      async def on_film_watched(self, screening: Screening) -> None: ...

  (`bot.state.watched(guild_id, slugs)` answers the same question from the state at any time.)
- `with_club_verdict(bot, interaction, film, reply, ...)`: /reception and /movie show the club's verdict.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.present import ratings as present
from bot.present.nights import Post
from bot.present.reply import Reply
from bot.storage.errors import StateUnavailable
from bot.storage.models import FilmRef, Reception
from bot.storage.state import Night, Screening, Verdict
from cogs.club.views import rating_view

if TYPE_CHECKING:
    from bot.client import FilmBot

log = logging.getLogger(__name__)

FILM_WATCHED = "film_watched"  # the event: bot.dispatch(FILM_WATCHED, screening) -> on_film_watched


async def record_nights(
    bot: FilmBot, *, now: datetime, guild_id: int | None = None, night_id: int | None = None
) -> list[Screening]:
    """Record the ended nights not recorded yet (of a guild, or one night) and announce each as watched."""
    recorded = await bot.state.record_screenings(now=now, guild_id=guild_id, night_id=night_id)
    for screening in recorded:
        log.info(
            "night %d recorded: %s watched in guild %d by %d going",
            screening.night_id,
            screening.film.slug,
            screening.guild_id,
            screening.attendance,
        )
        bot.dispatch(FILM_WATCHED, screening)
    return recorded


async def after_film(bot: FilmBot, night: Night, post: Post) -> tuple[Post, discord.ui.View]:
    """The after-film post with its rating control; records the night (a failure here is retried later)."""
    try:
        await record_nights(bot, now=bot.clock.now(), night_id=night.id)
    except Exception:
        log.warning("night %d: not recorded yet; it will be when history is read", night.id, exc_info=True)
    return present.rating_prompt(post), rating_view(night.id)


def after_critics(reception: Reception) -> int:
    """Where the club's verdict goes in /reception: after the aggregators' figures and the reviewers' ratings
    (the fields `bot.present.film.reception` puts first), before the critics' quotes."""
    return len(reception.figures) + (1 if reception.reviewer_ratings else 0)


Remember = Callable[[tuple[object, ...], Callable[[], Any]], Any]
"""Keeps a value with the film's answers: `remember(name, compute)` (see GuildKnowledge.memo)."""


async def with_club_verdict(
    bot: FilmBot,
    interaction: discord.Interaction[Any],
    film: FilmRef,
    reply: Reply,
    *,
    position: int | None = None,
    detailed: bool = True,
    remember: Remember | None = None,
) -> Reply:
    """`reply` with this server's verdict on `film` as a field (unchanged outside a server, or when the state
    database cannot be reached: the film's facts still answer). With `remember` (the film's memo, under the
    name of `reply`), the reply with the latest verdict is kept and served again until the verdict changes."""
    if interaction.guild_id is None:
        return reply
    try:
        verdict = await bot.state.verdict(interaction.guild_id, film.slug)
    except StateUnavailable:
        log.warning("club verdict left out of the answer: the state database is unreachable")
        return reply

    def build() -> Reply:
        return present.with_fields(reply, [present.verdict_field(verdict, detailed=detailed)], position)

    if remember is None:
        return build()
    latest: dict[Verdict, Reply] = remember(("with verdict", detailed, position), dict)  # one entry at most
    if verdict not in latest:
        latest.clear()
        latest[verdict] = build()
    return latest[verdict]
