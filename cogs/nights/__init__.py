"""Movie nights, as one extension (`cogs.nights`):

cog.py      the MovieNight cog: /movienight commands and the RSVP answer (thin: options, state, present)
views.py    the persistent RSVP buttons
poster.py   the Discord side of delivering posts (DiscordPoster) and of the scheduled event
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from discord.ext import commands

from cogs.nights.cog import MovieNight

if TYPE_CHECKING:
    from bot.client import FilmBot


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(MovieNight(cast("FilmBot", bot)))
