"""The persistent RSVP buttons on a night's announcement.

Each button's custom_id (`rsvp:<night>:<answer>`) carries everything, so the buttons work on every announcement
after a restart without registering a view per night (`discord.ui.DynamicItem`). A click is handed to the
movie-night cog, found by name: a reloaded extension is a new module with new classes.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final, cast

import discord

from bot.present import nights as present
from bot.storage.state import Answer

log = logging.getLogger(__name__)

COG_NAME: Final = "MovieNight"
RSVP_PATTERN: Final = r"rsvp:(?P<night>[0-9]{1,20}):(?P<answer>going|maybe|no)"
BUTTON_STYLES: Final[dict[Answer, discord.ButtonStyle]] = {
    "going": discord.ButtonStyle.success,
    "maybe": discord.ButtonStyle.secondary,
    "no": discord.ButtonStyle.danger,
}


class RsvpButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=RSVP_PATTERN):
    """One button per answer, showing its count."""

    def __init__(self, night_id: int, answer: Answer, count: int = 0, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=present.rsvp_label(answer, count),
                emoji=present.ANSWER_EMOJI[answer],
                style=BUTTON_STYLES[answer],
                custom_id=present.rsvp_custom_id(night_id, answer),
                disabled=disabled,
            )
        )
        self.night_id = night_id
        self.answer: Answer = answer

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> RsvpButton:
        return cls(int(match["night"]), cast(Answer, match["answer"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        answer = getattr(interaction.client.get_cog(COG_NAME), "answer_rsvp", None)
        if answer is None:
            log.warning("RSVP click for night %d while movie nights are not loaded", self.night_id)
            return
        await answer(interaction, self.night_id, self.answer)


def rsvp_view(night_id: int, going: int = 0, maybe: int = 0, no: int = 0) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for answer, count in (("going", going), ("maybe", maybe), ("no", no)):
        view.add_item(RsvpButton(night_id, cast(Answer, answer), count))
    return view
