"""/film add, list, remove and role, and the "Add to film library" menu, through real discord.py interactions in
the bot (in-process) with documents served by the offline Discord's CDN. Every bad input of issue 9 gets a
clear ephemeral answer and stores nothing; a good add is asked about at once; servers never see each other's
films."""

from __future__ import annotations

import zipfile
from collections.abc import AsyncIterator
from io import BytesIO

import pytest
import pytest_asyncio

from bot.console import open_console
from bot.ingest.build import build
from bot.offline import payloads
from bot.settings import Settings
from bot.storage.state.library import Quota
from tests.cogs.library_harness import ROOT, Harness, document, ephemeral, text

pytestmark = pytest.mark.asyncio(loop_scope="module")

PERFECTION_WIKI = (ROOT / "data" / "films" / "the-perfection" / "003_fa2efec3392b4419.txt").read_bytes()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n"
SCRIPTS = (
    b"<!DOCTYPE html><html><head><script>var a = 1;</script></head><body><script>go()</script></body></html>"
)


def zipped() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("wikipedia.txt", "Alien is a 1979 film.")
    return buffer.getvalue()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def lib(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    tmp = tmp_path_factory.mktemp("library")
    build(ROOT / "data" / "films", tmp / "k.db")
    env = {
        "KNOWLEDGE_DB": str(tmp / "k.db"),
        "STATE_DB": str(tmp / "s.db"),
        "FILMS_DIR": str(ROOT / "data" / "films"),
    }
    console = await open_console(Settings.from_env(env, dotenv=False))
    yield Harness(console)
    await console.close()


async def nothing_stored(lib: Harness, guild: object) -> None:
    assert await lib.own_films(guild) == []  # type: ignore[arg-type]
    assert await lib.visible(guild) == []  # type: ignore[arg-type]


# ---------------------------------------------------------------- adding, asking, removing


async def test_an_admin_adds_a_film_and_members_ask_about_it(lib: Harness) -> None:
    guild = lib.new_guild()
    admin, member = lib.member(guild, admin=True), lib.member(guild)
    added = await lib.add(
        admin, lib.files(document("alien", "wikipedia.txt"), document("alien", "player.html"))
    )
    shown = text(added)
    assert ephemeral(added)
    assert (
        "Alien (1979)" in shown and "Ridley Scott" in shown and "credits" in shown and "beats told" in shown
    )
    assert "player.html" in shown and "no readable text" in shown  # the document it could not use
    (film,) = await lib.own_films(guild)
    assert [d.name for d in film.documents] == ["wikipedia.txt"]  # only what the film uses is kept
    cast = text(await lib.command(member, "cast", {"name": "Ripley", "film": "Alien"}))
    assert "Sigourney Weaver" in cast
    found = text(await lib.command(member, "search", {"query": "Nostromo", "film": "alien"}))
    assert "Nostromo" in found


async def test_another_server_never_sees_it(lib: Harness) -> None:
    ours, theirs = lib.new_guild(), lib.new_guild()
    await lib.add(lib.member(ours, admin=True), lib.files(document("arrival", "wikipedia.txt")))
    stranger, own = lib.member(theirs), lib.member(ours)
    asked = text(await lib.command(stranger, "movie", {"film": "Arrival"}))
    assert "couldn't find a film" in asked and "Arrival (2016)" not in asked
    assert "Arrival" not in str(await lib.choices(stranger, "movie", {"film": "arr"}, "film"))
    assert "Arrival (2016)" in str(await lib.choices(own, "movie", {"film": "arr"}, "film"))
    nothing = text(await lib.command(stranger, "search", {"query": "Louise Banks heptapods"}))
    assert "Nothing in the documents matches" in nothing and "wikipedia.txt" not in nothing
    assert "wikipedia.txt" in text(await lib.command(own, "search", {"query": "Louise Banks heptapods"}))


async def test_the_same_title_in_two_servers_stays_two_films(lib: Harness) -> None:
    one, two = lib.new_guild(), lib.new_guild()
    await lib.add(lib.member(one, admin=True), lib.files(document("alien", "wikipedia.txt")), title="Alien")
    await lib.add(lib.member(two, admin=True), lib.files(document("alien", "forum-post.txt")), title="Alien")
    first = text(await lib.command(lib.member(one), "sources", {"film": "Alien"}))
    second = text(await lib.command(lib.member(two), "sources", {"film": "Alien"}))
    assert "wikipedia.txt" in first and "forum-post.txt" not in first
    assert "forum-post.txt" in second and "wikipedia.txt" not in second


async def test_more_documents_merge_after_a_confirm(lib: Harness) -> None:
    guild = lib.new_guild()
    admin = lib.member(guild, admin=True)
    await lib.add(admin, lib.files(document("get-out", "wikipedia.txt")))
    asked = await lib.add(admin, lib.files(document("get-out", "fan-qa.txt")))
    assert "already has Get Out (2017)" in text(asked)
    assert [d.name for d in (await lib.own_films(guild))[0].documents] == ["wikipedia.txt"]  # not yet
    cancelled = await lib.click(admin, asked, "Cancel")
    assert "Nothing was changed" in text(cancelled)
    asked = await lib.add(admin, lib.files(document("get-out", "fan-qa.txt")))
    merged = await lib.click(admin, asked, "Add 1")
    assert "Merged into" in text(merged)
    assert [d.name for d in (await lib.own_films(guild))[0].documents] == ["fan-qa.txt", "wikipedia.txt"]
    assert "fan-qa.txt" in text(await lib.command(lib.member(guild), "sources", {"film": "Get Out"}))


async def test_the_message_menu_adds_a_messages_documents(lib: Harness) -> None:
    guild = lib.new_guild()
    added = await lib.menu(lib.member(guild, admin=True), lib.files(document("hereditary", "wikipedia.txt")))
    assert "Hereditary (2018)" in text(added)
    assert await lib.visible(guild) == ["Hereditary"]


async def test_list_and_remove(lib: Harness) -> None:
    guild = lib.new_guild()
    admin = lib.member(guild, admin=True)
    await lib.add(admin, lib.files(document("parasite", "movie-faq.txt")))
    listed = text(await lib.command(admin, "film", sub="list"))
    assert "Parasite (2019)" in listed and f"<@{admin.user['id']}>" in listed and "The Perfection" in listed
    shared = await lib.command(admin, "film", {"film": "The Perfection"}, sub="remove")
    assert "shared library" in text(shared)
    asked = await lib.command(admin, "film", {"film": "Parasite"}, sub="remove")
    assert "Remove Parasite (2019)" in text(asked) and "Movie nights already scheduled keep" in text(asked)
    removed = await lib.click(admin, asked, "Remove")
    assert "Removed Parasite (2019)" in text(removed)
    await nothing_stored(lib, guild)
    assert "couldn't find a film" in text(await lib.command(lib.member(guild), "movie", {"film": "Parasite"}))


# ---------------------------------------------------------------- who may


async def test_a_member_without_the_permission_is_refused(lib: Harness) -> None:
    guild = lib.new_guild()
    (attachment,) = lib.files(document("alien", "wikipedia.txt"))
    refused = await lib.add(lib.member(guild), [attachment])
    assert ephemeral(refused) and "Manage Server" in text(refused)
    assert int(attachment["id"]) not in lib.fake.downloads  # not even downloaded
    await nothing_stored(lib, guild)


async def test_the_library_role_may_add(lib: Harness) -> None:
    guild = lib.new_guild()
    curators = guild.role("Curators")
    curator = lib.member(guild, roles=["Curators"])
    before = await lib.add(curator, lib.files(document("knives-out", "cinewiki-knives-out.html")))
    assert "Manage Server" in text(before)
    refused = await lib.command(
        curator, "film", {"role": payloads.Option(curators, payloads.ROLE)}, sub="role"
    )
    assert "Manage Server" in text(refused)  # only Manage Server names the role
    admin = lib.member(guild, admin=True)
    named = await lib.command(admin, "film", {"role": payloads.Option(curators, payloads.ROLE)}, sub="role")
    assert f"<@&{curators['id']}>" in text(named)
    added = await lib.add(curator, lib.files(document("knives-out", "cinewiki-knives-out.html")))
    assert "Knives Out (2019)" in text(added)


# ---------------------------------------------------------------- bad input: a clear answer, nothing stored

BAD_DOCUMENTS = [
    ("poster.png", PNG, "not a document I read"),
    ("notes.txt", PNG, "PNG image"),
    ("archive.zip", zipped(), "not a document I read"),
    ("article.txt", zipped(), "zip archive"),
    ("review.pdf", PDF, "not a document I read"),
    ("review.txt", PDF, "PDF"),
    ("player.html", SCRIPTS, "no readable text"),
    ("empty.txt", b"", "empty"),
    ("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n", "a path"),
    ("CON", b"Alien is a 1979 film.\n", "reserved for devices"),
    ("con.txt", b"Alien is a 1979 film.\n", "reserved for devices"),
]


@pytest.mark.parametrize(("name", "data", "why"), BAD_DOCUMENTS, ids=[b[0] for b in BAD_DOCUMENTS])
async def test_a_bad_document_is_refused(lib: Harness, name: str, data: bytes, why: str) -> None:
    guild = lib.new_guild()
    answer = await lib.add(lib.member(guild, admin=True), lib.files((name, data)))
    assert ephemeral(answer) and why in text(answer) and "Nothing was added" in text(answer)
    await nothing_stored(lib, guild)


async def test_a_50_mb_attachment_is_refused_before_downloading(lib: Harness) -> None:
    guild = lib.new_guild()
    big = lib.fake.add_attachment(0, "huge.txt", b"x", size=50 * 1024 * 1024)
    answer = await lib.add(lib.member(guild, admin=True), [big])
    assert "50 MB" in text(answer) and "at most 2 MB" in text(answer)
    assert int(big["id"]) not in lib.fake.downloads
    await nothing_stored(lib, guild)


async def test_a_document_larger_than_discord_said_is_cut_off(lib: Harness) -> None:
    guild = lib.new_guild()
    liar = lib.fake.add_attachment(0, "long.txt", b"a " * (1024 * 1024 + 10), size=100)
    answer = await lib.add(lib.member(guild, admin=True), [liar])
    assert "larger than 2 MB" in text(answer) and "Nothing was added" in text(answer)
    await nothing_stored(lib, guild)


@pytest.mark.parametrize(
    ("title", "why"),
    [
        ("x" * 500, "500 characters long"),
        ("Alien @everyone", "mentions someone"),
        ("<@&123456789>", "mentions"),
    ],
)
async def test_a_bad_title_is_refused(lib: Harness, title: str, why: str) -> None:
    guild = lib.new_guild()
    answer = await lib.add(
        lib.member(guild, admin=True), lib.files(document("alien", "wikipedia.txt")), title=title
    )
    assert why in text(answer) and "Nothing was added" in text(answer)
    await nothing_stored(lib, guild)


async def test_eleven_attachments_are_refused(lib: Harness) -> None:
    guild = lib.new_guild()
    files = lib.files(*[(f"doc{i}.txt", f"Alien is a 1979 film, part {i}.".encode()) for i in range(11)])
    answer = await lib.menu(lib.member(guild, admin=True), files)
    assert "11 documents" in text(answer) and "at most 10" in text(answer)
    await nothing_stored(lib, guild)


async def test_the_same_document_twice_is_refused(lib: Harness) -> None:
    guild = lib.new_guild()
    name, data = document("alien", "wikipedia.txt")
    answer = await lib.add(lib.member(guild, admin=True), lib.files((name, data), ("copy.txt", data)))
    assert "attached twice" in text(answer) and "copy.txt" in text(answer)
    await nothing_stored(lib, guild)


async def test_a_server_over_its_quota_is_refused(lib: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    guild = lib.new_guild()
    admin = lib.member(guild, admin=True)
    cog = lib.bot.get_cog("LibraryCog")
    monkeypatch.setattr(cog.service, "quota", Quota(films=1, bytes=10 * 1024 * 1024))
    await lib.add(admin, lib.files(document("la-la-land", "la-la-land-review.md")), title="La La Land")
    full = await lib.add(admin, lib.files(document("whiplash", "wikipedia.txt")))
    assert "library is full (1 films)" in text(full)
    assert await lib.visible(guild) == ["La La Land"]
    monkeypatch.setattr(cog.service, "quota", Quota(films=10, bytes=1000))
    heavy = await lib.add(admin, lib.files(document("whiplash", "wikipedia.txt")))
    assert "would pass its 1 KB quota" in text(heavy)
    assert await lib.visible(guild) == ["La La Land"]


async def test_more_than_a_few_adds_a_minute_are_refused(lib: Harness) -> None:
    guild = lib.new_guild()
    admin = lib.member(guild, admin=True)
    for _ in range(3):
        await lib.add(admin, lib.files(("empty.txt", b"")))
    answer = await lib.add(admin, lib.files(document("alien", "wikipedia.txt")))
    assert "at most 3 films a minute" in text(answer)
    await nothing_stored(lib, guild)


async def test_a_failed_download_is_reported(lib: Harness) -> None:
    guild = lib.new_guild()
    good, broken = lib.files(document("alien", "wikipedia.txt"), document("alien", "forum-post.txt"))
    lib.fake.cdn_faults[int(broken["id"])] = 503
    answer = await lib.add(lib.member(guild, admin=True), [good, broken])
    assert (
        "couldn't download" in text(answer) and "503" in text(answer) and "Nothing was added" in text(answer)
    )
    await nothing_stored(lib, guild)


async def test_a_download_that_times_out_is_reported(lib: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    guild = lib.new_guild()
    monkeypatch.setattr(lib.bot.get_cog("LibraryCog"), "download_timeout", 0.5)
    (stalled,) = lib.files(document("alien", "wikipedia.txt"))
    lib.fake.cdn_faults[int(stalled["id"])] = "stall"
    answer = await lib.add(lib.member(guild, admin=True), [stalled])
    assert "longer than" in text(answer) and "Nothing was added" in text(answer)
    await nothing_stored(lib, guild)


async def test_documents_that_name_no_film_need_a_title(lib: Harness) -> None:
    guild = lib.new_guild()
    note = (
        "note.txt",
        b"What a film. The music was great and the acting was even better than I hoped.\n" * 5,
    )
    answer = await lib.add(lib.member(guild, admin=True), lib.files(note))
    assert "Nothing was added" in text(answer)
    await nothing_stored(lib, guild)


async def test_a_shared_film_cannot_be_added_again(lib: Harness) -> None:
    guild = lib.new_guild()
    answer = await lib.add(lib.member(guild, admin=True), lib.files(("wiki.txt", PERFECTION_WIKI)))
    assert "already in the shared library" in text(answer)
    await nothing_stored(lib, guild)
