"""What a member uploads: names, bytes and titles checked; downloads capped in size and time."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.library import uploads
from bot.library.limits import MAX_DOCUMENT_BYTES
from bot.offline.server import FakeDiscord


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../../etc/passwd", "a path"),
        ("..\\boot.ini", "a path"),
        ("notes/../../x.txt", "a path"),
        ("CON", "reserved"),
        ("con.txt", "reserved"),
        ("LPT1.md", "reserved"),
        ("nul.tar.txt", "reserved"),
        (".hidden.txt", "hidden"),
        ("poster.png", "not a document"),
        ("review.pdf", "not a document"),
        ("README", "not a document"),
        ("", "no name"),
        ("bell\x07.txt", "a path"),
    ],
)
def test_refused_names(name: str, why: str) -> None:
    problem = uploads.name_problem(name)
    assert problem is not None and why in problem


@pytest.mark.parametrize("name", ["wikipedia.txt", "Review.MD", "page.html", "saved page.htm", "été.txt"])
def test_accepted_names(name: str) -> None:
    assert uploads.name_problem(name) is None


def test_safe_names_are_the_bots_own() -> None:
    assert uploads.safe_name("Saved Page — Alien (1979).HTML", []) == "saved-page-alien-1979.html"
    assert uploads.safe_name("été.txt", []) == "ete.txt"
    assert uploads.safe_name("日本語.md", []) == "document.md"
    assert uploads.safe_name("a.txt", ["a.txt", "A-2.txt"]) == "a-3.txt"
    assert all(c.isalnum() or c in "-_." for c in uploads.safe_name("<script>x</script>;rm -rf.txt", []))


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n....", "PNG"),
        (b"\xff\xd8\xff\xe0JFIF", "JPEG"),
        (b"GIF89a...", "GIF"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "media"),
        (b"PK\x03\x04\x14\x00", "zip"),
        (b"%PDF-1.4", "PDF"),
        (b"\x7fELF\x02\x01", "program"),
        (b"text\x00with\x00nulls", "binary"),
    ],
)
def test_bytes_that_are_not_text(data: bytes, what: str) -> None:
    problem = uploads.content_problem(data)
    assert problem is not None and what in problem


@pytest.mark.parametrize(
    "data", [b"Alien is a 1979 film.", "été".encode("utf-16"), b"<html><p>Hi</p></html>"]
)
def test_text_is_not_judged_here(data: bytes) -> None:
    assert uploads.content_problem(data) is None  # decoding and reading are ingest's to judge


def test_titles() -> None:
    assert uploads.given_title("  Alien\u200b  (1979) ") == "Alien (1979)"
    assert uploads.given_title(" \u200b ") is None
    assert "500 characters" in (uploads.title_problem("x" * 500) or "")
    for mention in ("@everyone", "@here now", "<@123>", "<@!123>", "<@&123>", "<#123>"):
        assert "mentions" in (uploads.title_problem(f"Alien {mention}") or ""), mention
    assert uploads.title_problem("Alien: Covenant") is None


@pytest.fixture
async def cdn() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        yield fake


def attachment(item: dict[str, object]) -> uploads.Attachment:
    return uploads.Attachment(str(item["filename"]), str(item["url"]), int(str(item["size"])))


async def test_downloads_are_capped(cdn: FakeDiscord) -> None:
    small = attachment(cdn.add_attachment(0, "a.txt", b"Alien"))
    big = attachment(cdn.add_attachment(0, "b.txt", b"x" * (MAX_DOCUMENT_BYTES + 1), size=10))
    async with aiohttp.ClientSession() as session:
        assert await uploads.fetch_all(session, [small]) == [b"Alien"]
        with pytest.raises(uploads.DownloadFailed, match=r"b\.txt: it is larger than 2 MB"):
            await uploads.fetch_all(session, [small, big])


async def test_failed_and_stalled_downloads(cdn: FakeDiscord) -> None:
    broken = cdn.add_attachment(0, "a.txt", b"Alien")
    stalled = cdn.add_attachment(0, "b.txt", b"Aliens")
    cdn.cdn_faults[int(str(broken["id"]))] = 500
    cdn.cdn_faults[int(str(stalled["id"]))] = "stall"
    async with aiohttp.ClientSession() as session:
        with pytest.raises(uploads.DownloadFailed, match=r"a\.txt: Discord answered 500"):
            await uploads.fetch_all(session, [attachment(broken)])
        with pytest.raises(uploads.DownloadFailed, match="longer than 0 seconds"):
            await uploads.fetch_all(session, [attachment(stalled)], timeout=0.2)
