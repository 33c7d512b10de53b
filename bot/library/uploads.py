"""Documents a member uploads: their names checked, their bytes fetched from Discord's CDN and sniffed.

Nothing here trusts what the user said: a name is only a label (the bot stores a safe name of its own, never
a path), an extension says nothing about the bytes (they are sniffed), and Discord's size is checked before
the download and again while reading it.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import aiohttp

from bot.ingest.sources import sha256
from bot.library.limits import DOWNLOAD_TIMEOUT_S, EXTENSIONS, MAX_DOCUMENT_BYTES, MAX_TITLE

CHUNK = 64 * 1024
SAME = "is the same document as"
# Windows device names: a file called this cannot be saved or opened there, with any extension.
RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"BM", "a bitmap image"),
    (b"\x00\x00\x01\x00", "an icon"),
    (b"PK\x03\x04", "a zip archive (or an Office document)"),
    (b"PK\x05\x06", "a zip archive"),
    (b"%PDF", "a PDF"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"ID3", "an MP3"),
    (b"OggS", "an Ogg audio file"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
)


@dataclass(frozen=True)
class Attachment:
    """An attachment as Discord described it."""

    filename: str
    url: str
    size: int


@dataclass(frozen=True)
class Upload:
    """A document fetched and checked: kept under `name` (the bot's), shown as `original` (the user's)."""

    original: str
    name: str
    data: bytes
    sha256: str


@dataclass(frozen=True)
class Refused:
    """A document left out, and why, in words for the member."""

    original: str
    reason: str


def shown_name(filename: str) -> str:
    """A user's file name as it may be quoted back: no control characters, at most 80 characters."""
    cleaned = "".join(ch for ch in filename if unicodedata.category(ch)[0] != "C")
    return (cleaned[:77] + "…") if len(cleaned) > 80 else cleaned or "(no name)"


def name_problem(filename: str) -> str | None:
    """Why a file name is refused, or None. Refused: paths, device names, hidden files, other extensions."""
    if not filename.strip():
        return "has no name"
    if (
        "/" in filename
        or "\\" in filename
        or ".." in filename
        or any(unicodedata.category(c) == "Cc" for c in filename)
    ):
        return "is a path, not a file name"
    stem, dot, ext = filename.rpartition(".")
    base = (stem if dot else filename).split(".")[0].strip().lower()
    if base in RESERVED:
        return "is a name reserved for devices"
    if filename.startswith("."):
        return "is a hidden file"
    if not dot or f".{ext.lower()}" not in EXTENSIONS:
        return f"is not a document I read (only {', '.join(EXTENSIONS)})"
    return None


def safe_name(filename: str, taken: Iterable[str]) -> str:
    """The name the bot keeps a document under: ASCII letters, digits, '-', '_', the checked extension, and a
    number when another document of the film already has it."""
    stem, _, ext = filename.rpartition(".")
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_stem).strip("-_").lower()[:60] or "document"
    ext = "htm" if ext.lower() == "htm" else ext.lower()
    used = {t.lower() for t in taken}
    name, n = f"{base}.{ext}", 2
    while name in used:
        name, n = f"{base}-{n}.{ext}", n + 1
    return name


def content_problem(data: bytes) -> str | None:
    """Why these bytes are not a text document, or None (decoding and reading are ingest's to judge)."""
    if not data.strip():
        return "is empty"
    for magic, what in MAGIC:
        if data.startswith(magic):
            return f"is {what}, not a text document"
    if data[:4] in (b"RIFF",) and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return "is a media file, not a text document"
    head = data[:8192]
    if b"\x00" in head and not (head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        return "is a binary file, not a text document"
    return None


class DownloadFailed(Exception):
    """A download that failed or timed out, in words for the member."""


async def fetch(
    session: aiohttp.ClientSession, attachment: Attachment, limit: int = MAX_DOCUMENT_BYTES
) -> bytes:
    """The attachment's bytes from its URL, at most `limit` of them."""
    try:
        async with session.get(attachment.url) as response:
            if response.status != 200:
                raise DownloadFailed(f"Discord answered {response.status} for it")
            if response.content_length is not None and response.content_length > limit:
                raise DownloadFailed(f"it is larger than {limit // (1024 * 1024)} MB")
            data = bytearray()
            async for chunk in response.content.iter_chunked(CHUNK):
                data += chunk
                if len(data) > limit:
                    raise DownloadFailed(f"it is larger than {limit // (1024 * 1024)} MB")
            return bytes(data)
    except aiohttp.ClientError as err:
        raise DownloadFailed(f"the download failed ({type(err).__name__})") from err


async def fetch_all(
    session: aiohttp.ClientSession,
    attachments: Sequence[Attachment],
    timeout: float = DOWNLOAD_TIMEOUT_S,  # noqa: ASYNC109 - one budget for every download of an add
) -> list[bytes]:
    """Every attachment's bytes, or DownloadFailed naming the first that failed (or that time ran out)."""
    tasks = [asyncio.ensure_future(fetch(session, a)) for a in attachments]
    try:
        async with asyncio.timeout(timeout):
            return list(await asyncio.gather(*tasks))
    except TimeoutError:
        raise DownloadFailed(f"the download took longer than {timeout:.0f} seconds") from None
    except DownloadFailed as err:
        failed = next(
            (a for a, t in zip(attachments, tasks, strict=True) if t.done() and t.exception()), None
        )
        name = shown_name(failed.filename) if failed else "a document"
        raise DownloadFailed(f"{name}: {err}") from err
    finally:
        for task in tasks:
            task.cancel()


def checked(
    attachments: Sequence[Attachment], data: Sequence[bytes], taken: Iterable[str]
) -> tuple[list[Upload], list[Refused]]:
    """Downloaded documents split into those kept (with their safe names) and those refused (with why)."""
    uploads: list[Upload] = []
    refused: list[Refused] = []
    names = list(taken)
    seen: dict[str, str] = {}
    for attachment, raw in zip(attachments, data, strict=True):
        original = shown_name(attachment.filename)
        problem = content_problem(raw)
        digest = sha256(raw)
        if problem is None and digest in seen:
            problem = f"{SAME} {seen[digest]}"
        if problem is not None:
            refused.append(Refused(original, problem))
            continue
        seen[digest] = original
        name = safe_name(attachment.filename, names)
        names.append(name)
        uploads.append(Upload(original, name, raw, digest))
    return uploads, refused


def precheck(attachments: Sequence[Attachment]) -> list[Refused]:
    """What can be refused before downloading: the name, and the size Discord reports."""
    out = []
    for a in attachments:
        problem = name_problem(a.filename)
        if problem is None and a.size > MAX_DOCUMENT_BYTES:
            problem = f"is {a.size / (1024 * 1024):.0f} MB; a document may be at most {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB"
        if problem is not None:
            out.append(Refused(shown_name(a.filename), problem))
    return out


MENTION = re.compile(r"@(?:everyone|here)\b|<@[!&]?\d+>|<#\d+>", re.IGNORECASE)


def title_problem(title: str) -> str | None:
    """Why a title a member typed is refused, or None."""
    if len(title) > MAX_TITLE:
        return f"is {len(title)} characters long; a title may have at most {MAX_TITLE}"
    if MENTION.search(title):
        return "mentions someone (@everyone, @here, a member, a role or a channel); titles can't"
    return None


def given_title(title: str | None) -> str | None:
    """The title as typed, without invisible characters and outer spaces; None when nothing is left."""
    if title is None:
        return None
    visible = "".join(ch for ch in title if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    return " ".join(visible.split()) or None
