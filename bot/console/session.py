"""`Console`: a line in, what a Discord user would see out.

The console is a member with every permission ("you") of one server, "Film Club", typing in #general; `as NAME`
runs a line as another (ordinary) member. Each command or button press becomes the INTERACTION_CREATE Discord
would send (`bot.offline.payloads`), handed to the bot as its gateway would. Time is the console's own clock:
it stands still until `wait`, which moves it from one due post to the next, so reminders, the start and the
after-film post arrive in order. After every line the movie-night scheduler is let finish what is due, and the
posts the bot made by itself are shown after the answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import zlib
from dataclasses import dataclass, field
from typing import Any, Final

from discord import app_commands

from bot.console import render
from bot.console.options import OptionError, OptionReader
from bot.nights.timeparse import ParseError, parse_when
from bot.offline import payloads
from bot.offline.client import deliver, settled
from bot.offline.clock import ManualClock
from bot.offline.model import EPHEMERAL, LOADING, FakeGuild, snowflake_time, user_payload
from bot.offline.server import FakeDiscord

log = logging.getLogger(__name__)

ANSWER_WITHIN: Final = 5.0  # seconds to wait for an answer (a deferred one: until it is filled in)
SETTLE_WITHIN: Final = 5.0  # seconds to let the scheduler finish what is due
QUIET_FOR: Final = 0.05  # seconds without a request to the offline Discord: the bot has finished answering
QUIET_WITHIN: Final = 2.0
MOST_STEPS: Final = 500  # due times one `wait` walks through
MEMBER_IDS: Final = 1_250_000_000_100_000_000  # + a checksum of the name: a console member's user id
CLOCK_KEY: Final = "console_clock"  # state meta: how far the console's clock went (the next session goes on)
NO_ANSWER: Final = f"(no answer within {ANSWER_WITHIN:.0f} seconds)"
HELP: Final = """\
Console commands:
  /command option:value ...    run a slash command, e.g. /cast name:Paloma  (quotes are optional)
  ?/command option:partial     show the autocomplete choices for the last option
  press LABEL                  press a button on a recent message, e.g. press Going, press ★★★★, press Next
  as NAME <line>               do it as another member, e.g. as alice press Maybe
  wait 2h | wait until friday 20:00    move the clock on; posts due meanwhile arrive in order
  now                          what time it is on the console's clock
  help                         this text; /help lists the bot's commands
  quit                         leave
Spoilers show as ⟦spoiler: …⟧. A file option takes a path, e.g. /film add file:notes/alien.txt"""


@dataclass
class Shown:
    """What the last answer showed: a message (as the offline Discord holds it) or autocomplete choices."""

    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    ephemeral: bool = False
    choices: list[dict[str, Any]] = field(default_factory=list)
    message: dict[str, Any] | None = None

    @classmethod
    def of(cls, message: dict[str, Any]) -> Shown:
        return cls(
            content=message.get("content") or "",
            embeds=list(message.get("embeds") or []),
            components=list(message.get("components") or []),
            ephemeral=bool(int(message.get("flags") or 0) & EPHEMERAL),
            message=message,
        )


@dataclass
class Member:
    user: dict[str, Any]
    context: payloads.Context


class Console:
    """Lines in, text out. Open with `bot.console.open_console`, end with `close`."""

    def __init__(
        self,
        bot: Any,
        fake: FakeDiscord,
        guild: FakeGuild,
        clock: ManualClock,
        stack: contextlib.AsyncExitStack,
    ) -> None:
        self.bot = bot
        self.fake = fake
        self.guild = guild
        self.clock = clock
        self._stack = stack
        self.members: dict[str, Member] = {}
        self.options = OptionReader(fake, guild, {})
        self.you = self.member("you", admin=True)
        self.recent: list[dict[str, Any]] = []  # messages shown, newest last (buttons are pressed on these)
        self.last: Shown | None = None  # what the last answer showed
        self._shown_posts: set[str] = set()

    async def close(self) -> None:
        await self._stack.aclose()

    def member(self, name: str, *, admin: bool = False) -> Member:
        key = name.casefold()
        if key not in self.members:
            user_id = MEMBER_IDS + zlib.crc32(key.encode())  # the same member every run
            user = user_payload(user_id, key, global_name=name if admin else name.title())
            context = payloads.Context.in_guild(self.fake, self.guild, user=user, admin=admin)
            self.members[key] = Member(user, context)
            self.options.users[key] = user
        return self.members[key]

    # -- lines ------------------------------------------------------------------------------------------------

    async def run_line(self, line: str) -> str:
        """Run one console line; what it showed (the answer, then the posts that arrived)."""
        line = line.strip()
        if not line or line.startswith("#"):
            return ""
        word, _, rest = line.partition(" ")
        verb = word.casefold()
        try:
            if verb == "help":
                return HELP
            if verb in ("now", "time"):
                return f"It is {render.moment(self.clock.now(), await self.names())}."
            if verb == "wait":
                return await self.wait(rest)
            member = self.you
            if verb == "as":
                name, _, line = rest.strip().partition(" ")
                if not name or not line.strip():
                    return "Say who and what, e.g. as alice press Going"
                member = self.member(name)
            answer = await self.act(line.strip(), member)
        except OptionError as error:
            return str(error)
        return self._join(answer, await self.posts())

    async def act(self, line: str, member: Member) -> str:
        if line.casefold().startswith("press "):
            return await self.press(line[6:].strip(), member)
        if line.startswith(("/", "?/")):
            return await self.command(line, member)
        return "Unknown console command. Type help (console) or /help (the bot)."

    async def command(self, line: str, member: Member) -> str:
        focus = line.startswith("?")
        name, _, rest = line.lstrip("?").lstrip("/").partition(" ")
        command: Any = self.bot.tree.get_command(name)
        path: list[str] = []
        while isinstance(command, app_commands.Group):
            sub, _, rest = rest.strip().partition(" ")
            leaf = command.get_command(sub) if sub else None
            if leaf is None:
                return f"/{command.qualified_name} needs one of: " + ", ".join(
                    c.name for c in command.commands
                )
            path.append(sub)
            command = leaf
        if not isinstance(command, app_commands.Command):
            return "Unknown command. Try /help."
        channel_id = int(member.context.channel["id"])
        options = self.options.read(command, rest, channel_id)
        group, subcommand = (path[0], path[1]) if len(path) == 2 else (None, path[0] if path else None)
        registered = next((c for c in self.fake.commands() if c["name"] == name), None)
        command_id = registered["id"] if registered else None
        if focus:
            if not options:
                return "Type an option to complete, e.g. ?/cast name:pal"
            payload = payloads.autocomplete(
                member.context,
                name,
                options,
                list(options)[-1],
                group=group,
                subcommand=subcommand,
                command_id=command_id,
            )
        else:
            payload = payloads.slash_command(
                member.context, name, options, group=group, subcommand=subcommand, command_id=command_id
            )
        return await self.dispatch(payload)

    async def press(self, label: str, member: Member | None = None) -> str:
        """Press the button called `label` (exactly, else containing it) on the newest message that has one."""
        member = member or self.you
        wanted = label.casefold()
        for exact in (True, False):
            for shown in reversed(self.recent):
                current = self.fake.message(shown["channel_id"], shown["id"]) or shown
                for button in render.buttons(current):
                    text = str(button.get("label", "")).casefold()
                    if (text == wanted) if exact else (wanted in text):
                        if button.get("disabled"):
                            return "That button is disabled."
                        click = payloads.component_click(member.context, button["custom_id"], current)
                        return await self.dispatch(click, before=copy.deepcopy(current))
        return f"No button {label!r} on a recent message."

    async def dispatch(self, payload: dict[str, Any], *, before: dict[str, Any] | None = None) -> str:
        """Hand the interaction to the bot; its answer and follow-ups as text. A button that only changed
        another message's buttons (e.g. RSVP counts) is shown as that change."""
        handle = deliver(self.bot, self.fake, payload)
        try:
            await self.fake.wait_until(lambda: settled(handle), ANSWER_WITHIN, "the answer")
        except TimeoutError:
            return NO_ANSWER
        await self.quiet()
        if handle.response_type == 8:
            self.last = Shown(choices=list(handle.response_data.get("choices") or []))
            return render.choices(self.last.choices)
        messages = [m for m in handle.messages() if not int(m.get("flags") or 0) & LOADING]
        names = await self.names()
        shown = []
        for message in messages:
            self._shown_posts.add(message["id"])
            self._remember(message)
            if before is not None and message["id"] == before["id"] and render.same_text(before, message):
                shown.append(render.update(message))
            else:
                shown.append(render.message(message, names))
        self.last = Shown.of(messages[-1]) if messages else None
        return "\n\n".join(shown)

    async def quiet(self) -> None:
        """Let the bot finish what an answer set off (follow-ups): until the offline Discord hears nothing new
        for a moment (bounded)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + QUIET_WITHIN
        heard = -1
        while loop.time() < deadline:
            count = len(self.fake.requests())
            if count == heard:
                return
            heard = count
            await asyncio.sleep(QUIET_FOR)

    def _remember(self, message: dict[str, Any]) -> None:
        self.recent = [*[m for m in self.recent if m["id"] != message["id"]][-19:], message]

    # -- time and the posts the bot makes by itself ----------------------------------------------------------

    async def wait(self, text: str) -> str:
        """`wait 2h`, `wait 30 minutes`, `wait until friday 20:00`: walk the clock through every post due."""
        names = await self.names()
        phrase = text.strip().removeprefix("until ").removeprefix("for ").strip()
        if not phrase:
            return "Wait how long? e.g. wait 2h, wait until friday 20:00"
        now = self.clock.now()
        try:
            target = parse_when(phrase, names.zone, now)
        except ParseError as error:
            return f"{error} (Times are read in {names.zone}.)"
        if target <= now:
            return f"That is not in the future: it is {render.moment(now, names)}."
        shown: list[str] = []
        for _ in range(MOST_STEPS):
            await self.settle()
            shown += await self.posts()
            due = await self.bot.state.next_due_at()
            if due is None or due > target or due <= self.clock.now():
                break
            self.clock.set(due)
        self.clock.set(target)
        await self.bot.state.set_meta(CLOCK_KEY, target.isoformat())
        await self.settle()
        shown += await self.posts()
        head = f"⏩ {render.elapsed(target - now)} later: {render.moment(target, await self.names())}."
        return self._join(head, shown)

    async def settle(self) -> None:
        """Let the scheduler deliver what is due now: until it sleeps again with nothing due (bounded)."""
        if self.bot.get_cog("MovieNight") is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_WITHIN
        while loop.time() < deadline:
            await asyncio.sleep(0.005)
            if self.clock.sleeping and not await self.bot.state.due_jobs(self.clock.now(), limit=1):
                return
        log.warning("the scheduler did not settle within %.0f s", SETTLE_WITHIN)

    async def posts(self) -> list[str]:
        """The messages the bot posted by itself since the last look, oldest first, each with its header."""
        await self.settle()
        names = await self.names()
        out = []
        for channel in self.guild.channels:
            for message in self.fake.messages(channel["id"], include_ephemeral=False):
                if message["id"] in self._shown_posts or message.get("webhook_id"):
                    continue
                self._shown_posts.add(message["id"])
                self._remember(message)
                when = snowflake_time(int(message["id"]))
                author = (message.get("author") or {}).get("global_name") or "the bot"
                head = render.post_header(channel.get("name", "channel"), author, when, names)
                out.append(f"{head}\n{render.message(message, names)}")
        return out

    async def names(self) -> render.Names:
        settings = await self.bot.state.guild_settings(self.guild.id)
        users = {
            int(m.user["id"]): m.user.get("global_name") or m.user["username"] for m in self.members.values()
        }
        users[int(self.fake.bot_user["id"])] = self.fake.bot_user.get("global_name") or "bot"
        return render.Names(
            now=self.clock.now(),
            zone=settings.timezone,
            users=users,
            roles={int(r["id"]): r["name"] for r in self.guild.roles},
            channels={int(c["id"]): c["name"] for c in self.guild.channels},
        )

    @staticmethod
    def _join(answer: str, posts: list[str]) -> str:
        return "\n\n".join(part for part in (answer, *posts) if part)
