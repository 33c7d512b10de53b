"""Ratings and reviews: stars, the club's verdict (beside the critics' in /reception and in /movie), the rating
control's labels and prompt, answers to /rate, and /reviews pages.

Pure, within Discord's limits. Reviews are members' raw text: escaped (no markdown, no mentions), and hidden
whole behind a spoiler tag when the member said it spoils; parts the member tagged `||like this||` themselves
stay hidden either way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from bot.club.stars import MAX_STARS, MIN_STARS, StarsError
from bot.present import limits
from bot.present.nights import Post, film_name
from bot.present.reply import Reply, make_embed
from bot.present.text import Segment, chunk, clean, escape, plain_label, split_spoilers, spoiler, truncate
from bot.storage.models import FilmRef
from bot.storage.state import HALF_STARS, Rated, Rating, Verdict

REVIEW_MAX: Final = 1000  # characters a review may have
FULL, HALF = "★", "½"
BAR: Final = "█"
BAR_WIDTH: Final = 12
REVIEWS_PER_PAGE: Final = 6
VERDICT_NAME: Final = "This club's members"
NOT_IN_GUILD: Final = "Ratings belong to a server's film club: use this in a server."


# -- stars ----------------------------------------------------------------------------------------------------


def stars(half: int) -> str:
    """'★★★½' for 7 half stars; '½' for one."""
    if half not in HALF_STARS:
        raise ValueError(f"not a rating: {half!r} half stars")
    return FULL * (half // 2) + (HALF if half % 2 else "")


def number(value: float) -> str:
    """3.5 -> '3.5', 4.0 -> '4', 3.666 -> '3.7', 3.25 -> '3.3' (halves round up)."""
    text = f"{math.floor(value * 10 + 0.5) / 10:.1f}"
    return text[:-2] if text.endswith(".0") else text


def stars_label(half: int) -> str:
    """A rating button's label (plain text)."""
    return plain_label(stars(half), limits.BUTTON_LABEL)


def rate_custom_id(night_id: int, half: int) -> str:
    custom_id = f"rate:{night_id}:{half}"
    assert len(custom_id) <= limits.CUSTOM_ID
    return custom_id


def _members(count: int) -> str:
    return f"{count} member" + ("s" if count != 1 else "")


def average(verdict: Verdict) -> str:
    """'★★★½ **3.6**/5 from 5 members', or that nobody has rated it."""
    if verdict.average is None:
        return "Nobody here has rated it yet."
    rounded = max(1, min(10, math.floor(verdict.average * 2 + 0.5)))
    return f"{stars(rounded)} **{number(verdict.average)}**/5 from {_members(verdict.count)}"


def distribution(verdict: Verdict) -> str:
    """One line per rating given, 5 stars first: '★★★★ ████ 2'."""
    if not verdict.count:
        return ""
    most = max(verdict.distribution)
    lines = []
    for half in reversed(HALF_STARS):
        n = verdict.distribution[half - 1]
        if n:
            lines.append(f"{stars(half)} {BAR * max(1, round(n / most * BAR_WIDTH))} {n}")
    return "\n".join(lines)


def verdict_field(verdict: Verdict, *, detailed: bool = True) -> tuple[str, str]:
    """The club's verdict as an embed field: average and count, and (detailed) how the ratings spread."""
    if verdict.average is None:
        return VERDICT_NAME, "Nobody here has rated it yet. Rate it with `/rate`."
    parts = [average(verdict)]
    if detailed:
        parts.append(distribution(verdict))
    return VERDICT_NAME, truncate("\n".join(parts), limits.FIELD_VALUE)


def with_fields(reply: Reply, fields: Sequence[tuple[str, str]], position: int | None = None) -> Reply:
    """The reply with `fields` added to its first embed at `position` (the end when None), still within
    every limit: the embed is rebuilt by `make_embed`, which shortens what no longer fits. (A reply whose
    other embeds leave no room is returned unchanged.)"""
    if not reply.embeds:
        return replace(reply, embeds=[make_embed("", "", fields)])
    first, others = reply.embeds[0], reply.embeds[1:]
    existing = [(f.name or "", f.value or "") for f in first.fields]
    at = len(existing) if position is None else max(0, min(position, len(existing)))
    merged = [*existing[:at], *fields, *existing[at:]]
    embed = make_embed(first.title or "", first.description or "", merged, first.footer.text or "")
    if len(embed) + sum(len(e) for e in others) > limits.EMBED_TOTAL:
        return reply
    return replace(reply, embeds=[embed, *others])


# -- the rating control on the after-film post -----------------------------------------------------------------


PROMPT_NAME: Final = "Rate it"
PROMPT: Final = (
    "What did you think? Give it ½ to 5 stars with the buttons below (press again to change your mind), "
    "or use `/rate` to add a review. `/reception` shows the club's verdict beside the critics'."
)


def rating_prompt(post: Post) -> Post:
    """The after-film post with the invitation to rate added to its embed."""
    embed = post.embed.copy()
    embed.add_field(name=PROMPT_NAME, value=PROMPT, inline=False)
    return replace(post, embed=embed)


# -- answers --------------------------------------------------------------------------------------------------


def _film(film: FilmRef) -> str:
    return escape(film_name(film)) or "Untitled film"


def stars_error(error: StarsError) -> str:
    """A clear answer to a number of stars that is not a rating."""
    shown = escape(f"{error.value:g}") if error.problem != "not_a_number" else "That"
    scale = f"Ratings go from {HALF} to {number(MAX_STARS)} stars, in half stars"
    if error.problem == "too_low":
        if error.value <= 0:
            return f"{shown} stars isn't a rating. {scale}: {HALF} is the lowest. To take a rating back, use `/unrate`."
        return f"{shown} stars is below the lowest rating. {scale}."
    if error.problem == "too_high":
        return f"{shown} stars is more than {number(MAX_STARS)}. {scale}."
    if error.problem == "not_a_half":
        near = " or ".join(number(s) for s in error.nearest)
        hint = f" Did you mean {near}?" if near else ""
        return f"{shown} isn't a whole or half star. {scale}.{hint}"
    return f"That isn't a number of stars. {scale}: {number(MIN_STARS)} to {number(MAX_STARS)}."


def review_too_long(length: int) -> str:
    return (
        f"Your review is {length:,} characters; a review holds at most {REVIEW_MAX:,}. Nothing was saved. "
        "Your text is attached so you can shorten it and rate again."
    )


def rated(outcome: Rated, *, film: FilmRef, hint: bool = False) -> str:
    """The private answer to a rating: what the member gave, what changed, and the club's verdict now; with
    `hint`, how to add a review (for a rating given with the buttons)."""
    mine = outcome.rating
    name = _film(film)
    given = f"{stars(mine.half_stars)} ({number(mine.half_stars / 2)}/5)"
    previous = outcome.previous
    if previous is None:
        head = f"You gave **{name}** {given}."
    elif not outcome.changed:
        head = f"You had already given **{name}** {given}: nothing changed."
    elif previous.half_stars != mine.half_stars:
        head = f"You changed your rating of **{name}** from {stars(previous.half_stars)} to {given}."
    else:
        head = f"You updated your review of **{name}** ({given})."
    lines = [head]
    if mine.review:
        tagged = any(hidden and part.strip() for part, hidden in split_spoilers(mine.review))
        if mine.spoiler:
            hidden = "behind a spoiler tag"
        elif tagged:
            hidden = "with the parts you tagged hidden (say `spoiler:True` to hide it all)"
        else:
            hidden = "in the clear (say `spoiler:True` if it spoils)"
        lines.append(f"Your review is saved, {hidden}. `/reviews` lists the club's reviews.")
    lines.append(f"The club: {average(outcome.verdict)}.")
    if hint and not mine.review:
        title = plain_label(film.title, 60).replace("`", "")
        lines.append(f"Add a review with `/rate film:{title} stars:{number(mine.half_stars / 2)} review:…`.")
    return truncate("\n".join(lines), limits.CONTENT)


def unrated(film: FilmRef, removed: Rating | None) -> str:
    if removed is None:
        return f"You haven't rated **{_film(film)}**, so there was nothing to take back."
    extra = " and your review" if removed.review else ""
    return f"Your rating of **{_film(film)}**{extra} is removed."


def rating_closed(cancelled: bool) -> str:
    if cancelled:
        return (
            "That movie night was cancelled, so there is nothing to rate from it. Rate a film with `/rate`."
        )
    return "You can rate the film once it's over. Until then, no spoilers!"


def no_film_to_rate() -> str:
    return "That night's film was never decided, so there is nothing to rate. Use `/rate` with a film."


def no_such_night(night_id: int) -> str:
    return f"There's no movie night `#{night_id}` in this server to rate. Rate a film with `/rate`."


def not_a_rating() -> str:
    return "That button isn't a rating any more. Use `/rate` instead."


# -- reviews --------------------------------------------------------------------------------------------------


def review_text(review: str, whole_spoils: bool) -> str:
    """A member's review, markdown-ready: escaped; hidden whole when it spoils, else only the parts the
    member tagged `||…||` themselves. "" for a review with nothing to show."""
    if whole_spoils:
        return spoiler(review)
    parts = []
    for part, hidden in split_spoilers(review):
        shown = spoiler(part) if hidden else clean(part)
        if shown:
            parts.append(shown)
    return " ".join(parts)


def reviews_pages(film: FilmRef, verdict: Verdict, reviews: Sequence[Rating]) -> list[Reply]:
    """The members' reviews of a film, newest first, a few per page; spoilers hidden."""
    title = truncate(f"Reviews: {_film(film)}", limits.EMBED_TITLE)
    head: Segment = (f"**{VERDICT_NAME}:** {average(verdict)}\n\n", False)
    segments: list[Segment] = []
    for review in reviews:
        text = review_text(review.review or "", review.spoiler)
        if not text:
            continue
        when = f"<t:{int(review.updated_at.timestamp())}:d>"
        tag = " · *spoilers*" if review.spoiler else ""
        segments.append(
            (f"**{stars(review.half_stars)}** <@{review.user_id}> · {when}{tag}\n{text}\n\n", False)
        )
    if not segments:
        empty = "Nobody has written a review yet. Add yours with `/rate … review:…`."
        return [Reply(None, [make_embed(title, head[0] + empty)])]
    groups = [segments[i : i + REVIEWS_PER_PAGE] for i in range(0, len(segments), REVIEWS_PER_PAGE)]
    texts = [text for group in groups for text in chunk([head, *group], limits.EMBED_DESCRIPTION)]
    return [
        Reply(None, [make_embed(title, text, footer=f"Page {n}/{len(texts)}")])
        for n, text in enumerate(texts, 1)
    ]
