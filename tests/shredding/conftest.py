"""A world for the crypto-shredding tests: fifty ordinary ideas and one canary idea whose every
title and description is a unique canary string, edited enough to have snapshots. Everything
written is remembered, so a test can say exactly what must read back — or must be gone."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from domain.bootstrap import System, bootstrap
from domain.core.records import SnapshotPolicy
from domain.ideas.handler import CommandOutcome

POLICY = SnapshotPolicy(every=10, keep=3)


@dataclass
class World:
    """What was written: per idea its current (title, description), and per stored event
    (stream id, version) the private values it carries."""

    system: System
    canary_id: str = ""
    canaries: list[str] = field(default_factory=list)
    current: dict[str, tuple[str, str]] = field(default_factory=dict)
    private: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)

    @property
    def others(self) -> dict[str, tuple[str, str]]:
        return {k: v for k, v in self.current.items() if k != self.canary_id}

    def remember(self, outcome: CommandOutcome, title: str | None, desc: str | None) -> None:
        event = outcome.events[0]
        values = {k: v for k, v in (("title", title), ("description", desc)) if v is not None}
        self.private[(event.stream_id, event.version)] = values
        old = self.current.get(outcome.idea_id, ("", ""))
        self.current[outcome.idea_id] = (title or old[0], desc or old[1])

    def publish(self, title: str, desc: str) -> str:
        outcome = self.system.ideas.publish(title, desc)
        self.remember(outcome, title, desc)
        return outcome.idea_id

    def edit(self, idea_id: str, title: str | None, desc: str | None) -> None:
        self.remember(self.system.ideas.edit(idea_id, title, desc), title, desc)


def grow(system: System, *, others: int = 50, edits: int = 25) -> World:
    """`others` ordinary ideas with the canary idea in their middle, edited `edits` times
    (title, description or both in turn), each value a fresh canary string."""
    world = World(system)
    token = secrets.token_hex(6)

    def canary(kind: str) -> str:
        value = f"CANARY-{token}-{kind}-{len(world.canaries):02d}"
        world.canaries.append(value)
        return value

    for n in range(others):
        if n == others // 2:
            world.canary_id = world.publish(canary("title"), canary("desc"))
        world.publish(f"Ordinary idea number {n}", f"Plain description {n}, nothing secret")
    for n in range(edits):
        title = canary("title") if n % 3 != 1 else None
        desc = canary("desc") if n % 3 != 0 else None
        world.edit(world.canary_id, title, desc)
    return world


def sqlite_system(db: Path) -> System:
    """The wired system on an SQLite file (keys beside it), every new idea accepted."""
    return bootstrap(f"sqlite:///{db}", snapshot_policy=POLICY, accept_probability=1.0)


def place_files(db: Path) -> dict[str, Path]:
    """Every file of an SQLite store and its key store, WALs included."""
    keys = db.with_name(db.name + ".keys")
    return {
        "store file": db,
        "store WAL": db.with_name(db.name + "-wal"),
        "key store file": keys,
        "key store WAL": keys.with_name(keys.name + "-wal"),
    }


def bytes_of(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


def hits(data: bytes, needles: list[bytes]) -> list[bytes]:
    """The needles found in `data`."""
    return [n for n in needles if n in data]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "ideas.db"


@pytest.fixture
def small_world(db: Path) -> Iterator[World]:
    """A smaller world on SQLite for the tests that damage something: 8 ideas, 12 edits."""
    world = World(sqlite_system(db))
    try:
        world = grow(world.system, others=8, edits=12)
        yield world
    finally:
        world.system.close()  # a test may have reopened it
