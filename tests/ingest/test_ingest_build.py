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
