"""A large store file is checked in the background: the explorer opens at once, its subtitle
says the file is being checked (writes wait), and then what the check found — sound, or
damaged with every write refused."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from domain.backends.sqlite import check
from domain.backends.sqlite import store as sqlite_store
from domain.bootstrap import bootstrap
from domain.core.errors import StoreDamagedError
from es_tui.app import ExplorerApp
from es_tui.screens.explore import CHECKING, DAMAGED
from tests.store.test_sqlite_check import filled
from tests.store.test_sqlite_damage import damage_page_holding
from tests.ui.conftest import wait_for


@pytest.fixture
def checked_later(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Every file counts as large here: checked in the background, where the real check
    waits for the returned gate to open (a small file's check would be over at once)."""
    monkeypatch.setattr(sqlite_store, "CHECK_AT_OPEN_BYTES", 0)
    gate = threading.Event()
    real = check.quick_check

    def gated(conn: sqlite3.Connection) -> str | None:
        gate.wait(timeout=60)
        return real(conn)

    monkeypatch.setattr(check, "quick_check", gated)
    return gate


@pytest.mark.parametrize("damaged", [False, True])
async def test_the_explorer_says_what_the_background_check_found(
    tmp_path: Path, checked_later: threading.Event, damaged: bool
) -> None:
    db = tmp_path / "store.db"
    filled(db)
    if damaged:
        damage_page_holding(db, 2000)
    # Opened for writing (raw mode opens read-only, checked at once): its events are of no
    # domain, so the explorer shows them as stored.
    system = bootstrap(f"sqlite:///{db}", domain="ideas")
    try:
        app = ExplorerApp(system)
        async with app.run_test(size=(160, 48)) as pilot:
            said = lambda: " ".join(n.message for n in app._notifications)  # noqa: E731
            await wait_for(pilot, lambda: CHECKING in app.sub_title, "the check under way")
            checked_later.set()
            await wait_for(pilot, lambda: "store file" in said(), "the check's verdict")
            assert CHECKING not in app.sub_title
            if damaged:
                assert DAMAGED in app.sub_title and "damaged" in said()
                with pytest.raises(StoreDamagedError):
                    system.store.save_tracking("probe", 1)
            else:
                assert DAMAGED not in app.sub_title and "sound" in said()
    finally:
        system.close()
