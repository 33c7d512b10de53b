"""The film library commands (/film add, list, remove, role; the "Add to film library" message menu)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from cogs.library.cog import LibraryCog

if TYPE_CHECKING:
    from bot.client import FilmBot

log = logging.getLogger(__name__)


async def setup(bot: FilmBot) -> None:
    if bot.library is None:
        log.warning("no library engine: /film add, list and remove are not available")
        return
    await bot.add_cog(LibraryCog(bot, bot.library))
