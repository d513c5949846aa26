"""SVG snapshots of the main screen and the conflict lab, on a frozen clock and id source so
every run draws the same picture (`pytest --snapshot-update` accepts a deliberate change)."""

from __future__ import annotations

import itertools
import os
import random
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, tzinfo

import pytest
from textual.pilot import Pilot

import domain.backends.memory.store
import domain.core.aggregate
from domain.bootstrap import System
from es_tui import explore_shots, screenshots
from es_tui.app import ExplorerApp

EPOCH = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def frozen_system(monkeypatch: pytest.MonkeyPatch) -> Iterator[System]:
    """The demo system where every `now()` is one millisecond after the previous one and
    every random id, key and nonce comes from a seeded generator."""
    ticks = itertools.count()

    class Clock(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            return EPOCH + timedelta(milliseconds=next(ticks))

    noise = random.Random(7)  # ids, and the keys and nonces of encrypted private fields
    monkeypatch.setattr(os, "urandom", noise.randbytes)
    monkeypatch.setattr(domain.backends.memory.store, "datetime", Clock)
    monkeypatch.setattr(domain.core.aggregate, "datetime", Clock)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=noise.getrandbits(128), version=4))
    system = screenshots.demo_system()
    yield system
    system.close()


def run(app: ExplorerApp, scenario: screenshots.Scenario) -> Callable[[Pilot[None]], object]:
    return lambda pilot: scenario(app, pilot)


def test_main_screen(snap_compare, frozen_system: System) -> None:  # type: ignore[no-untyped-def]
    app = ExplorerApp(frozen_system)
    assert snap_compare(app, terminal_size=(160, 48), run_before=run(app, screenshots.main_screen))


def test_main_screen_small(snap_compare, frozen_system: System) -> None:  # type: ignore[no-untyped-def]
    app = ExplorerApp(frozen_system)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run(app, screenshots.main_screen))


def test_conflict_lab(snap_compare, frozen_system: System) -> None:  # type: ignore[no-untyped-def]
    app = ExplorerApp(frozen_system)
    assert snap_compare(app, terminal_size=(160, 48), run_before=run(app, screenshots.conflict_lab))


def test_causation_tree(snap_compare, frozen_system: System) -> None:  # type: ignore[no-untyped-def]
    app = ExplorerApp(frozen_system)
    assert snap_compare(app, terminal_size=(160, 48), run_before=run(app, explore_shots.causation))


def test_versioning_lab(snap_compare, frozen_system: System) -> None:  # type: ignore[no-untyped-def]
    app = ExplorerApp(frozen_system)
    assert snap_compare(
        app, terminal_size=(160, 48), run_before=run(app, explore_shots.versioning_lab)
    )
