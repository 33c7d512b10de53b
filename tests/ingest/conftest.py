from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.ingest.build import build

ROOT = Path(__file__).resolve().parents[2]
PERFECTION = ROOT / "data" / "films" / "the-perfection"
WHIPLASH = ROOT / "tests" / "fixtures" / "films" / "whiplash"


@pytest.fixture(scope="session")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A films folder with the bundled film and the team's second film."""
    films = tmp_path_factory.mktemp("films")
    shutil.copytree(PERFECTION, films / "the-perfection")
    shutil.copytree(WHIPLASH, films / "whiplash")
    return films


@pytest.fixture(scope="session")
def knowledge_db(library: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("db") / "knowledge.db"
    summary = build(library, db)
    assert summary.films == 2 and not summary.warnings
    return db


@pytest.fixture
def sql(knowledge_db: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{knowledge_db}?mode=ro", uri=True)
    yield conn
    conn.close()
