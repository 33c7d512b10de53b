"""The rating control on a night's after-film post: ten persistent buttons, ½ to 5 stars.

Each button's custom_id (`rate:<night>:<half stars>`) carries everything, so the buttons work on every
after-film post after a restart without registering a view per night (`discord.ui.DynamicItem`). A click is
handed to the ratings cog, found by name (a reloaded extension is a new module with new classes).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final

import discord

from bot.present import ratings as present
from bot.storage.state import HALF_STARS

log = logging.getLogger(__name__)

COG_NAME: Final = "Ratings"
RATE_PATTERN: Final = r"rate:(?P<night>[0-9]{1,20}):(?P<half>[0-9]{1,2})"
PER_ROW: Final = 5


class RateButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=RATE_PATTERN):
    """One button per rating; pressing it again (or another) replaces the member's rating."""

    def __init__(self, night_id: int, half: int) -> None:
        valid = half in HALF_STARS
        super().__init__(
            discord.ui.Button(
                label=present.stars_label(half) if valid else "?",
                style=discord.ButtonStyle.secondary,
                custom_id=present.rate_custom_id(night_id, half),
                row=(half - 1) // PER_ROW if valid else None,
            )
        )
        self.night_id = night_id
        self.half = half

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> RateButton:
        return cls(int(match["night"]), int(match["half"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        rate = getattr(interaction.client.get_cog(COG_NAME), "rate_from_button", None)
        if rate is None:
            log.warning("rating click for night %d while ratings are not loaded", self.night_id)
            return
        await rate(interaction, self.night_id, self.half)


def rating_view(night_id: int) -> discord.ui.View:
    """½ ★ ★½ ★★ ★★½ on the first row, ★★★ … ★★★★★ on the second."""
    view = discord.ui.View(timeout=None)
    for half in HALF_STARS:
        view.add_item(RateButton(night_id, half))
    return view
