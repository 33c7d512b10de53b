"""The movie nights' buttons and form: RSVP on an announcement, the poll result's "Schedule it"/"Pick",
"this night or the whole series?", and the "Schedule it" form.

Buttons are persistent (`discord.ui.DynamicItem`): each custom_id carries what the click needs (`rsvp:<night>:
<answer>`, `pollres:<poll>:<answer>`, `scope:<action>:<night>:<choice>`), so they work after a restart without
registering a view per message. A click is handed to the movie-night cog, found by name: a reloaded extension
is a new module with new classes.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final, cast

import discord

from bot.present import nights as present
from bot.present import polls as present_polls
from bot.present.text import plain_label
from bot.storage.state import Answer, Night
from bot.storage.state.polls import Poll

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


# -- a poll's result: "Schedule it" (a poll of its own) or "Pick" (a series occurrence's poll, tied) ----------

POLL_RESULT_PATTERN: Final = r"pollres:(?P<poll>[0-9]{1,20}):(?P<position>[0-9]{1,2})"


class PollResultButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=POLL_RESULT_PATTERN
):
    """One per winning answer (several for a tie); organisers only. Persistent like the RSVP buttons."""

    def __init__(self, poll_id: int, position: int, label: str = "Schedule it") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary,
                custom_id=f"pollres:{poll_id}:{position}",
            )
        )
        self.poll_id = poll_id
        self.position = position

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> PollResultButton:
        return cls(int(match["poll"]), int(match["position"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handle = getattr(interaction.client.get_cog(COG_NAME), "poll_result_clicked", None)
        if handle is not None:
            await handle(interaction, self.poll_id, self.position)


def result_view(poll: Poll, night: Night | None) -> discord.ui.View | None:
    """Buttons under a poll's result: "Schedule it" for the winner of a poll of its own; one per tied film
    (schedule, or pick for the occurrence the poll was for). None when nothing is left to choose."""
    winners = poll.winning
    occurrence = night is not None
    if not winners or (occurrence and len(winners) == 1):
        return None
    view = discord.ui.View(timeout=None)
    for option in winners[:20]:
        label = (
            "📅 Schedule it" if len(winners) == 1 else present_polls.pick_label(option, occurrence=occurrence)
        )
        view.add_item(PollResultButton(poll.id, option.position, label))
    return view


# -- "this night or the whole series?" -------------------------------------------------------------------------

SCOPE_PATTERN: Final = r"scope:(?P<action>cancel|edit):(?P<night>[0-9]{1,20}):(?P<choice>one|all|keep)(?::(?P<key>[0-9a-f]{1,16}))?"
SCOPE_LABELS: Final = {
    "cancel": {"one": "Cancel this night only", "all": "Cancel the whole series", "keep": "Keep everything"},
    "edit": {"one": "This night only", "all": "The whole series", "keep": "Change nothing"},
}


class ScopeButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=SCOPE_PATTERN):
    """An answer to "this occurrence or the whole series?". An edit's changes wait in memory under `key`
    (a restart forgets them, and the button then says so)."""

    def __init__(self, action: str, night_id: int, choice: str, key: str = "") -> None:
        style = discord.ButtonStyle.danger if choice == "all" else discord.ButtonStyle.secondary
        if action == "edit" and choice != "keep":
            style = discord.ButtonStyle.primary
        super().__init__(
            discord.ui.Button(
                label=SCOPE_LABELS[action][choice],
                style=style,
                custom_id=f"scope:{action}:{night_id}:{choice}" + (f":{key}" if key else ""),
            )
        )
        self.action, self.night_id, self.choice, self.key = action, night_id, choice, key

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ScopeButton:
        return cls(match["action"], int(match["night"]), match["choice"], match["key"] or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handle = getattr(interaction.client.get_cog(COG_NAME), "scope_chosen", None)
        if handle is not None:
            await handle(interaction, self.action, self.night_id, self.choice, self.key)


def scope_view(action: str, night_id: int, key: str = "") -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for choice in ("one", "all", "keep"):
        view.add_item(ScopeButton(action, night_id, choice, key))
    return view


# -- the "Schedule it" form ------------------------------------------------------------------------------------


class ScheduleForm(discord.ui.Modal):
    """When (prefilled with the server's usual night) and a note, for the film a poll chose."""

    def __init__(self, poll_id: int, position: int, film: str, when: str) -> None:
        super().__init__(
            title=plain_label(f"Schedule {film}", 45), custom_id=f"pollform:{poll_id}:{position}"
        )
        self.poll_id, self.position = poll_id, position
        self.when: discord.ui.TextInput[ScheduleForm] = discord.ui.TextInput(
            custom_id="when",
            label="When (in the server's timezone)",
            default=when or None,
            placeholder="e.g. 'friday 8pm' or '2026-12-04 20:00'",
            max_length=100,
        )
        self.note: discord.ui.TextInput[ScheduleForm] = discord.ui.TextInput(
            custom_id="note",
            label="Note for the announcement (optional)",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=present.NOTE_MAX,
        )
        self.add_item(self.when)
        self.add_item(self.note)

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        handle = getattr(interaction.client.get_cog(COG_NAME), "schedule_from_poll", None)
        if handle is not None:
            await handle(interaction, self.poll_id, self.position, self.when.value, self.note.value)
