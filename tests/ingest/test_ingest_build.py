"""The build: deterministic, atomic, and calm about bad input."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.ingest import build as build_module
from bot.ingest.__main__ import main
from bot.ingest.build import build, built_hash, corpus_hash, ensure_built

from .conftest import PERFECTION


def dump(db: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'passages_fts%' ORDER BY name"
        )
    ]
    rows = [(t, *r) for t in tables for r in conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2")]
    conn.close()
    return rows


def test_same_documents_same_database(library: Path, tmp_path: Path) -> None:
    build(library, tmp_path / "a.db", workers=1)
    build(library, tmp_path / "b.db", workers=2)
    assert dump(tmp_path / "a.db") == dump(tmp_path / "b.db")


def test_failed_build_leaves_the_previous_database(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "k.db"
    build(library, db)
    before = dump(db)

    def broken(folder: Path) -> object:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(build_module, "film_rows", broken)
    with pytest.raises(RuntimeError):
        build(library, db)
    assert dump(db) == before
    assert [p.name for p in tmp_path.iterdir()] == ["k.db"]  # no temp file left behind


def test_rebuild_only_when_documents_change(library: Path, tmp_path: Path) -> None:
    films = tmp_path / "films"
    shutil.copytree(PERFECTION, films / "the-perfection")
    db = tmp_path / "k.db"
    assert ensure_built(films, db) is not None
    assert built_hash(db) == corpus_hash(films)
    assert ensure_built(films, db) is None
    (films / "the-perfection" / "zz-note.txt").write_text("An extra line.\n")
    assert ensure_built(films, db) is not None


def test_bad_documents_are_reported_and_the_rest_ingested(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    films = tmp_path / "films"
    film = films / "the-perfection"
    shutil.copytree(PERFECTION, film)
    (film / "empty.txt").write_bytes(b"")
    (film / "binary.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (film / "latin.txt").write_bytes(b"\xff\xfe\x81\x8d\x8f\x90\x9d")
    (film / "note.txt").write_text('@everyone ||spoiler|| "NEAR(x y)"\n')
    (film / "huge.txt").write_bytes(b"a " * 1_100_000)
    (films / "empty-film").mkdir()
    (films / "junk-film").mkdir()
    (films / "junk-film" / "x.txt").write_text("just one line")
    db = tmp_path / "k.db"
    assert main(["--films-dir", str(films), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "films: 1" in out and "documents: 5" in out and "disputed facts: 2" in out
    for name, reason in [
        ("empty.txt", "empty"),
        ("binary.bin", "binary"),
        ("latin.txt", "undecodable"),
        ("note.txt", "unrecognised"),
        ("huge.txt", "too large"),
        ("empty-film/", "no documents"),
        ("junk-film/", "nothing could be extracted"),
    ]:
        assert any(name in line and reason in line for line in out.splitlines()), (name, out)


def test_no_films_at_all(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--films-dir", str(tmp_path / "missing"), "--db", str(tmp_path / "k.db")]) == 1
    assert "no film folders" in capsys.readouterr().out


GERMAN = (
    "Alien ist ein Science-Fiction-Horrorfilm des Regisseurs Ridley Scott aus dem Jahr 1979. "
    "Die Besatzung des Raumfrachters Nostromo wird auf dem Heimweg zur Erde von einem Signal geweckt. "
    "Auf einem fremden Planeten findet die Crew ein Wrack und darin eine Kammer voller Eier. "
    "Ein Wesen springt aus einem der Eier und klammert sich an das Gesicht von Kane. "
    "Später bricht eine Kreatur aus seiner Brust hervor und versteckt sich im Schiff. "
    "Die Besatzung wird einer nach dem anderen getötet, bis nur Ripley übrig bleibt. "
)


def test_bad_input_is_named_with_its_reason_and_the_rest_ingested(tmp_path: Path) -> None:
    films = tmp_path / "films"
    film = films / "the-perfection"
    shutil.copytree(PERFECTION, film)
    wiki = (film / "003_fa2efec3392b4419.txt").read_bytes()
    (film / "player.html").write_text(
        "<!DOCTYPE html><html><head><style>body{}</style><script>var x = 1;</script></head>"
        "<body><script>play()</script><noscript>Enable JavaScript</noscript></body></html>"
    )
    # 5 MB of markup, generated here rather than committed: deeply nested, and flat.
    (film / "huge.html").write_text("<html><body>" + "<div><span>" * 250_000 + "</span></div>" * 250_000)
    (film / "flat.html").write_text("<html><body>" + "<p>Lorem ipsum dolor sit amet.</p>" * 160_000)
    (film / "notes.md").write_text("# The Perfection\n\n## Plot\n\n## Cast\n")
    (film / "de-wikipedia.txt").write_text(f"Alien (1979)\n\n{GERMAN}\n\n{GERMAN}\n")
    (film / "003_fa2efec3392b4419 (1).txt").write_bytes(wiki)
    (film / "forum.txt").write_text(
        "Best thriller of the year?\n\nThe Perfection runs 90 minutes and I loved every one of them. "
        "Honestly the running time is 120 minutes and it drags. Allison Williams is great in it and "
        "Logan Browning too, and I would watch it again tomorrow.\n\nThe film was directed by Richard Shepard. "
        "He did a great job with it and the music is great. Everyone should see it at least once this year, "
        "and then once more with friends.\n"
    )
    assert len((film / "huge.html").read_bytes()) > 5_000_000
    summary = build(films, tmp_path / "k.db")
    reasons = {
        "player.html": "no readable text",
        "huge.html": "markup nested more than 1000 elements deep",
        "flat.html": "too large",
        "notes.md": "headings (cast, plot) with no prose",
        "de-wikipedia.txt": "not in English",
        "forum.txt": "contradicts itself (runtime: 90 minutes / 120 minutes)",
    }
    for name, reason in reasons.items():
        assert any(f"the-perfection/{name}: " in w and reason in w for w in summary.warnings), (
            name,
            summary.warnings,
        )
    assert (
        summary.films == 1 and summary.documents == 7
    )  # the five, the duplicate (as a copy), the forum post
    conn = sqlite3.connect(tmp_path / "k.db")
    copy_of = dict(conn.execute("SELECT name, copy_of FROM documents"))
    conn.close()
    assert copy_of["003_fa2efec3392b4419 (1).txt"] == "003_fa2efec3392b4419.txt"
