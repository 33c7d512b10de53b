"""/help: what the bot does and its commands, read from the command tree itself."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.present import film as present

if TYPE_CHECKING:
    from bot.client import FilmBot


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

    @app_commands.command(name="help", description="What this bot does and how to use it")
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        reply = present.help_reply(command_list(self.bot.tree))
        await interaction.response.send_message(**{**reply.to_send_kwargs(), "ephemeral": True})


async def setup(bot: FilmBot) -> None:
    await bot.add_cog(Meta(bot))
