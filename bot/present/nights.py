"""Movie-night messages: announcement, reminders, start, spoilers-ok, replies, scheduled-event text, labels.

Pure: data in, Discord-ready text/embeds out, within limits. User and document text is escaped (it cannot
format or mention); only a night's chosen role is ever written as a mention, and the sender must still pass
allowed_mentions naming that role alone. Nothing here spoils: only the premise and safe facts are shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

import discord

from bot.nights.offsets import format_offset, format_offsets
from bot.present import limits
from bot.present.reply import Field, make_embed
from bot.present.text import escape, has_visible, plain_label, truncate
from bot.storage.models import FilmRef, Overview, Spoil
from bot.storage.state import Answer, GuildSettings, Job, Night, Rsvp, RsvpCounts

EVENT_NAME: Final = 100
EVENT_DESCRIPTION: Final = 1000
EVENT_LOCATION: Final = 100
POLL_QUESTION: Final = 300
POLL_ANSWER: Final = 55
POLL_ANSWERS: Final = 10
NOTE_MAX: Final = 500  # what /movienight accepts as a note

COLOUR: Final = discord.Colour(0xE5A00D)
CANCELLED_COLOUR: Final = discord.Colour(0x747F8D)
ANSWER_LABELS: Final[Mapping[Answer, str]] = {"going": "Going", "maybe": "Maybe", "no": "Can't go"}
ANSWER_EMOJI: Final[Mapping[Answer, str]] = {"going": "✅", "maybe": "🤔", "no": "❌"}
NOT_IN_GUILD: Final = "Movie nights only work in a server."
PLOT_HINT: Final = "`/plot`"


@dataclass(frozen=True)
class Post:
    """A message to send. `ping_role` is the only mention it may make (None: none)."""

    content: str | None
    embed: discord.Embed
    ping_role: int | None = None


# -- small pieces -----------------------------------------------------------------------------------------


def stamp(when: datetime, style: str) -> str:
    return f"<t:{int(when.timestamp())}:{style}>"


def when_text(when: datetime) -> str:
    """Shown in each reader's own timezone: full date and relative ('in 3 days')."""
    return f"{stamp(when, 'F')} ({stamp(when, 'R')})"


def role_mention(role_id: int) -> str:
    return f"<@&{role_id}>"


def film_name(film: FilmRef) -> str:
    """Raw (unescaped) 'Title (Year)'."""
    return f"{film.title} ({film.year})" if film.year else film.title


def marker(night_id: int, kind: str, offset_s: int = 0) -> str:
    """The footer that identifies a post (used to find it again in the channel)."""
    label = {
        "announce": "announcement",
        "reminder": f"{format_offset(offset_s)} reminder",
        "start": "starting now",
        "spoilers": "spoilers-ok",
    }.get(kind, kind)
    return f"Movie night #{night_id} · {label}"


def job_label(job: Job) -> str:
    return marker(job.night_id, job.kind, job.offset_s).split(" · ", 1)[1]


def _safe_fact(overview: Overview | None, name: str) -> str | None:
    if overview is None:
        return None
    fact = overview.facts.get(name)
    if fact is None or fact.spoil != Spoil.SAFE or not fact.value.strip():
        return None
    return fact.value.strip()


def _cast(overview: Overview | None, count: int = 5) -> str | None:
    if overview is None or not overview.top_cast:
        return None
    names = []
    for credit in sorted(overview.top_cast, key=lambda c: c.billing)[:count]:
        names.append(f"{credit.actor} as {credit.character}" if credit.character else credit.actor)
    return ", ".join(names)


def _late_note(late_by: timedelta | None) -> str:
    if late_by is None:
        return ""
    return "\n-# Posted late: the bot could not post this at the planned time."


# -- posts ------------------------------------------------------------------------------------------------


def announcement(night: Night, overview: Overview | None, *, late_by: timedelta | None = None) -> Post:
    title = escape(film_name(night.film))
    premise = truncate(escape(overview.premise), 1500) if overview and overview.premise else ""
    fields = [Field("When", when_text(night.starts_at))]
    details: list[tuple[str, str | None]] = [
        ("Year", _safe_fact(overview, "year") or (str(night.film.year) if night.film.year else None)),
        ("Runtime", _safe_fact(overview, "runtime")),
        ("Director", _safe_fact(overview, "director")),
        ("Starring", _cast(overview)),
        (
            "Where to watch",
            ", ".join(overview.where_to_watch) if overview and overview.where_to_watch else None,
        ),
    ]
    # Only what shows something: a detail or note of spaces or invisible characters is left out, as escaping
    # drops control and bidi characters (Discord refuses a blank field, and the post would be lost).
    shown = [(name, escape(value)) for name, value in details if value]
    fields += [Field(name, value, name != "Starring") for name, value in shown if has_visible(value)]
    if has_visible(escape(night.note)):
        fields.append(Field("Note", escape(night.note)))
    embed = make_embed(
        f"🎬 {title}",
        premise,
        fields,
        marker(night.id, "announce") + " · RSVP with the buttons below",
        colour=COLOUR,
    )
    head = f"{role_mention(night.role_id)} " if night.role_id else ""
    content = f"{head}🍿 **Movie night:** {title}, {when_text(night.starts_at)}{_late_note(late_by)}"
    return Post(truncate(content, limits.CONTENT), embed, night.role_id)


def cancelled_announcement(night: Night) -> Post:
    title = escape(film_name(night.film))
    embed = discord.Embed(
        title=truncate(f"❌ Cancelled: {title}", limits.EMBED_TITLE),
        colour=CANCELLED_COLOUR,
        description=f"This movie night (planned for {stamp(night.starts_at, 'F')}) was cancelled.",
    )
    embed.set_footer(text=marker(night.id, "announce"))
    return Post(f"~~🍿 Movie night: {title}~~ cancelled.", embed, None)


def reminder(night: Night, offset_s: int, *, late_by: timedelta | None = None) -> Post:
    title = escape(film_name(night.film))
    embed = discord.Embed(
        title=truncate(f"⏰ Coming up: {title}", limits.EMBED_TITLE),
        colour=COLOUR,
        description=f"Starts {when_text(night.starts_at)}. RSVP on the announcement if you haven't yet.",
    )
    embed.set_footer(text=marker(night.id, "reminder", offset_s))
    head = f"{role_mention(night.role_id)} " if night.role_id else ""
    content = f"{head}⏰ Movie night {stamp(night.starts_at, 'R')}: {title}{_late_note(late_by)}"
    return Post(truncate(content, limits.CONTENT), embed, night.role_id)


def starting(night: Night, *, late_by: timedelta | None = None) -> Post:
    title = escape(film_name(night.film))
    started = f"started {stamp(night.starts_at, 'R')}" if late_by else "is starting now"
    embed = discord.Embed(
        title=truncate(f"🎬 {title}", limits.EMBED_TITLE),
        colour=COLOUR,
        description=f"Movie night {started}. Grab your snacks! Please keep spoilers out of chat until the end.",
    )
    embed.set_footer(text=marker(night.id, "start"))
    head = f"{role_mention(night.role_id)} " if night.role_id else ""
    content = f"{head}🍿 Movie night {started}: {title}{_late_note(late_by)}"
    return Post(truncate(content, limits.CONTENT), embed, night.role_id)


def spoilers_ok(night: Night, *, late_by: timedelta | None = None) -> Post:
    title = escape(film_name(night.film))
    embed = discord.Embed(
        title=truncate(f"🗣️ Spoilers are fair game: {title}", limits.EMBED_TITLE),
        colour=COLOUR,
        description=(
            f"The film has ended, so spoilers are fair game now. What did everyone think? "
            f"Use {PLOT_HINT} to go back over the plot."
        ),
    )
    embed.set_footer(text=marker(night.id, "spoilers"))
    return Post(f"🗣️ {title} is over: spoilers are fair game.{_late_note(late_by)}", embed, None)


# -- scheduled event --------------------------------------------------------------------------------------


def _inert_label(text: str, limit: int) -> str:
    """Plain one-line text within `limit`, with every `@` followed by a zero-width space (scheduled events
    render mentions, and `plain_label` drops zero-width spaces, so this is done after cutting)."""
    label = plain_label(text, limit)
    extra = label.count("@")
    if extra and len(label) + extra > limit:
        label = plain_label(text, limit - extra)
    return label.replace("@", "@\u200b")


def event_name(night: Night) -> str:
    return _inert_label(f"Movie night: {film_name(night.film)}", EVENT_NAME)


def event_location(channel_name: str | None) -> str:
    return _inert_label(f"Discord · #{channel_name}", EVENT_LOCATION) if channel_name else "Discord"


def event_description(night: Night, overview: Overview | None) -> str:
    """Plain text, at most 1000 characters: each detail line is capped, and the premise gets what is left."""
    tail: list[str] = []
    facts = [f for f in (_safe_fact(overview, "director"), _safe_fact(overview, "runtime")) if f]
    if facts:
        tail.append(_inert_label(" · ".join(facts), 150))
    if overview and overview.where_to_watch:
        tail.append(_inert_label("Where to watch: " + ", ".join(overview.where_to_watch), 200))
    if has_visible(plain_label(night.note, 300)):
        tail.append(_inert_label("Note: " + night.note, 300))
    tail.append("RSVP on the announcement in Discord.")
    tail_text = "\n".join(tail)
    premise = overview.premise if overview and overview.premise.strip() else ""
    if not premise:
        return tail_text
    return f"{_inert_label(premise, EVENT_DESCRIPTION - len(tail_text) - 2)}\n\n{tail_text}"


# -- RSVP buttons -----------------------------------------------------------------------------------------


def rsvp_label(answer: Answer, count: int) -> str:
    return plain_label(f"{ANSWER_LABELS[answer]} ({count})", limits.BUTTON_LABEL)


def rsvp_custom_id(night_id: int, answer: Answer) -> str:
    custom_id = f"rsvp:{night_id}:{answer}"
    assert len(custom_id) <= limits.CUSTOM_ID
    return custom_id


def rsvp_ack(answer: Answer, night: Night) -> str:
    return f"{ANSWER_EMOJI[answer]} You're down as **{ANSWER_LABELS[answer]}** for {escape(film_name(night.film))}."


def rsvp_closed(night: Night) -> str:
    if night.status == "cancelled":
        return "This movie night was cancelled."
    return "This movie night is over."


# -- replies ----------------------------------------------------------------------------------------------


def film_choice(film: FilmRef) -> str:
    return plain_label(film_name(film), limits.CHOICE_NAME)


def night_choice(night: Night) -> str:
    local = night.starts_at.astimezone(ZoneInfo(night.timezone))
    return plain_label(f"#{night.id} {film_name(night.film)} · {local:%a %d %b %H:%M} {night.timezone}", 100)


def _where(night: Night) -> str:
    return f"<#{night.channel_id}>"


def scheduled(night: Night, *, event_error: str | None, blank_note: bool = False) -> str:
    lines = [
        f"Scheduled movie night `#{night.id}`: **{escape(film_name(night.film))}**",
        f"Starts {when_text(night.starts_at)} (read in {night.timezone}). Check that's right!",
        f"The announcement is being posted in {_where(night)}.",
    ]
    if blank_note:
        lines.append(
            "The note had nothing visible in it (only spaces or invisible characters), so there is none."
        )
    if event_error:
        lines.append(f"⚠️ I couldn't create the server event: {escape(event_error)}")
    return truncate("\n".join(lines), limits.CONTENT)


def edited(
    night: Night,
    *,
    event_error: str | None,
    announcement_error: str | None = None,
    note_removed: bool = False,
) -> str:
    lines = [
        f"Updated movie night `#{night.id}`: **{escape(film_name(night.film))}**, {when_text(night.starts_at)}."
    ]
    if note_removed:
        lines.append("The new note had nothing visible in it, so the note is removed.")
    if announcement_error:
        lines.append(f"⚠️ I couldn't update the announcement: {escape(announcement_error)}")
    if event_error:
        lines.append(f"⚠️ I couldn't update the server event: {escape(event_error)}")
    return truncate("\n".join(lines), limits.CONTENT)


def cancelled(night: Night) -> str:
    return (
        f"Cancelled movie night `#{night.id}` ({escape(film_name(night.film))}). Its reminders are stopped."
    )


def nothing_to_edit() -> str:
    return "Tell me what to change: `when`, `film` or `note`."


def night_not_found(night_id: int) -> str:
    return f"There's no upcoming movie night `#{night_id}` in this server. See `/movienight list`."


def time_error(message: str) -> str:
    return f"⚠️ {escape(message)}"


def everyone_role() -> str:
    return "Pick a role to ping (not @\u200beveryone), or leave `role` empty."


def _problem(job: Job) -> str:
    state = "failed" if job.status == "failed" else "retrying"
    return f"⚠️ {job_label(job)} {state}: {escape(job.last_error or 'unknown error')}"


_NEEDS_ATTENTION = "**Needs attention**"
_UPCOMING = "**Upcoming movie nights**"
_BLOCK_MAX = 600  # one night's lines, so a page holds several and a night is never split across pages


def _night_block(night: Night, tally: RsvpCounts, jobs: Sequence[Job]) -> str:
    rsvp = " · ".join(f"{ANSWER_EMOJI[a]} {tally.of(a)}" for a in ANSWER_LABELS)
    lines = [
        f"`#{night.id}` **{escape(film_name(night.film))}**, {when_text(night.starts_at)} in {_where(night)}",
        f"  {rsvp}",
    ]
    if night.event_error:
        lines.append(f"  {truncate('⚠️ server event: ' + escape(night.event_error), 200)}")
    lines.extend(f"  {truncate(_problem(job), 200)}" for job in jobs)
    return truncate("\n".join(lines), _BLOCK_MAX)


def night_list(
    nights: Sequence[Night],
    counts: Mapping[int, RsvpCounts],
    problems: Mapping[int, Sequence[Job]],
) -> list[str]:
    """Pages of at most 2000 characters: the nights whose posts or event failed first (what an organiser must
    see), then the others by date. A night is never cut or split across pages."""
    if not nights:
        return ["No movie nights coming up. Schedule one with `/movienight schedule`."]
    troubled = [n for n in nights if n.event_error or problems.get(n.id)]
    fine = [n for n in nights if n not in troubled]
    pages: list[str] = []
    page = ""
    for heading, group in ((_NEEDS_ATTENTION, troubled), (_UPCOMING, fine)):
        for index, night in enumerate(group):
            block = _night_block(night, counts.get(night.id, RsvpCounts()), problems.get(night.id, ()))
            if index == 0:
                block = f"{heading}\n{block}"
            if page and len(page) + 2 + len(block) > limits.CONTENT:
                pages.append(page)
                page = ""
            page = f"{page}\n\n{block}" if page else block
    pages.append(page)
    return pages


def rsvp_list(night: Night, rsvps: Sequence[Rsvp]) -> str:
    lines = [f"**{escape(film_name(night.film))}**, {when_text(night.starts_at)}"]
    for answer, label in ANSWER_LABELS.items():
        members = [f"<@{r.user_id}>" for r in rsvps if r.answer == answer]
        shown = ", ".join(members[:40]) + (f" and {len(members) - 40} more" if len(members) > 40 else "")
        lines.append(f"{ANSWER_EMOJI[answer]} **{label}** ({len(members)}): {shown or 'nobody yet'}")
    return truncate("\n".join(lines), limits.CONTENT)


def settings_summary(settings: GuildSettings, *, changed: bool = False) -> str:
    head = "Movie night settings updated:" if changed else "Movie night settings:"
    channel = f"<#{settings.channel_id}>" if settings.channel_id else "the channel where you schedule"
    role = role_mention(settings.role_id) if settings.role_id else "none"
    return "\n".join(
        [
            head,
            f"• Channel: {channel}",
            f"• Timezone: {settings.timezone}",
            f"• Role to ping: {role}",
            f"• Reminders before the start: {format_offsets(settings.reminders)}",
        ]
    )


def settings_error(message: str) -> str:
    return f"⚠️ {escape(message)}"


# -- poll -------------------------------------------------------------------------------------------------


def poll_question() -> str:
    return "Which film should we watch at the next movie night?"


def poll_answer(film: FilmRef) -> str:
    return plain_label(film_name(film), POLL_ANSWER)


def poll_needs_films(films: Sequence[FilmRef]) -> str:
    if not films:
        return "There are no films in the library yet."
    return f"There's only one film in the library (**{escape(film_name(films[0]))}**): nothing to vote on."


def poll_posted(total: int) -> str:
    shown = min(total, POLL_ANSWERS)
    extra = f" (the first {shown} of {total}; a poll holds at most {POLL_ANSWERS})" if total > shown else ""
    return f"Poll posted with {shown} films{extra}. When it closes, schedule the winner with `/movienight schedule`."
