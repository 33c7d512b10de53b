"""Previous/Next buttons over a list of `Reply` pages; only the person who asked can turn them."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.present.reply import NO_MENTIONS, Reply

TIMEOUT = 300.0  # seconds without a click before the buttons are disabled
NOT_YOURS = "Only the person who ran the command can turn these pages. Run it yourself to browse."


class Paginator(discord.ui.View):
    def __init__(self, pages: Sequence[Reply], owner_id: int, *, timeout: float | None = TIMEOUT) -> None:
        if not pages:
            raise ValueError("a paginator needs at least one page")
        super().__init__(timeout=timeout)
        self.pages = list(pages)
        self.owner_id = owner_id
        self.index = 0
        self.message: discord.Message | discord.InteractionMessage | discord.WebhookMessage | None = None
        self._update()

    @property
    def current(self) -> Reply:
        return self.pages[self.index]

    def _update(self) -> None:
        last = len(self.pages) - 1
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index == last
        self.position.label = f"{self.index + 1}/{len(self.pages)}"

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(NOT_YOURS, ephemeral=True, allowed_mentions=NO_MENTIONS)
        return False

    async def show(self, interaction: discord.Interaction, index: int) -> None:
        """Edit the message the buttons belong to so it shows page `index` (clamped)."""
        self.index = min(max(index, 0), len(self.pages) - 1)
        self._update()
        await interaction.response.edit_message(**self.current.to_edit_kwargs(), view=self)

    @discord.ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[Paginator]) -> None:
        await self.show(interaction, self.index - 1)

    @discord.ui.button(label="1/1", style=discord.ButtonStyle.secondary, disabled=True)
    async def position(self, interaction: discord.Interaction, button: discord.ui.Button[Paginator]) -> None:
        await interaction.response.defer()  # never clickable; here for completeness

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[Paginator]) -> None:
        await self.show(interaction, self.index + 1)

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException:
                pass  # the message is gone or no longer editable; nothing to disable

    async def send(self, interaction: discord.Interaction) -> None:
        """Answer the interaction with the first page; the buttons are attached only when there are more."""
        kwargs = self.current.to_send_kwargs()
        if len(self.pages) > 1:
            kwargs["view"] = self
        else:
            self.stop()
        if interaction.response.is_done():
            self.message = await interaction.followup.send(wait=True, **kwargs)
        else:
            await interaction.response.send_message(**kwargs)
            self.message = await interaction.original_response()
