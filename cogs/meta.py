"""/help, read from the command tree itself; and an answer for every button, even one nothing handles.

Page buttons are registered here (they serve every cog's pages). A click on a component nothing handles any
more (a view from before a restart, a feature since removed) or a modal nobody waits for would leave the
user with Discord's "This interaction failed"; it gets a kind answer instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.present import film as present
from bot.present.paging import PageButton
from bot.present.reply import NO_MENTIONS

if TYPE_CHECKING:
    from bot.client import FilmBot

log = logging.getLogger(__name__)

ORPHANED = "These buttons no longer work (they are from before the bot restarted). Run the command again."


def _custom_ids(components: list[Any]) -> Iterator[str]:
    for component in components:
        custom_id = getattr(component, "custom_id", None)
        if custom_id:
            yield custom_id
        yield from _custom_ids(list(getattr(component, "children", []) or []))


def handled(client: discord.Client, interaction: discord.Interaction[Any]) -> bool:
    """Whether discord.py has something to run for this component click or modal submit.

    Reads discord.py's view store (private, but the only place that knows): a live view's item for the
    message, a persistent one, or a dynamic item whose pattern matches, if the message really carries it.
    """
    data: Any = interaction.data or {}
    custom_id = str(data.get("custom_id", ""))
    store = client._connection._view_store
    if interaction.type is discord.InteractionType.modal_submit:
        return custom_id in store._modals
    key = (int(data.get("component_type", 0)), custom_id)
    message_id = interaction.message.id if interaction.message else None
    if key in store._views.get(message_id, {}) or key in store._views.get(None, {}):
        return True
    on_message = interaction.message is not None and custom_id in _custom_ids(interaction.message.components)
    return on_message and any(pattern.fullmatch(custom_id) for pattern in store._dynamic_items)


def command_list(tree: app_commands.CommandTree[Any]) -> list[tuple[str, str]]:
    """(usage, description) for every slash command and subcommand, in a stable order."""
    out: list[tuple[str, str]] = []
    for command in sorted(tree.get_commands(), key=lambda c: c.name):
        if isinstance(command, app_commands.Group):
            out += [
                (sub.qualified_name, sub.description)
                for sub in command.walk_commands()
                if isinstance(sub, app_commands.Command)
            ]
        elif isinstance(command, app_commands.Command):
            out.append((command.name, command.description))
    return out


class Meta(commands.Cog):
    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PageButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(PageButton)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        kinds = (discord.InteractionType.component, discord.InteractionType.modal_submit)
        if interaction.type not in kinds or handled(self.bot, interaction):
            return
        data: Any = interaction.data or {}
        log.info("answering an orphaned %s (custom_id %r)", interaction.type.name, data.get("custom_id"))
        try:
            await interaction.response.send_message(ORPHANED, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.warning("could not answer an orphaned component", exc_info=True)

    @app_commands.command(name="help", description="What this bot does and how to use it")
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        reply = present.help_reply(command_list(self.bot.tree))
        await interaction.response.send_message(**{**reply.to_send_kwargs(), "ephemeral": True})


async def setup(bot: FilmBot) -> None:
    await bot.add_cog(Meta(bot))
