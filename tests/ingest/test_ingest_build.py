"""The build: deterministic, atomic, and calm about bad input."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.ingest.__main__ import main
from bot.ingest.build import build
from bot.ingest.plan import open_writer, plan
from bot.storage.knowledge import writer as writer_module
from bot.storage.knowledge.records import FilmRecord

from .conftest import PERFECTION

# Columns that number rows in the order they were written, not by what they hold.
SURROGATE = {"films": ("id", "generation"), "passages": ("id",)}


def dump(db: Path) -> list[tuple[object, ...]]:
    """Every row of every table, films named by key instead of id, numbering columns left out."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    keys = {row["id"]: row["key"] for row in conn.execute("SELECT id, key FROM films")}
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'passages_fts%' "
            "AND name NOT IN ('meta', 'removed', 'source_files') ORDER BY name"
        )
    ]
    rows = []
    for table in tables:
        for row in conn.execute(f"SELECT * FROM {table}"):
            named = {k: row[k] for k in row.keys() if k not in SURROGATE.get(table, ())}
            if "film_id" in named:
                named["film_id"] = keys[named["film_id"]]
            rows.append((table, *sorted(named.items())))
    conn.close()
    return sorted(rows, key=repr)


def test_same_documents_same_database(library: Path, tmp_path: Path) -> None:
    build(library, tmp_path / "a.db", workers=1)
    build(library, tmp_path / "b.db", workers=2)
    assert dump(tmp_path / "a.db") == dump(tmp_path / "b.db")


def test_a_film_is_written_whole_or_not_at_all(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while a film is written leaves that film as it was, and every other film written."""
    films = tmp_path / "films"
    shutil.copytree(library, films)
    db = tmp_path / "k.db"
    build(films, db)
    before = dump(db)
    (films / "whiplash" / "extra.txt").write_text("Whiplash is a 2014 film directed by Damien Chazelle.\n")
    (films / "the-perfection" / "extra.txt").write_text(
        "The Perfection is a 2018 film directed by Richard Shepard.\n"
    )
    original = writer_module.KnowledgeWriter._film_rows

    def broken(self: writer_module.KnowledgeWriter, film_id: int, film: FilmRecord) -> None:
        if film.key == "whiplash":
            self.conn.execute("DELETE FROM beats WHERE film_id = ?", (film_id,))  # half of the work done
            raise RuntimeError("disk on fire")
        original(self, film_id, film)

    monkeypatch.setattr(writer_module.KnowledgeWriter, "_film_rows", broken)
    with pytest.raises(RuntimeError):
        build(films, db, workers=1)
    after = dump(db)
    assert [r for r in after if "whiplash" in repr(r)] == [r for r in before if "whiplash" in repr(r)]
    assert [r for r in after if "the-perfection" in repr(r)] != [
        r for r in before if "the-perfection" in repr(r)
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["films", "k.db"]  # no temp file left behind


def test_only_changed_films_are_ingested(library: Path, tmp_path: Path) -> None:
    films = tmp_path / "films"
    shutil.copytree(library, films)
    db = tmp_path / "k.db"
    assert build(films, db).ingested == 2
    again = build(films, db)
    assert (again.ingested, again.unchanged, again.removed) == (0, 2, 0)
    writer = open_writer(db)
    try:
        assert plan(writer, films).hashed == 0  # the stat cache: no document was read to know that
    finally:
        writer.close()
    (films / "whiplash" / "zz-note.txt").write_text("An extra line.\n")
    changed = build(films, db)
    assert (changed.ingested, changed.unchanged) == (1, 1)
    shutil.rmtree(films / "whiplash")
    gone = build(films, db)
    assert (gone.ingested, gone.removed, gone.films) == (0, 1, 1)


def test_an_older_schema_is_built_anew(library: Path, tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    conn = sqlite3.connect(db)
    conn.executescript("CREATE TABLE films (id INTEGER PRIMARY KEY); PRAGMA user_version = 2;")
    conn.close()
    assert build(library, db).films == 2


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
