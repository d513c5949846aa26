"""A large store file opened for writing is checked in the background: given a file larger
than the size checked at open, when it is opened, then it opens without waiting for
`PRAGMA quick_check`, reads go ahead, and every kind of write waits for the check's verdict —
refused with StoreDamagedError, and nothing written, when the file is damaged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.backends.sqlite.store import SQLiteEventStore
from domain.core.errors import StoreDamagedError
from domain.core.records import ANY, NewEvent, Snapshot
from tests.store.test_sqlite_damage import damage_page_holding, event

WRITES: dict[str, Callable[[SQLiteEventStore], object]] = {
    "append": lambda s: s.append("s-new", [event(-1)], ANY),
    "save_tracking": lambda s: s.save_tracking("a consumer", 5),
    "save_snapshot": lambda s: s.save_snapshot(
        Snapshot("s-1", 1, s.read_stream("s-1")[0].event_id, {"n": 1}, 1, datetime.now(UTC))
    ),
    "forget": lambda s: s.forget("s-2", NewEvent("Forgotten", {})),
}


def filled(db: Path) -> list[int]:
    store = SQLiteEventStore.open(f"sqlite:///{db}", poll_interval=None)
    try:
        for batch in range(40):
            store.append(f"s-{batch}", [event(batch * 100 + n) for n in range(100)], ANY)
        return [e.position for e in store.read_all()]
    finally:
        store.close()


def opened_large(db: Path) -> SQLiteEventStore:
    """The file opened as one above the size checked at open would be."""
    return SQLiteEventStore.open(f"sqlite:///{db}", poll_interval=None, check_at_open=0)


@pytest.mark.parametrize("write", list(WRITES))
def test_a_sound_large_file_opens_then_writes_once_checked(tmp_path: Path, write: str) -> None:
    db = tmp_path / "store.db"
    positions = filled(db)
    store = opened_large(db)
    try:
        check = store.check
        assert check is not None  # not checked at open: in the background
        assert [e.position for e in store.read_all()] == positions  # reads need no verdict
        WRITES[write](store)  # waits for the verdict, then writes
        assert not check.running and check.damage is None and check.seconds is not None
        assert store.damage is None
    finally:
        store.close()


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("at", [100, 2000, 3900])
def test_a_damaged_large_file_opens_and_refuses_every_write(
    tmp_path: Path, write: str, at: int
) -> None:
    db = tmp_path / "store.db"
    filled(db)
    damage_page_holding(db, at)
    with pytest.raises(StoreDamagedError):  # at its real size it is checked at open
        SQLiteEventStore.open(f"sqlite:///{db}", poll_interval=None)
    before = db.read_bytes()
    store = opened_large(db)
    try:
        with pytest.raises(StoreDamagedError) as caught:
            WRITES[write](store)
        assert str(db) in str(caught.value)
        assert store.damage  # remembered: the next write is refused at once
        with pytest.raises(StoreDamagedError):
            WRITES[write](store)
    finally:
        store.close()
    assert db.read_bytes() == before  # nothing written into the damaged file


def test_closing_during_the_check_reports_no_damage(tmp_path: Path) -> None:
    # An interrupted check found nothing: a sound file is never called damaged for it.
    db = tmp_path / "store.db"
    filled(db)
    for _ in range(5):
        store = opened_large(db)
        check = store.check
        store.close()
        assert check is not None and not check.running
        assert check.damage is None and store.damage is None


def test_a_small_file_is_checked_before_open_returns(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    filled(db)
    store = SQLiteEventStore.open(f"sqlite:///{db}", poll_interval=None)
    try:
        assert store.check is None
    finally:
        store.close()


def test_the_backend_says_while_the_file_is_checked_and_what_it_found(tmp_path: Path) -> None:
    from domain.backends import backend_for

    db = tmp_path / "store.db"
    filled(db)
    damage_page_holding(db, 2000)
    backend = backend_for(f"sqlite:///{db}")
    store = opened_large(db)
    try:
        backend.bind(store, False)
        check = store.check
        assert check is not None
        check.verdict()
        assert not backend.checking(store)
        assert backend.damage(store)  # known before any write asked
    finally:
        store.close()
