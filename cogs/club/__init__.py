"""After the screening, as one extension (`cogs.club`):

ratings.py  /rate, /unrate, /reviews and the stars under a night's after-film post (the Ratings cog)
history.py  /history and /stats (the History cog)
views.py    the persistent rating buttons
hooks.py    what the club adds to other features: the after-film post's rating control and the night's record
            (and the `film_watched` event), the club's verdict in /reception and /movie
films.py    the one place the club's film lookups go through (per-server libraries change it alone)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from discord.ext import commands

if TYPE_CHECKING:
    from bot.client import FilmBot


async def setup(bot: commands.Bot) -> None:
    # Imported here, not above: the film and movie-night cogs import `cogs.club.hooks`, and the cogs import
    # helpers from `cogs.film`; importing the package must not import them back.
    from cogs.club.history import History
    from cogs.club.ratings import Ratings

    film_bot = cast("FilmBot", bot)
    await bot.add_cog(Ratings(film_bot))
    await bot.add_cog(History(film_bot))
