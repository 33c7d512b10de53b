"""Film polls: the poll's question and answers, the result post, replies, list lines. Pure.

Poll questions and answers, button labels and footers render no markdown: they get plain text. Answer texts
are members' titles (watchlist) or the library's, escaped where markdown renders. Nothing here spoils.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

import discord

from bot.nights.polls import option_film
from bot.nights.usual import describe_usual
from bot.present import limits
from bot.present.nights import COLOUR, Post, film_name, stamp, when_text
from bot.present.text import escape, plain_label, truncate
from bot.storage.state import GuildSettings, Night
from bot.storage.state.polls import Poll, PollOption, PollSource

FAILED_SHOWN: Final = timedelta(days=14)  # failed polls stay in /movienight list this long
QUESTION: Final = 300
ANSWER: Final = 55
SOURCES: Final = {"watchlist": "the watchlist", "library": "the library"}


def option_name(option: PollOption) -> str:
    """Raw 'Title (Year)'."""
    return f"{option.title} ({option.year})" if option.year else option.title


def marker(poll_id: int) -> str:
    """The footer of a poll's result post (to find it again in the channel)."""
    return f"Movie night poll #{poll_id} · result"


def question(poll: Poll, night: Night | None) -> str:
    """Ends with the poll's number, so the poll can be found again in the channel."""
    if night is not None:
        local = night.starts_at.astimezone(ZoneInfo(night.timezone))
        text = f"Which film for movie night #{night.id} ({local:%a %d %b})?"
    else:
        text = "Which film should we watch next?"
    tag = f" · poll #{poll.id}"
    return plain_label(text, QUESTION - len(tag)) + tag


def is_question_of(text: str, poll_id: int) -> bool:
    return text.endswith(f" · poll #{poll_id}")


def answer(option: PollOption) -> str:
    return plain_label(option_name(option), ANSWER) or f"Film {option.position}"


def _late(late_by: timedelta | None) -> str:
    if late_by is None:
        return ""
    return "\n-# Posted late: the bot was offline when the poll closed."


def _tally(poll: Poll) -> str:
    ranked = sorted(poll.options, key=lambda o: (-(o.votes or 0), o.position))
    lines = []
    for option in ranked:
        votes = option.votes or 0
        mark = "🏆 " if poll.winners and option.position in poll.winners else ""
        lines.append(f"{mark}**{escape(option_name(option))}**: {votes} vote{'s' if votes != 1 else ''}")
    return "\n".join(lines)


def result(poll: Poll, night: Night | None, *, late_by: timedelta | None = None) -> Post:
    """The result post: a winner, a tie (an organiser picks), or nobody voted. For a poll that picks a series
    occurrence's film, it says what the night will show."""
    winners = poll.winning
    ended = f"Ended early by <@{poll.ended_by}>. " if poll.ended_by else ""
    if not winners:
        title = f"🗳️ Poll #{poll.id}: nobody voted"
        head = f"🗳️ Nobody voted in poll #{poll.id}."
        body = "An organiser can pick a film with `/movienight schedule`" + (
            f" or `/movienight edit id:{night.id} film:`." if night is not None else "."
        )
    elif len(winners) == 1:
        name = escape(option_name(winners[0]))
        title = f"🏆 Poll #{poll.id}: {name} wins"
        head = f"🏆 **{name}** won poll #{poll.id}!"
        body = (
            _occurrence_line(winners[0], night)
            if night is not None
            else "An organiser can schedule it below."
        )
    else:
        names = " and ".join(f"**{escape(option_name(o))}**" for o in winners)
        title = f"🤝 Poll #{poll.id} is a tie"
        head = f"🤝 Poll #{poll.id} is a tie between {names}."
        body = "It's a tie: an organiser picks one with the buttons below."
    description = f"{ended}{body}\n\n{_tally(poll)}" if poll.options else f"{ended}{body}"
    embed = discord.Embed(
        title=truncate(title, limits.EMBED_TITLE), colour=COLOUR, description=truncate(description, 4000)
    )
    embed.set_footer(text=marker(poll.id))
    return Post(truncate(head + _late(late_by), limits.CONTENT), embed, None)


def _occurrence_line(winner: PollOption, night: Night) -> str:
    where = f"movie night `#{night.id}`, {when_text(night.starts_at)}"
    if night.status == "cancelled":
        return f"Movie night `#{night.id}` was cancelled meanwhile."
    if night.film is not None and night.film == option_film(winner):
        return f"It's the film for {where}."
    if night.film is not None:
        return f"An organiser had already chosen **{escape(film_name(night.film))}** for {where}."
    return f"Movie night `#{night.id}` is over."


def pick_label(option: PollOption, *, occurrence: bool) -> str:
    head = "🎬 Pick " if occurrence else "📅 Schedule "
    return head + plain_label(option_name(option), limits.BUTTON_LABEL - len(head))


def picked(option: PollOption, night: Night | None, by: int) -> str:
    """A line added to the result post once an organiser acted on it (its buttons are removed)."""
    name = escape(option_name(option))
    if night is None:
        return f"✅ <@{by}> picked **{name}**."
    return f"📅 <@{by}> scheduled **{name}**: movie night `#{night.id}`, {when_text(night.starts_at)}."


# -- replies ---------------------------------------------------------------------------------------------------


def posted(poll: Poll, source: PollSource, available: int) -> str:
    shown = len(poll.options)
    more = f" (the top {shown} of {available}; a poll holds at most {shown})" if available > shown else ""
    fallback = ""
    if source != poll.source:
        fallback = " The watchlist had fewer than two films, so they come from the library."
    return (
        f"Poll `#{poll.id}` with {shown} films from {SOURCES[source]}{more} is being posted in <#{poll.channel_id}>; "
        f"it closes {when_text(poll.closes_at)}. I'll post the result then (end it early with "
        f"`/movienight poll end`).{fallback}"
    )


def not_enough(source: PollSource, available: int) -> str:
    if source == "watchlist":
        have = "nothing" if available == 0 else "only one film"
        return (
            f"The watchlist has {have} to vote on: a poll needs at least two. Suggest films with "
            "`/watchlist add`, or run the poll `from: library`. No poll was started."
        )
    have = "no films" if available == 0 else "only one film the club hasn't watched"
    return f"The library has {have}: a poll needs at least two. No poll was started."


def poll_choice(poll: Poll) -> str:
    return plain_label(
        f"Poll #{poll.id} · {len(poll.options)} films · closes {poll.closes_at:%d %b %H:%M} UTC", 100
    )


def no_open_poll() -> str:
    return "There's no open poll in this server. Start one with `/movienight poll start`."


def choose_poll(polls: Sequence[Poll]) -> str:
    listed = ", ".join(f"`#{p.id}`" for p in polls[:10])
    return f"Several polls are open ({listed}): say which one with the `poll` option."


def poll_not_found(poll_id: int) -> str:
    return f"There's no open poll `#{poll_id}` in this server. See `/movienight list`."


def ending(poll: Poll) -> str:
    return f"Ended poll `#{poll.id}`. The result will be posted in <#{poll.channel_id}> in a moment."


def gone(poll: Poll, reason: str) -> str:
    return f"⚠️ Poll `#{poll.id}` can't be ended: {escape(reason)}. It's recorded as failed (see `/movienight list`)."


def poll_lines(polls: Sequence[Poll]) -> list[str]:
    """Open and failed polls, for /movienight list."""
    lines = []
    for poll in polls:
        where = f"in <#{poll.channel_id}>"
        if poll.status == "open":
            lines.append(
                f"🗳️ Poll `#{poll.id}` {where}: {len(poll.options)} films, closes {stamp(poll.closes_at, 'R')}"
            )
        elif poll.status == "scheduled":
            lines.append(f"🗳️ Poll `#{poll.id}` {where} opens {stamp(poll.opens_at, 'R')}")
        elif poll.status == "failed":
            lines.append(f"⚠️ Poll `#{poll.id}` {where} failed: {escape(poll.error or 'unknown error')}")
    return lines


def only_organisers() -> str:
    return "Only organisers (Manage Events) can act on a poll's result."


def already_done() -> str:
    return "An organiser has already acted on this result."


def with_polls(pages: Sequence[str], lines: Sequence[str]) -> list[str]:
    """/movienight list: the pages of nights, then the polls (on the last page when they fit, else their own)."""
    polls = truncate("**Polls**\n" + "\n".join(lines), limits.CONTENT)
    out = list(pages)
    if out and len(out[-1]) + 2 + len(polls) <= limits.CONTENT:
        out[-1] = f"{out[-1]}\n\n{polls}"
    else:
        out.append(polls)
    return out


def with_usual(summary: str, settings: GuildSettings) -> str:
    """The settings summary, with the club's usual night."""
    if settings.usual_weekday is None or settings.usual_time is None:
        usual = 'not set (set it to prefill "Schedule it" after a poll)'
    else:
        hour, minute = (int(part) for part in settings.usual_time.split(":"))
        usual = describe_usual(settings.usual_weekday, time(hour, minute))
    return f"{summary}\n• Usual night: {usual}"
