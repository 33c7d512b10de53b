"""Exactly one process syncs the command tree: the one that wins the claim in the state database. If it dies
before syncing, another takes over once the claim lapses; a process that finds the set synced skips."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import bot.client
from bot.client import FilmBot
from bot.settings import Settings
from bot.storage.state import StateStore
from tests.fakes import (
    FakeKnowledge,
    until,
)


def make_bot(store: StateStore, name: str) -> FilmBot:
    settings = Settings.from_env({"STATE_DB": "unused.db"}, dotenv=False)
    made = FilmBot(settings, FakeKnowledge([]), store, extensions=())  # type: ignore[arg-type]
    made._sync_holder = name
    return made


class Syncs:
    """Stands in for CommandTree.sync: counts calls; `gate` holds them until set."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.gate = asyncio.Event()
        self.gate.set()

    def patch(self, target: FilmBot) -> None:
        async def sync(*args: Any, **kwargs: Any) -> list[Any]:
            self.calls.append(target._sync_holder)
            await self.gate.wait()
            return []

        target.tree.sync = sync  # type: ignore[method-assign]


async def test_two_processes_starting_together_sync_once(tmp_path: Path) -> None:
    store = await StateStore.open(tmp_path / "state.db")
    bots = [make_bot(store, f"p{i}") for i in range(3)]
    syncs = Syncs()
    syncs.gate.clear()
    for each in bots:
        syncs.patch(each)
    try:
        starting = [asyncio.create_task(each.sync_commands()) for each in bots]
        await until(lambda: _true(len(syncs.calls) == 1))
        syncs.gate.set()
        await asyncio.gather(*starting)
        assert len(syncs.calls) == 1
        assert await store.get_meta("command_hash") == bots[0].command_hash()
        later = make_bot(store, "later")
        syncs.patch(later)
        await later.sync_commands()  # unchanged set: skipped
        assert len(syncs.calls) == 1
    finally:
        for each in bots:
            stop_retry(each)
        await store.close()


async def test_when_the_syncing_process_dies_another_takes_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.client, "SYNC_LEASE_S", 1.0)
    store = await StateStore.open(tmp_path / "state.db")
    survivor = make_bot(store, "survivor")
    syncs = Syncs()
    syncs.patch(survivor)
    digest = survivor.command_hash()
    assert await store.acquire_lease(f"command-sync:{digest}", "died-before-syncing", ttl=1)
    try:
        await survivor.sync_commands()
        assert syncs.calls == []  # the other holds the claim
        await until(lambda: _true(syncs.calls == ["survivor"]), within=10)
        await until(lambda: _is(store, digest), within=5)
    finally:
        stop_retry(survivor)
        await store.close()


def stop_retry(made: FilmBot) -> None:
    """What FilmBot.close does for the sync (the bots here never connect, so they are not closed)."""
    if made._sync_retry is not None:
        made._sync_retry.cancel()


async def _true(value: bool) -> bool:
    return value


async def _is(store: StateStore, digest: str) -> bool:
    return await store.get_meta("command_hash") == digest
