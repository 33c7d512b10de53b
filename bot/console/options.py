"""Reading a console line's `name:value` options into the values of an interaction's options.

Only the command's own option names split the line, so a value may contain colons ("review:Verdict: great");
a value in matching quotes loses them. Channels, roles and members are named; a file option takes a local path,
which is put on the offline Discord's CDN as Discord does with a file attached to a command.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from typing import Any, Final

import discord
from discord import app_commands

from bot.offline import payloads
from bot.offline.model import FakeGuild
from bot.offline.world import World

TRUE: Final = frozenset({"true", "yes", "y", "1", "on"})
FALSE: Final = frozenset({"false", "no", "n", "0", "off"})
ATTACHMENT_MAX: Final = payloads.ATTACHMENT_SIZE_LIMIT


class OptionError(ValueError):
    """An option the console cannot read (the message says what to type instead)."""


def unquote(raw: str) -> str:
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'“”":
        return text[1:-1]
    if len(text) >= 2 and text[0] == "“" and text[-1] == "”":
        return text[1:-1]
    return text


def split(command: app_commands.Command[Any, ..., Any], text: str) -> list[tuple[str, str]]:
    """`film:Alien stars:4` -> [("film", "Alien"), ("stars", "4")], splitting on the command's option names."""
    names = [p.display_name for p in command.parameters]
    if not text.strip():
        return []
    if not names:
        raise OptionError(f"/{command.qualified_name} takes no options.")
    pattern = re.compile(r"(?:^|\s)(" + "|".join(map(re.escape, names)) + r"):")
    parts = pattern.split(" " + text)
    if parts[0].strip():
        first = parts[0].strip().split()[0]
        wanted = ", ".join(f"{n}:" for n in names)
        raise OptionError(f"/{command.qualified_name} has no option {first!r}. Its options: {wanted}")
    return list(zip(parts[1::2], parts[2::2], strict=False))


class OptionReader:
    """Turns console text into option values for one server (`guild`) of an offline Discord."""

    def __init__(self, fake: World, guild: FakeGuild, users: dict[str, dict[str, Any]]) -> None:
        self.fake = fake
        self.guild = guild
        self.users = users  # console members by name

    def read(
        self, command: app_commands.Command[Any, ..., Any], text: str, channel_id: int
    ) -> dict[str, Any]:
        params = {p.display_name: p for p in command.parameters}
        values = {
            name: self.value(params[name], unquote(raw), channel_id) for name, raw in split(command, text)
        }
        missing = [
            f"{p.display_name}:" for p in command.parameters if p.required and p.display_name not in values
        ]
        if missing:
            usage = " ".join(
                f"{p.display_name}:…" if p.required else f"[{p.display_name}:…]" for p in command.parameters
            )
            name = command.qualified_name
            raise OptionError(f"/{name} needs {', '.join(missing)}. Usage: /{name} {usage}")
        return values

    def value(self, param: app_commands.Parameter, text: str, channel_id: int) -> Any:
        kind = param.type
        option = discord.AppCommandOptionType
        if kind is option.boolean:
            if text.lower() not in TRUE | FALSE:
                raise OptionError(f"{param.display_name} is true or false, not {text!r}.")
            return text.lower() in TRUE
        if kind in (option.integer, option.number):
            try:
                return int(text) if kind is option.integer else float(text.replace(",", "."))
            except ValueError:
                raise OptionError(f"{param.display_name} must be a number, not {text!r}.") from None
        if kind is option.channel:
            return self._named(lambda: self.guild.channel(text.lstrip("#")), payloads.CHANNEL, param, text)
        if kind is option.role:
            return self._named(lambda: self.guild.role(text.lstrip("@")), payloads.ROLE, param, text)
        if kind in (option.user, option.mentionable):
            user = self.users.get(text.lstrip("@").casefold())
            if user is None:
                raise OptionError(f"There is no member called {text!r} here (try one you used with `as`).")
            return payloads.Option(user, payloads.USER)
        if kind is option.attachment:
            return payloads.Option(self.attachment(text, channel_id), payloads.ATTACHMENT)
        return text

    def _named(self, find: Any, kind: int, param: app_commands.Parameter, text: str) -> payloads.Option:
        try:
            return payloads.Option(find(), kind)
        except KeyError:
            raise OptionError(f"There is no {param.display_name} called {text!r} in this server.") from None

    def attachment(self, path_text: str, channel_id: int) -> dict[str, Any]:
        """A local file, served by the offline Discord's CDN at the URL its attachment object carries."""
        path = Path(path_text).expanduser()
        if not path.is_file():
            raise OptionError(f"No file at {path_text!r}: give the path of a file on this computer.")
        size = path.stat().st_size
        if size > ATTACHMENT_MAX:
            raise OptionError(
                f"{path.name} is {size:,} bytes; Discord accepts files up to {ATTACHMENT_MAX:,}."
            )
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return self.fake.add_attachment(channel_id, path.name, path.read_bytes(), content_type)
