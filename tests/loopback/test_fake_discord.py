"""The offline Discord against real discord.py clients in-process: nonces, lost responses, components,
forbidden answers, shards, multipart files, the loopback switch."""

from __future__ import annotations

import asyncio
import io
import os
import sys
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands

from bench.floor_bot import PONG
from bot.offline.client import connected_client, invoke
from bot.offline.model import FakeGuild
from bot.offline.payloads import (
    USER,
    Context,
    Option,
    autocomplete,
    bot_message,
    button_row,
    component_click,
    slash_command,
)
from bot.offline.server import FakeDiscord

from . import SITECUSTOMIZE
from .openapi import assert_conforms

PONG_CALLBACK = {"type": 4, "data": {"content": PONG, "tts": False}}
MESSAGES = "/channels/{channel_id}/messages"


# ------------------------------------------------------------------ in-process discord.py clients


async def test_enforce_nonce_returns_the_earlier_message(fake: FakeDiscord, guild: FakeGuild) -> None:
    channel_id = int(guild.text_channel["id"])
    async with connected_client(fake) as client:
        channel = client.get_partial_messageable(channel_id)
        first = await channel.send("Movie night at 8", nonce="night-42")
        # The server commits, the response is lost, discord.py retries: enforce_nonce keeps it single.
        fake.fail_next("POST", MESSAGES, status=500, after_handling=True)
        again = await channel.send("Movie night at 8", nonce="night-42")
        assert again.id == first.id
        assert [r.json["enforce_nonce"] for r in fake.requests("POST", MESSAGES)] == [True, True, True]
        assert len(fake.messages(channel_id)) == 1

        # discord.py 2.7 gives every Messageable.send a random nonce with enforce_nonce: retries never duplicate.
        fake.fail_next("POST", MESSAGES, status=500, after_handling=True)
        await channel.send("Popcorn!")
        sent = fake.requests("POST", MESSAGES)[-2:]
        assert [r.status for r in sent] == [500, 200] and sent[0].json["nonce"] == sent[1].json["nonce"]
        assert [m["content"] for m in fake.messages(channel_id)] == ["Movie night at 8", "Popcorn!"]

    headers = {"Authorization": f"Bot {fake.token}"}
    url = f"{fake.api_base}/channels/{channel_id}/messages"
    async with aiohttp.ClientSession(headers=headers) as http:
        ids = []
        for enforce in (False, False, True, True):
            async with http.post(
                url, json={"content": "x", "nonce": "n-1", "enforce_nonce": enforce}
            ) as resp:
                ids.append((await resp.json())["id"])
    assert ids[0] != ids[1] and ids[2] == ids[3] and ids[2] == ids[1]
    assert_conforms(fake)


async def test_lost_followup_response_duplicates(fake: FakeDiscord, guild: FakeGuild) -> None:
    """Webhook/followup sends carry no nonce: when Discord commits but the response is lost, the retry posts twice."""
    client = discord.Client(intents=discord.Intents.none())
    tree = app_commands.CommandTree(client)

    @tree.command(name="remind", description="Remind the club")
    async def remind(interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await interaction.followup.send("Movie night tomorrow")

    async with connected_client(fake, client):
        fake.fail_next("POST", "/webhooks/{webhook_id}/{webhook_token}", status=500, after_handling=True)
        handle = await invoke(client, fake, slash_command(Context.in_guild(fake, guild), "remind"))
    assert [m["content"] for m in handle.followups] == ["Movie night tomorrow", "Movie night tomorrow"]


class RsvpView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Going", custom_id="rsvp:yes")
    async def going(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.edit_message(content=f"{interaction.user.name} is going", view=None)


async def test_payloads_drive_real_discord_py_handlers(fake: FakeDiscord, guild: FakeGuild) -> None:
    seen: dict[str, Any] = {}
    client = discord.Client(intents=discord.Intents.none())
    tree = app_commands.CommandTree(client)
    night = app_commands.Group(name="night", description="Movie nights")
    rsvp = app_commands.Group(name="rsvp", description="RSVPs", parent=night)

    @rsvp.command(name="add", description="Bring someone along")
    async def add(interaction: discord.Interaction, film: str, seats: int, friend: discord.Member) -> None:
        seen.update(
            film=film, seats=seats, friend=friend.id, perms=interaction.permissions, interaction=interaction
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(f"{seats} seats for {film}", ephemeral=True)
        await interaction.edit_original_response(content="Saved", embed=discord.Embed(title=film))

    @add.autocomplete("film")
    async def films(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f"{current} {n}", value=f"{current}-{n}") for n in range(25)]

    tree.add_command(night)
    client.add_view(RsvpView())
    friend = fake.make_user("friend")

    async with connected_client(fake, client):
        ctx = Context.in_guild(fake, guild, permissions=1 << 11, roles=["Film Club"])
        options = {"film": "Alien", "seats": 2, "friend": Option(friend, USER)}
        handle = await invoke(
            client, fake, slash_command(ctx, "night", options, group="rsvp", subcommand="add")
        )

        assert (seen["film"], seen["seats"], seen["friend"]) == ("Alien", 2, int(friend["id"]))
        assert seen["perms"].value == 1 << 11
        inter = seen["interaction"]
        assert (inter.guild_id, inter.channel.id, inter.locale) == (
            guild.id,
            int(ctx.channel["id"]),
            discord.Locale.american_english,
        )
        assert handle.response_type == 5 and handle.response_data == {"flags": 64}
        assert [m["content"] for m in handle.messages()] == ["Saved", "2 seats for Alien"]
        assert (
            handle.original_message is not None and handle.original_message["embeds"][0]["title"] == "Alien"
        )
        assert all(m["flags"] & 64 for m in handle.messages())

        handle = await invoke(
            client, fake, autocomplete(ctx, "night", {"film": "Ali"}, "film", group="rsvp", subcommand="add")
        )
        assert handle.response_type == 8 and len(handle.response_data["choices"]) == 25

        message = bot_message(
            fake, guild.text_channel["id"], "Movie night!", components=[button_row("rsvp:yes")]
        )
        handle = await invoke(client, fake, component_click(ctx, "rsvp:yes", message))
        assert handle.response_type == 7
        assert (fake.message(guild.text_channel["id"], message["id"]) or {}).get(
            "content"
        ) == "cinephile is going"

    assert_conforms(fake)

    # A second answer to the same interaction is refused as Discord does (40060).
    url = f"{fake.api_base}/interactions/{handle.id}/{handle.token}/callback"
    async with aiohttp.ClientSession() as http, http.post(url, json=PONG_CALLBACK) as resp:
        assert (resp.status, (await resp.json())["code"]) == (400, 40060)


async def test_injected_403_reaches_discord_py_as_forbidden(fake: FakeDiscord, guild: FakeGuild) -> None:
    async with connected_client(fake) as client:
        channel = client.get_channel(int(guild.text_channel["id"]))
        assert isinstance(channel, discord.TextChannel)
        fake.fail_next("POST", MESSAGES, status=403)
        with pytest.raises(discord.Forbidden) as denied:
            await channel.send("hello")
        assert denied.value.code == 50001
        assert fake.messages(channel.id) == []
        await channel.send("hello")
        assert len(fake.messages(channel.id)) == 1


class NoWaitShardedClient(discord.AutoShardedClient):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py sleeps 5 s before each non-first IDENTIFY; not needed on loopback


async def test_guilds_reach_only_their_shard() -> None:
    async with FakeDiscord(shard_count=2) as fake:
        zero, one = fake.add_guild("Zero", shard_id=0), fake.add_guild("One", shard_id=1)
        assert (zero.shard_id(2), one.shard_id(2)) == (0, 1)
        intents = discord.Intents.none()
        intents.guilds = True
        client = NoWaitShardedClient(intents=intents)
        tree = app_commands.CommandTree(client)

        @tree.command(name="where", description="Which shard answers")
        async def where(interaction: discord.Interaction) -> None:
            assert interaction.guild is not None
            await interaction.response.send_message(f"shard {interaction.guild.shard_id}")

        with fake.patch_discord():
            runner = asyncio.create_task(client.start(fake.token))
            try:
                await fake.wait_shards_ready(2, timeout=10)
                for session in fake.live_sessions():
                    created = [f["d"]["id"] for f in session.frames if f["t"] == "GUILD_CREATE"]
                    expected = zero if session.shard_id == 0 else one
                    assert created == [str(expected.id)]
                handle = await fake.send_interaction(slash_command(Context.in_guild(fake, one), "where"))
                await handle.wait(5)
                assert handle.response_data["content"] == "shard 1"

                late = fake.add_guild("Late", shard_id=1)
                await fake.announce_guild(late)
                await fake.wait_until(
                    lambda: client.get_guild(late.id) is not None, 5, "GUILD_CREATE of a new guild"
                )
                assert client.get_guild(late.id).shard_id == 1  # type: ignore[union-attr]
            finally:
                await client.close()
                await asyncio.wait_for(runner, 5)
        assert_conforms(fake)


async def test_files_are_parsed_from_multipart(fake: FakeDiscord, guild: FakeGuild) -> None:
    async with connected_client(fake) as client:
        channel = client.get_partial_messageable(int(guild.text_channel["id"]))
        poster = discord.File(io.BytesIO(b"poster-bytes"), "poster.png")
        sent = await channel.send("Tonight's poster", file=poster)
    (request,) = fake.requests("POST", MESSAGES)
    assert request.json["content"] == "Tonight's poster"
    assert request.json["attachments"][0]["filename"] == "poster.png"
    assert [(f["name"], f["filename"], f["size"]) for f in request.files] == [("files[0]", "poster.png", 12)]
    assert [(a.filename, a.size) for a in sent.attachments] == [("poster.png", 12)]
    async with aiohttp.ClientSession() as session, session.get(sent.attachments[0].url) as response:
        assert (response.status, await response.read()) == (
            200,
            b"poster-bytes",
        )  # served, like Discord's CDN
    assert_conforms(fake)


@pytest.mark.slow  # a subprocess
async def test_sitecustomize_refuses_non_loopback_and_is_inert_without_env() -> None:
    async def run(code: str, **extra: str) -> tuple[int | None, str, str]:
        env = {k: v for k, v in os.environ.items() if k != "LOOPBACK_DISCORD"}
        env.update(PYTHONPATH=str(SITECUSTOMIZE), **extra)
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            code,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 30)
        return proc.returncode, out.decode(), err.decode()

    code, out, err = await run("print('reached')", LOOPBACK_DISCORD="https://discord.com")
    assert (code, out) == (78, "") and "refused" in err
    show = "import discord.http as h, discord.gateway as g; print(h.Route.BASE, g.DiscordWebSocket.DEFAULT_GATEWAY)"
    code, out, _ = await run(show)
    assert (code, out) == (0, "https://discord.com/api/v10 wss://gateway.discord.gg/\n")
    code, out, _ = await run(show, LOOPBACK_DISCORD="http://127.0.0.1:4321")
    assert (code, out) == (0, "http://127.0.0.1:4321/api/v10 ws://127.0.0.1:4321/gateway\n")
