"""The fuzz's driver: the real bot process over the offline Discord, one interaction (or clock move) per step.

`Fuzz.setup` starts the bot against two servers ("ours", where most steps happen, and "other", whose ids are
typed into ours), leaves paged and RSVP messages behind, and restarts the bot, so the components on those
messages are from before a restart. `Fuzz.steps` draws steps from the command tree the bot registered (its
global sync request): every command and subcommand with values for its options, every autocomplete, clicks
on the buttons of the bot's messages, and jumps of the virtual clock (so reminders and start posts go out).

`Fuzz.run` sends a step and checks everything the issue asks of an interaction: an answer within Discord's
3 s, a deferred answer filled in, never the generic "something went wrong", every request the bot made
accepted by the offline Discord (which refuses what Discord refuses), within Discord's limits and valid
against its OpenAPI description, no user text able to ping, no spoiler shown, and no ERROR in the bot's log.
Background work (posts the step queued) is waited for: until the bot is asleep on the virtual clock again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TextIO

from hypothesis import strategies as st

from bot.offline.client import settled
from bot.offline.model import EVERYONE_PERMISSIONS, MANAGE_EVENTS, FakeGuild, RecordedRequest
from bot.offline.payloads import (
    ATTACHMENT,
    CHANNEL,
    ROLE,
    USER,
    Context,
    Option,
    autocomplete,
    component_click,
    member_message,
    message_command,
    slash_command,
)
from bot.offline.process import BotProcess
from bot.offline.routes.interactions import InteractionHandle
from bot.present.errors import GENERIC
from tests.e2e.conftest import (
    Club,
)
from tests.e2e.fuzz_values import (
    ATTACHED,
    FILES,
    NIGHT,
    edge_integers,
    edge_numbers,
    edge_texts,
    integer_for,
    text_for,
    usable,
)
from tests.e2e.wire import (
    strings,
    wire_problems,
)

DEADLINE = 3.0  # Discord's: an interaction unanswered by then has failed
ANSWER_WAIT = 6.0  # real seconds to wait for an answer before calling it missing
SETTLE_WAIT = 15.0  # for a deferred answer to be filled, and for the bot to go back to sleep
MEMBERS = 24  # per server: the per-user cooldown (5 per 10 s) should not answer every step
CLOCK_STEPS = (
    timedelta(minutes=1),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(days=1),
    timedelta(days=3),
)
SUBCOMMAND, GROUP = 1, 2
MESSAGE_MENU = 3  # an application command's type: used on a message
FILM = "the-perfection"  # named in the setup steps, so they work in a library of several films too
WEIGHTS = {"schedule": 5, "edit": 3, "cancel": 2}  # subcommands drawn more often than the others


def pick(data: st.DataObject, choices: Sequence[Any]) -> Any:
    """One of `choices`, about evenly (hypothesis favours the first of a sampled_from; a wide integer is drawn
    near uniformly, and still shrinks towards the first choice)."""
    return choices[data.draw(st.integers(0, 2**32 - 1)) % len(choices)]


@dataclass(frozen=True)
class Step:
    """One thing a user (or time) does. Plain data: payloads are built in the event loop."""

    kind: str  # "command" | "autocomplete" | "click" | "clock"
    server: str = "ours"  # "ours" | "other" | "dm"
    who: int = 0  # index of the member (organisers are the even ones)
    command: str = ""
    subcommand: str | None = None
    options: tuple[tuple[str, Any], ...] = ()
    focused: str | None = None
    pick: int = 0  # clicks: which of the buttons on the bot's messages (resolved when the step runs)
    advance: timedelta = timedelta()

    def describe(self) -> str:
        if self.kind == "clock":
            return f"the clock moves on {self.advance}"
        if self.kind == "click":
            return f"member {self.who} clicks button {self.pick} (of the buttons on the bot's messages)"
        typed = " ".join(f"{name}:{value!r}" for name, value in self.options)
        path = f"/{self.command}" + (f" {self.subcommand}" if self.subcommand else "")
        focus = f" (autocompleting {self.focused})" if self.focused else ""
        return f"{self.server} member {self.who}: {path} {typed}{focus}"


class Fuzz:
    def __init__(self, club: Club) -> None:
        self.club = club
        self.fake = club.fake
        self.bot: BotProcess | None = None
        self.servers: dict[str, FakeGuild] = {"ours": club.guilds[0], "other": club.guilds[1]}
        self.members: dict[str, list[Context]] = {}
        self.commands: list[dict[str, Any]] = []
        self.nights: dict[str, list[int]] = {"ours": [], "other": []}
        self.ids: dict[str, int] = {}
        self._log_seen = 0
        self.steps_run = 0
        self._clicked = ""
        self._last_answer = ""
        journal = os.environ.get("FUZZ_JOURNAL")  # a file to write every step and its answer to
        self.journal: TextIO | None = open(journal, "a", encoding="utf-8") if journal else None

    # -- setting up -----------------------------------------------------------------------------------------

    async def setup(self) -> None:
        for name, guild in self.servers.items():
            self.members[name] = [
                Context.in_guild(
                    self.fake,
                    guild,
                    user=self.fake.make_user(f"{name}{n}", global_name=f"{name.title()} {n}"),
                    permissions=EVERYONE_PERMISSIONS | MANAGE_EVENTS if n % 2 == 0 else None,
                )
                for n in range(MEMBERS)
            ]
        self.members["dm"] = [Context.in_dm(self.fake, user=c.user) for c in self.members["ours"][:4]]
        ours, other = self.servers["ours"], self.servers["other"]
        self.ids = {
            "user": int(self.members["ours"][1].user["id"]),
            "role": int(ours.role("Film Club")["id"]),
            "channel": int(ours.text_channel["id"]),
            "other": int(other.role("Film Club")["id"]),
        }
        self.bot = await self.club.start_bot()
        self.commands = self.fake.commands()
        assert self.commands, "the bot registered no commands"
        # Messages with components from before a restart: pages (public and private), an RSVP announcement,
        # and another server's night whose id steps in ours will type.
        for step in (
            Step("command", "ours", 0, "cast", options=(("film", FILM),)),
            Step("command", "ours", 2, "plot", options=(("private", True), ("film", FILM))),
            Step("command", "ours", 4, "movienight", "schedule", (("when", "in 2 days"), ("film", FILM))),
            Step("command", "other", 0, "movienight", "schedule", (("when", "in 3 days"), ("film", FILM))),
            Step("command", "ours", 6, "movienight", "list"),
        ):
            problems = await self.run(step)
            assert not problems, "\n".join(problems)
        await self.bot.kill()
        self.bot = await self.club.start_bot()
        self._log_seen = 0
        await self._quiet()

    # -- drawing steps ------------------------------------------------------------------------------------

    def _leaves(self, server: str) -> list[tuple[dict[str, Any], str | None, list[dict[str, Any]]]]:
        """(command, subcommand name, options) for every command and subcommand usable in `server`."""
        found = []
        for command in self.commands:
            if server == "dm" and command.get("dm_permission") is False:
                continue
            subs = [o for o in command.get("options") or [] if o["type"] == SUBCOMMAND]
            if subs:
                found += [(command, sub["name"], list(sub.get("options") or [])) for sub in subs]
            else:
                found.append((command, None, list(command.get("options") or [])))
        return found

    def _value(self, data: st.DataObject, option: Mapping[str, Any], server: str) -> Any:
        kind = option["type"]
        if option.get("choices"):
            return pick(data, [c["value"] for c in option["choices"]])
        if kind == 3:
            return data.draw(text_for(option, self.ids))
        if kind == 4:
            return data.draw(integer_for(option))
        if kind == 10:
            return data.draw(st.floats(-(2.0**53), 2.0**53, allow_nan=False))
        if kind == 5:
            return data.draw(st.booleans())
        guild = self.servers.get(server, self.servers["ours"])
        if kind == 7:
            types = option.get("channel_types") or [0]
            return (
                "channel",
                pick(data, [c["id"] for c in guild.channels if c["type"] in types]),
            )
        if kind == 8:  # the server's own roles first, @everyone (which the bot must refuse) last
            roles = sorted(guild.roles, key=lambda r: (r["id"] == str(guild.id), bool(r.get("managed"))))
            return ("role", pick(data, [r["id"] for r in roles]))
        if kind == 11:
            return (ATTACHED, pick(data, range(len(FILES))))
        return ("user", pick(data, range(MEMBERS)))

    def draw(self, data: st.DataObject) -> Step:
        kind = pick(data, ["command"] * 6 + ["autocomplete"] * 3 + ["click"] * 2 + ["clock"])
        if kind == "clock":
            return Step("clock", advance=pick(data, CLOCK_STEPS))
        if kind == "click":
            return Step("click", who=pick(data, range(MEMBERS)), pick=data.draw(st.integers(0, 2**32 - 1)))
        server = pick(data, ["ours"] * 6 + ["other", "dm"])
        leaves = self._leaves(server)
        if kind == "autocomplete":
            leaves = [leaf for leaf in leaves if any(o.get("autocomplete") for o in leaf[2])] or leaves
        # Weighted towards what changes state (scheduling, editing), and towards organisers, who may do it.
        weighted = [leaf for leaf in leaves for _ in range(WEIGHTS.get(leaf[1] or "", 1))]
        command, sub, options = pick(data, weighted)
        count = len(self.members[server])
        who = pick(data, [*range(0, count, 2), *range(count)])  # organisers (even) twice as likely
        chosen = [o for o in options if o.get("required") or pick(data, (True, False))]
        focused = None
        completable = [o for o in options if o.get("autocomplete")]
        if kind == "autocomplete" and completable:
            target = pick(data, completable)
            focused = target["name"]
            if target not in chosen:
                chosen.append(target)
        values = tuple((o["name"], self._value(data, o, server)) for o in chosen)
        if focused is not None:  # what has been typed so far: text, even in an integer option
            values = tuple((n, str(v) if n == focused and not isinstance(v, str) else v) for n, v in values)
        return Step(
            "autocomplete" if focused else "command", server, who, command["name"], sub, values, focused
        )

    def sweep(self) -> list[Step]:
        """Every option of every command and subcommand with each kind of edge value, once, by an organiser of
        our server (the other options left out, required ones given a usable value); and every autocomplete
        with each kind of edge text. Deterministic: what hypothesis may take long to combine is always tried."""
        steps = []
        for command, sub, options in self._leaves("ours"):
            base = tuple((o["name"], usable(o)) for o in options if o.get("required"))
            for option in options:
                if option.get("choices"):
                    values: list[Any] = [c["value"] for c in option["choices"]]
                elif option["type"] == 3:
                    values = edge_texts(option, self.ids)
                elif option["type"] == 4:
                    values = edge_integers(option)
                elif option["type"] == 10:
                    values = list(edge_numbers(option))
                elif option["type"] == 5:
                    values = [True, False]
                elif option["type"] == 7:
                    types = option.get("channel_types") or [0]
                    values = [
                        ("channel", c["id"]) for c in self.servers["ours"].channels if c["type"] in types
                    ]
                elif option["type"] == 8:
                    values = [("role", r["id"]) for r in self.servers["ours"].roles]
                elif option["type"] == 11:
                    values = [(ATTACHED, i) for i in range(len(FILES))]
                else:
                    continue
                others = [(n, v) for n, v in base if n != option["name"]]
                for value in values:
                    steps.append(
                        Step("command", "ours", 0, command["name"], sub, (*others, (option["name"], value)))
                    )
                    if option.get("autocomplete"):  # what has been typed so far: text
                        typed = value[2] if isinstance(value, tuple) else value
                        focus = (*others, (option["name"], str(typed)))
                        steps.append(
                            Step("autocomplete", "ours", 2, command["name"], sub, focus, option["name"])
                        )
            if not options:
                steps.append(Step("command", "ours", 0, command["name"], sub))
        steps += [
            Step("clock", advance=delta) for delta in CLOCK_STEPS
        ]  # the posts of the nights it scheduled
        return steps

    # -- running a step -----------------------------------------------------------------------------------

    def _option(self, value: Any, server: str) -> Any:
        if not isinstance(value, tuple):
            return value
        if value[0] == NIGHT:  # the n-th night known in a server (or a number, while there is none)
            known = self.nights[value[1]]
            return known[value[2] % len(known)] if known else value[2]
        what, ref = value
        guild = self.servers.get(server, self.servers["ours"])
        if what == "channel":
            return Option(guild.channel(ref), CHANNEL)
        if what == "role":
            return Option(guild.role(ref), ROLE)
        if what == ATTACHED:
            name, data = FILES[ref]
            return Option(self.fake.add_attachment(int(guild.text_channel["id"]), name, data), ATTACHMENT)
        return Option(self.members[server if server in self.members else "ours"][ref].user, USER)

    def _payload(self, step: Step) -> dict[str, Any]:
        if step.kind == "click" and not self._buttons():
            step = Step("command", "ours", step.who, "help")  # nothing to click (yet): ask for help instead
        if step.kind == "click":
            buttons = self._buttons()
            server, owner, message, custom_id = buttons[step.pick % len(buttons)]
            ctx = self.members[server][owner if owner >= 0 else step.who % MEMBERS]
            self._clicked = f"{ctx.user['username']} clicks {custom_id!r} on message {message['id']}"
            return component_click(ctx, custom_id, message)
        ctx = self.members[step.server][step.who % len(self.members[step.server])]
        options = {name: self._option(value, step.server) for name, value in step.options}
        command = next(c for c in self.commands if c["name"] == step.command)
        command_id = command["id"]
        if command.get("type", 1) == MESSAGE_MENU:  # used on a member's message with some of FILES attached
            files = [FILES[(step.who + i) % len(FILES)] for i in range(1 + step.who % 3)]
            channel_id = int(ctx.channel["id"])
            attached = [self.fake.add_attachment(channel_id, name, data) for name, data in files]
            message = member_message(self.fake, ctx, "these", attachments=attached)
            return message_command(ctx, step.command, message, command_id=command_id)
        if step.kind == "autocomplete":
            assert step.focused is not None
            return autocomplete(
                ctx, step.command, options, step.focused, subcommand=step.subcommand, command_id=command_id
            )
        return slash_command(ctx, step.command, options, subcommand=step.subcommand, command_id=command_id)

    async def run(self, step: Step) -> list[str]:
        """Do the step; every problem it revealed (empty when all is well)."""
        assert self.bot is not None
        self.steps_run += 1
        start = len(self.fake.requests())
        problems: list[str] = []
        if step.kind == "clock":
            await self.club.advance(step.advance)
        else:
            handle = await self.fake.send_interaction(self._payload(step))
            problems += await self._answered(handle)
            self._learn(step, handle)
        problems += await self._quiet()
        problems += self._checked(self.fake.requests()[start:])
        if self.journal is not None:
            answer = self._last_answer if step.kind != "clock" else ""
            self.journal.write(f"{self._described(step)} -> {answer}\n")
            self.journal.flush()
        return [f"{self._described(step)}: {p}" for p in problems]

    async def _answered(self, handle: InteractionHandle) -> list[str]:
        try:
            await self.fake.wait_until(
                lambda: handle.callback is not None or handle.expired, ANSWER_WAIT, "an answer"
            )
        except TimeoutError:
            return [f"no answer within {ANSWER_WAIT:.0f} s (Discord shows 'This interaction failed')"]
        if handle.expired or handle.callback is None:
            return ["answered after Discord's 3 s deadline"]
        problems = []
        if handle.latency is not None and handle.latency > DEADLINE:
            problems.append(f"answered in {handle.latency:.2f} s, after Discord's deadline")
        try:
            await self.fake.wait_until(lambda: settled(handle), SETTLE_WAIT, "the deferred answer")
        except TimeoutError:
            problems.append("a deferred answer was never filled in")
        shown = " ".join(strings([handle.callback.json, *handle.messages()]))
        summary = [
            m.get("content") or " ".join(e.get("title") or "" for e in m.get("embeds") or [])
            for m in handle.messages()
        ]
        if handle.response_type == 8:
            summary = [c["name"] for c in handle.response_data.get("choices") or []]
        self._last_answer = " | ".join(" ".join(str(t).split()) for t in summary)[:200]
        if GENERIC in shown:
            problems.append(f"the generic error answer: {shown[:300]!r}")
        return problems

    async def _quiet(self) -> list[str]:
        """Wait until the bot has done what the step queued (its scheduler is asleep on the clock again)."""
        assert self.bot is not None
        bot = self.bot
        try:
            await self.fake.wait_until(
                lambda: self.club.clock.asleep([bot.pid]), SETTLE_WAIT, "the bot asleep"
            )
        except TimeoutError:
            return ["the bot's scheduler did not go back to sleep"]
        return []

    def _checked(self, requests: Sequence[RecordedRequest]) -> list[str]:
        assert self.bot is not None
        problems = [
            f"{r.method} {r.path} was refused {r.status}: {r.response}"
            for r in requests
            if r.status >= 400 and not r.fault
        ]
        roles = [int(r["id"]) for g in self.servers.values() for r in g.roles if r["id"] != str(g.id)]
        problems += wire_problems(self.fake, allowed_roles=roles, requests=requests)
        self.fake.handler_errors.clear()
        log = self.bot.output()
        fresh, self._log_seen = log[self._log_seen :], len(log)
        problems += [
            f"bot log: {line}" for line in fresh.splitlines() if " ERROR " in line or "Traceback" in line
        ]
        return problems

    def _learn(self, step: Step, handle: InteractionHandle) -> None:
        for message in handle.messages():
            found = re.search(r"Scheduled movie night `#(\d+)`", message.get("content") or "")
            if found:
                self.nights[step.server if step.server != "dm" else "ours"].append(int(found.group(1)))

    def _described(self, step: Step) -> str:
        return self._clicked if step.kind == "click" else step.describe()

    def _buttons(self) -> list[tuple[str, int, dict[str, Any], str]]:
        """(server, owner index or -1 for anyone, message, custom_id) of every enabled button on the bot's
        messages; an ephemeral message only its owner sees (and can click). Read when a click step runs."""
        found = []
        for server, guild in self.servers.items():
            users = {c.user["id"]: n for n, c in enumerate(self.members[server])}
            for channel in guild.channels:
                for message in self.fake.messages(channel["id"]):
                    if message["author"]["id"] != self.fake.bot_user["id"]:
                        continue
                    rows = message.get("components") or []
                    enabled = [
                        c["custom_id"]
                        for row in rows
                        for c in row.get("components", [])
                        if c.get("custom_id") and not c.get("disabled")
                    ]
                    owner = -1
                    if message["flags"] & 64:
                        user = ((message.get("interaction_metadata") or {}).get("user") or {}).get("id")
                        owner = users.get(user, -2)
                    if owner != -2:
                        found += [(server, owner, message, custom_id) for custom_id in enabled]
        return found
