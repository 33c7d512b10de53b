"""A yes/no question on an ephemeral answer: only the member who asked can answer, once, within a few
minutes (the view lives in this process; after a restart the buttons answer that the question expired)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.present import library as present
from bot.present.reply import NO_MENTIONS, Reply

TIMEOUT_S = 180.0
NOT_YOURS = "Only the member who asked can answer this."

Action = Callable[[discord.Interaction[Any]], Awaitable[Reply]]


class Confirm(discord.ui.View):
    """Two buttons: `yes` runs `on_yes` and shows the reply it returns in place of the question (the work is
    short: the slow part of an add was done before asking); `Cancel` changes nothing."""

    def __init__(self, owner_id: int, yes: str, on_yes: Action) -> None:
        super().__init__(timeout=TIMEOUT_S)
        self.owner_id = owner_id
        self.on_yes = on_yes
        self.confirm.label = yes
        self.message: discord.InteractionMessage | discord.WebhookMessage | None = None
        self.answered = False

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(NOT_YOURS, ephemeral=True, allowed_mentions=NO_MENTIONS)
        return False

    async def _answer(self, interaction: discord.Interaction[Any], reply: Reply) -> None:
        """Replace the question by the outcome; the view stops listening only once the click is answered
        (until then a second click finds it, and is told nothing new)."""
        await interaction.response.edit_message(**reply.to_edit_kwargs(), view=None)
        self.stop()

    @discord.ui.button(label="Yes", style=discord.ButtonStyle.primary)
    async def confirm(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Confirm]
    ) -> None:
        if self.answered:  # a second click while the first is at work
            await interaction.response.defer()
            return
        self.answered = True
        await self._answer(interaction, await self.on_yes(interaction))

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Confirm]) -> None:
        if self.answered:
            await interaction.response.defer()
            return
        self.answered = True
        await self._answer(interaction, present.cancelled())

    async def on_timeout(self) -> None:
        if self.message is not None and not self.answered:
            self.answered = True
            try:
                await self.message.edit(**present.expired().to_edit_kwargs(), view=None)
            except discord.HTTPException:
                pass  # the ephemeral answer may be gone (15 minutes) or dismissed
