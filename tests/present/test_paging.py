"""Page buttons through real discord.py clients and the offline Discord: they turn for their owner, survive a
restart (a new client with nothing in memory), and every click gets an answer, expired pages included."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import discord
import pytest
from discord.ext import commands

from bot.offline.client import connected_client, invoke
from bot.offline.model import EPHEMERAL, FakeGuild
from bot.offline.payloads import Context, bot_message, component_click, slash_command
from bot.offline.server import FakeDiscord
from bot.present import limits, paging
from bot.present.film import cast_pages
from bot.present.reply import Reply, make_embed
from bot.storage.models import Credit, FilmRef
from cogs.meta import ORPHANED, Meta

KEYS = {"three": 3, "one": 1, "gone": 0}


def pages_of(key: str) -> list[Reply]:
    return [
        Reply(None, [make_embed(f"{key} {i}", f"Text of page {i}")]) for i in range(1, KEYS.get(key, 2) + 1)
    ]


async def source(interaction: discord.Interaction[Any], key: str) -> Sequence[Reply] | None:
    return pages_of(key) or None


def bot_with_pages() -> commands.Bot:
    """A bot with a /demo command sending the pages of `key`, as the film cog does."""
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.none(), help_command=None)

    @bot.tree.command(name="demo", description="Paged answer")
    async def demo(interaction: discord.Interaction[Any], key: str, private: bool = False) -> None:
        await paging.send_pages(interaction, pages_of(key), "demo", key, private=private)

    return bot


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        server.add_guild("Film Club")
        yield server


@pytest.fixture
def guild(fake: FakeDiscord) -> FakeGuild:
    return next(iter(fake.guilds.values()))


async def start(bot: commands.Bot) -> None:
    await bot.add_cog(Meta(bot))  # type: ignore[arg-type]
    paging.register(bot, "demo", source, "/demo")


def buttons(message: dict[str, Any] | None) -> list[dict[str, Any]]:
    assert message is not None
    return [c for row in message["components"] for c in row["components"]]


async def test_owner_turns_pages_and_others_get_a_private_hint(fake: FakeDiscord, guild: FakeGuild) -> None:
    owner, stranger = Context.in_guild(fake, guild), Context.in_guild(fake, guild)
    channel = guild.text_channel["id"]
    async with connected_client(fake, bot_with_pages()) as bot:
        await start(bot)  # type: ignore[arg-type]
        sent = await invoke(bot, fake, slash_command(owner, "demo", {"key": "three"}))
        message = sent.original_message
        parts = buttons(message)
        assert [b["label"] for b in parts] == ["◀ Previous", "1/3", "Next ▶"]
        assert [b.get("disabled", False) for b in parts] == [True, True, False]
        assert all(len(b["custom_id"]) <= limits.CUSTOM_ID for b in parts)
        assert len({b["custom_id"] for b in parts}) == 3

        def current() -> dict[str, Any]:
            found = fake.message(channel, message["id"])  # type: ignore[index]
            assert found is not None
            return found

        turned = await invoke(bot, fake, component_click(owner, parts[2]["custom_id"], current()))
        assert turned.response_type == 7
        assert current()["embeds"][0]["title"] == "three 2"
        assert [b["label"] for b in buttons(current())][1] == "2/3"
        await invoke(bot, fake, component_click(owner, buttons(current())[2]["custom_id"], current()))
        assert current()["embeds"][0]["title"] == "three 3"
        assert [b.get("disabled", False) for b in buttons(current())] == [False, True, True]

        hint = await invoke(
            bot, fake, component_click(stranger, buttons(current())[0]["custom_id"], current())
        )
        assert hint.response_type == 4 and hint.response_data["flags"] & EPHEMERAL
        assert hint.response_data["content"] == paging.NOT_YOURS
        assert current()["embeds"][0]["title"] == "three 3"  # unchanged by the stranger


async def test_one_page_has_no_buttons_and_private_pages_are_ephemeral(
    fake: FakeDiscord, guild: FakeGuild
) -> None:
    ctx = Context.in_guild(fake, guild)
    async with connected_client(fake, bot_with_pages()) as bot:
        await start(bot)  # type: ignore[arg-type]
        one = await invoke(bot, fake, slash_command(ctx, "demo", {"key": "one"}))
        private = await invoke(bot, fake, slash_command(ctx, "demo", {"key": "three", "private": True}))
    assert one.original_message is not None and one.original_message["components"] == []
    assert private.original_message is not None and private.original_message["flags"] & EPHEMERAL
    assert len(buttons(private.original_message)) == 3


async def test_pages_keep_turning_after_a_restart(fake: FakeDiscord, guild: FakeGuild) -> None:
    """The finding: Next on a /cast page sent before a restart got no answer ("This interaction failed")."""
    ctx = Context.in_guild(fake, guild)
    async with connected_client(fake, bot_with_pages()) as before:
        await start(before)  # type: ignore[arg-type]
        sent = await invoke(before, fake, slash_command(ctx, "demo", {"key": "three"}))
    message = sent.original_message
    assert message is not None
    async with connected_client(fake, bot_with_pages()) as after:  # a new process: nothing in memory
        await start(after)  # type: ignore[arg-type]
        turned = await invoke(after, fake, component_click(ctx, buttons(message)[2]["custom_id"], message))
    assert turned.response_type == 7
    assert (fake.message(guild.text_channel["id"], message["id"]) or {})["embeds"][0]["title"] == "three 2"


async def test_pages_that_cannot_be_shown_again_say_so_kindly(fake: FakeDiscord, guild: FakeGuild) -> None:
    ctx = Context.in_guild(fake, guild)
    long_key = "x" * 120  # too long for a custom_id: kept in memory, so lost with a restart
    async with connected_client(fake, bot_with_pages()) as before:
        await start(before)  # type: ignore[arg-type]
        long_pages = await invoke(before, fake, slash_command(ctx, "demo", {"key": long_key}))
        ids = [b["custom_id"] for b in buttons(long_pages.original_message)]
        assert all(len(i) <= limits.CUSTOM_ID for i in ids)
        same_process = await invoke(before, fake, component_click(ctx, ids[2], long_pages.original_message))
        assert same_process.response_type == 7
        gone = await invoke(
            before,
            fake,
            component_click(
                ctx,
                paging.custom_id("demo", 1, "next", "gone"),
                {
                    **long_pages.original_message,  # type: ignore[dict-item]
                    "components": [
                        {
                            "type": 1,
                            "components": [
                                {
                                    "type": 2,
                                    "style": 2,
                                    "label": "Next ▶",
                                    "custom_id": paging.custom_id("demo", 1, "next", "gone"),
                                }
                            ],
                        }
                    ],
                },
            ),
        )
    async with connected_client(fake, bot_with_pages()) as after:
        await start(after)  # type: ignore[arg-type]
        lost = await invoke(after, fake, component_click(ctx, ids[2], long_pages.original_message))
    for answer in (gone, lost):
        assert answer.response_type == 4 and answer.response_data["flags"] & EPHEMERAL
        assert answer.response_data["content"] == paging.expired("/demo")


async def test_a_click_nothing_handles_is_answered(fake: FakeDiscord, guild: FakeGuild) -> None:
    """A view from before a restart (discord.py's random custom_ids) or a removed feature's button."""
    ctx = Context.in_guild(fake, guild)
    view = discord.ui.View(timeout=300)
    view.add_item(discord.ui.Button(label="Old", custom_id="5f1c0de5a1b2c3d4e5f60718293a4b5c"))
    message = bot_message(fake, guild.text_channel["id"], "old", components=view.to_components())
    async with connected_client(fake, bot_with_pages()) as bot:
        await start(bot)  # type: ignore[arg-type]
        answer = await invoke(bot, fake, component_click(ctx, "5f1c0de5a1b2c3d4e5f60718293a4b5c", message))
    assert answer.response_type == 4 and answer.response_data["flags"] & EPHEMERAL
    assert answer.response_data["content"] == ORPHANED


async def test_cast_pages_render_again_from_their_source(fake: FakeDiscord, guild: FakeGuild) -> None:
    film = FilmRef("the-perfection", "The Perfection", 2018)
    credits = [Credit(n, f"Actor {n}", f"Role {n}", "", "", ()) for n in range(1, 26)]

    async def cast(interaction: discord.Interaction[Any], slug: str) -> Sequence[Reply] | None:
        return cast_pages(film, credits, per_page=10) if slug == film.slug else None

    bot = bot_with_pages()

    @bot.tree.command(name="cast", description="Cast")
    async def cast_command(interaction: discord.Interaction[Any]) -> None:
        await paging.send_pages(interaction, cast_pages(film, credits, per_page=10), "cast", film.slug)

    ctx = Context.in_guild(fake, guild)
    async with connected_client(fake, bot) as client:
        await start(client)  # type: ignore[arg-type]
        paging.register(client, "cast", cast, "/cast")
        sent = await invoke(client, fake, slash_command(ctx, "cast"))
        assert buttons(sent.original_message)[1]["label"] == "1/3"
        next_id = buttons(sent.original_message)[2]["custom_id"]
        assert next_id == "page:cast:1:next:the-perfection"
        await invoke(client, fake, component_click(ctx, next_id, sent.original_message))  # type: ignore[arg-type]
    page = fake.message(guild.text_channel["id"], sent.original_message["id"])  # type: ignore[index]
    assert page is not None and "Actor 11" in page["embeds"][0]["description"]


def test_kinds_are_short_words() -> None:
    client = discord.Client(intents=discord.Intents.none())
    with pytest.raises(ValueError):
        paging.register(client, "Cast:1", source, "/cast")
