"""/film add, /film list, /film remove, /film role, and the message menu "Add to film library".

Thin: options are read and checked here, the work is `bot.library.service.LibraryService`, the words are
`bot.present.library`. Every answer is ephemeral. Adding and removing need Manage Server (Discord hides /film
from others by `default_permissions`; server admins can change that in Server Settings > Integrations) or the
role `/film role` names; the bot checks either way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.library import uploads
from bot.library.limits import DOWNLOAD_TIMEOUT_S, MAX_DOCUMENTS, AddRate
from bot.library.service import LibraryService, Preview, Refusal
from bot.present import library as present
from bot.present.choices import film_choices
from bot.present.reply import Reply
from bot.storage.knowledge.schema import film_key
from bot.storage.models import FilmRef
from bot.storage.state.library import LibraryFilm
from cogs.film import respond
from cogs.library.views import Confirm

if TYPE_CHECKING:
    from bot.client import FilmBot
    from bot.library.engine import Library

log = logging.getLogger(__name__)

MANAGE_SERVER = discord.Permissions(manage_guild=True)
DOCUMENT = "A document about the film: .txt, .md, .html or .htm (a saved web page)"
MORE = "Another document about the same film"


def _attachments(files: Sequence[object]) -> list[uploads.Attachment]:
    """The attachments among the options (an option Discord could not resolve to a file is left out)."""
    return [uploads.Attachment(f.filename, f.url, f.size) for f in files if isinstance(f, discord.Attachment)]


class LibraryCog(commands.Cog):
    film = app_commands.Group(
        name="film",
        description="This server's film library: add films from documents, list them, remove them",
        guild_only=True,
        default_permissions=MANAGE_SERVER,
    )

    def __init__(self, bot: FilmBot, library: Library) -> None:
        self.bot = bot
        self.service = LibraryService(library)
        self.rate = AddRate()
        self.download_timeout = DOWNLOAD_TIMEOUT_S
        self._session: aiohttp.ClientSession | None = None
        self.menu = app_commands.ContextMenu(name="Add to film library", callback=self.add_from_message)
        self.menu.guild_only = True
        self.menu.default_permissions = MANAGE_SERVER

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)
        if self._session is not None:
            await self._session.close()

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    # -- who may -------------------------------------------------------------------------------------------------

    async def _may_edit(self, interaction: discord.Interaction[Any]) -> bool:
        """Manage Server, or the server's library role; answers the member when not."""
        assert interaction.guild_id is not None
        role_id = await self.bot.state.library_editor_role(interaction.guild_id)
        member = interaction.user
        roles = {r.id for r in getattr(member, "roles", ())}
        if interaction.permissions.manage_guild or (role_id is not None and role_id in roles):
            return True
        await respond(interaction, [present.not_allowed(role_id)])
        return False

    # -- adding --------------------------------------------------------------------------------------------------

    @film.command(name="add", description="Add a film to this server's library from documents about it")
    @app_commands.describe(
        document=DOCUMENT,
        title="The film's title, if the documents don't make it clear",
        **{f"document{n}": MORE for n in range(2, MAX_DOCUMENTS + 1)},
    )
    async def add(
        self,
        interaction: discord.Interaction[Any],
        document: discord.Attachment,
        title: str | None = None,
        document2: discord.Attachment | None = None,
        document3: discord.Attachment | None = None,
        document4: discord.Attachment | None = None,
        document5: discord.Attachment | None = None,
        document6: discord.Attachment | None = None,
        document7: discord.Attachment | None = None,
        document8: discord.Attachment | None = None,
        document9: discord.Attachment | None = None,
        document10: discord.Attachment | None = None,
    ) -> None:
        files = [document, document2, document3, document4, document5, document6, document7, document8]
        files += [document9, document10]
        await self._add(interaction, _attachments(files), title)

    async def add_from_message(self, interaction: discord.Interaction[Any], message: discord.Message) -> None:
        """The message menu: the message's attachments are the documents."""
        await self._add(interaction, _attachments(message.attachments), None)

    async def _add(
        self, interaction: discord.Interaction[Any], attachments: list[uploads.Attachment], title: str | None
    ) -> None:
        guild_id = interaction.guild_id
        if guild_id is None or not await self._may_edit(interaction):
            return
        if not attachments:
            await respond(interaction, [present.no_documents()])
            return
        if len(attachments) > MAX_DOCUMENTS:
            await respond(interaction, [present.too_many_documents(len(attachments), MAX_DOCUMENTS)])
            return
        wanted = uploads.given_title(title)
        problem = uploads.title_problem(wanted) if wanted else None
        if problem is not None:
            await respond(interaction, [present.bad_title(problem)])
            return
        wait = self.rate.take(guild_id, time.monotonic())
        if wait:
            await respond(interaction, [present.slow_down(self.rate.per_minute, wait)])
            return
        refused = uploads.precheck(attachments)
        names = {r.original for r in refused}
        fetchable = [a for a in attachments if uploads.shown_name(a.filename) not in names]
        if not fetchable:
            await respond(
                interaction, [present.refused("nothing_usable", _problems(refused), self.service.quota)]
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await uploads.fetch_all(self.session(), fetchable, self.download_timeout)
        except uploads.DownloadFailed as err:
            await self._send(interaction, present.download_failed(str(err)))
            return
        kept, bad = uploads.checked(fetchable, data, ())
        twice = [r for r in bad if r.reason.startswith(uploads.SAME)]
        if twice:
            await self._send(interaction, present.refused("twice", _problems(twice), self.service.quota))
            return
        refused += bad
        if not kept:
            await self._send(
                interaction, present.refused("nothing_usable", _problems(refused), self.service.quota)
            )
            return
        service = self.service
        async with service.lock(guild_id):
            outcome = await service.preview(guild_id, kept, refused, wanted)
            if isinstance(outcome, Preview) and not outcome.merge:
                outcome = await service.commit(outcome, by=interaction.user.id, now=self.bot.clock.now())
        if isinstance(outcome, Refusal):
            await self._send(
                interaction,
                present.refused(
                    outcome.reason, _problems(outcome.documents), self.service.quota, outcome.film
                ),
            )
        elif outcome.merge:
            await self._ask_merge(interaction, outcome)
        else:
            await self._send(interaction, _learned(outcome))

    async def _ask_merge(self, interaction: discord.Interaction[Any], preview: Preview) -> None:
        assert preview.existing is not None

        async def merge(click: discord.Interaction[Any]) -> Reply:
            async with self.service.lock(preview.guild_id):
                done = await self.service.commit(preview, by=interaction.user.id, now=self.bot.clock.now())
            if isinstance(done, Refusal):
                return present.refused(done.reason, _problems(done.documents), self.service.quota, done.film)
            return _learned(done)

        view = Confirm(interaction.user.id, f"Add {len(preview.used)} to it", merge)
        reply = present.confirm_merge(preview.existing, preview.film, len(preview.used))
        view.message = await interaction.followup.send(**reply.to_send_kwargs(), view=view, wait=True)

    async def _send(self, interaction: discord.Interaction[Any], reply: Reply) -> None:
        await interaction.followup.send(**reply.to_send_kwargs())

    # -- listing and removing ------------------------------------------------------------------------------------

    @film.command(name="list", description="The films this server can ask about: its own and the shared ones")
    async def list_(self, interaction: discord.Interaction[Any]) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        shared = [f for f in await self.bot.knowledge.for_guild(guild_id).films() if f.shared]
        own = await self.bot.state.library_films(guild_id)
        usage = await self.bot.state.library_usage(guild_id)
        await respond(interaction, present.listing(shared, own, usage, self.service.quota), private=True)

    async def own_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        films = [f for f in await self.bot.knowledge.for_guild(interaction.guild_id).films() if not f.shared]
        return [app_commands.Choice(name=n, value=v) for n, v in film_choices(films, current)]

    @film.command(name="remove", description="Remove a film this server added")
    @app_commands.describe(film="One of this server's own films (autocompleted)")
    @app_commands.autocomplete(film=own_autocomplete)
    async def remove(
        self, interaction: discord.Interaction[Any], film: app_commands.Range[str, 1, 200]
    ) -> None:
        guild_id = interaction.guild_id
        if guild_id is None or not await self._may_edit(interaction):
            return
        found = await self._own(guild_id, film)
        if isinstance(found, FilmRef):
            await respond(interaction, [present.not_own(found)])
            return
        ref = FilmRef(film_key(found.slug, guild_id), found.title, found.year, guild_id)

        async def remove(click: discord.Interaction[Any]) -> Reply:
            await self.service.remove(guild_id, found.slug)
            return present.removed(ref)

        view = Confirm(interaction.user.id, "Remove", remove)
        reply = present.confirm_remove(ref, len(found.documents))
        await interaction.response.send_message(**reply.to_send_kwargs(), view=view)
        view.message = await interaction.original_response()

    async def _own(self, guild_id: int, text: str) -> LibraryFilm | FilmRef:
        """The server's own film `text` names (key, title, or a typo of one); else the film it names that the
        server cannot remove (shared), via the lookup error for an unknown one."""
        own = await self.bot.state.library_films(guild_id)
        folded = text.strip().casefold()
        for f in own:
            if folded in {
                film_key(f.slug, guild_id).casefold(),
                f.title.casefold(),
                f"{f.title} ({f.year})".casefold(),
            }:
                return f
        ref = await self.bot.knowledge.for_guild(guild_id).resolve_film(text)  # a typo, or LookupFailed
        return next((f for f in own if film_key(f.slug, guild_id) == ref.slug), ref)

    @film.command(name="role", description="Let a role add and remove films (Manage Server can always)")
    @app_commands.describe(role="The role; leave empty so only Manage Server can")
    async def role(self, interaction: discord.Interaction[Any], role: discord.Role | None = None) -> None:
        assert interaction.guild_id is not None
        if not interaction.permissions.manage_guild:
            await respond(interaction, [present.not_allowed(None)])
            return
        role_id = None if role is None or role.is_default() else role.id
        await self.bot.state.set_library_editor_role(interaction.guild_id, role_id, now=self.bot.clock.now())
        await respond(interaction, [present.role_set(role_id)])


def _problems(refused: Sequence[uploads.Refused]) -> list[tuple[str, str]]:
    return [(r.original, r.reason) for r in refused]


def _learned(preview: Preview) -> Reply:
    return present.learned(
        preview.film, _problems(preview.left_out()), merged=preview.merge, new_documents=len(preview.used)
    )
