"""Damage found while the store is open: given an SQLite store that passed its check at open,
when a page of its file is overwritten under it and a read meets the malformed page, then the
read raises StoreDamagedError (not a bare sqlite3 error), and from then on every write is
refused with it and writes nothing. Reads skip the unreadable rows and give the rest."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from domain.backends import open_store
from domain.core.errors import StoreDamagedError
from domain.core.records import ANY, NewEvent

PAGE = 4096


def event(n: int) -> NewEvent:
    return NewEvent("Noted", {"n": n, "text": f"{n:06d} " * 150})


def damage_page_holding(db: Path, n: int) -> None:
    """Overwrite with random bytes the page of the file that holds event `n`'s data."""
    data = db.read_bytes()
    where = data.index((f"{n:06d} " * 20).encode())
    with db.open("r+b") as handle:
        handle.seek(where // PAGE * PAGE)
        handle.write(random.Random(n).randbytes(PAGE))


@pytest.mark.parametrize("at", [1200, 2400, 3600])
def test_a_malformed_page_met_by_a_read_refuses_later_writes(tmp_path: Path, at: int) -> None:
    db = tmp_path / "store.db"
    store = open_store(f"sqlite:///{db}")
    for batch in range(40):
        store.append(f"s-{batch}", [event(batch * 100 + n) for n in range(100)], ANY)
    store.close()
    store = open_store(f"sqlite:///{db}")  # sound: the check at open passes
    try:
        assert getattr(store, "damage", "unset") is None
        damage_page_holding(db, at)
        # The connection that ran the check at open may still hold the page in its cache, as
        # a long-lived server's would: keep it busy so the reads go to the file.
        warm = store._pool.take()  # type: ignore[attr-defined]
        try:
            read = [e for s in range(40) for e in store.read_stream(f"s-{s}")]
            read_all = store.read_all()  # every page of the events is read
        finally:
            store._pool.give(warm)  # type: ignore[attr-defined]
        assert getattr(store, "damage", None)  # found on the way, and remembered
        assert len(read) < 4000 and len(read_all) < 4000  # the damaged rows were skipped
        before = db.read_bytes()
        with pytest.raises(StoreDamagedError) as caught:
            store.append("s-new", [event(-1)], ANY)
        assert str(db) in str(caught.value)
        assert db.read_bytes() == before
    finally:
        store.close()


@pytest.mark.parametrize("at", [1200, 2400, 3600])
def test_reading_a_damaged_file_gives_every_readable_event_and_counts_the_rest(
    tmp_path: Path, at: int
) -> None:
    db = tmp_path / "store.db"
    store = open_store(f"sqlite:///{db}")
    for batch in range(40):
        store.append(f"s-{batch}", [event(batch * 100 + n) for n in range(100)], ANY)
    sound = {e.position: e for e in store.read_all()}
    store.close()
    damage_page_holding(db, at)

    with pytest.raises(StoreDamagedError):
        open_store(f"sqlite:///{db}")  # for writing: refused
    store = open_store(f"sqlite:///{db}", read_only=True)
    try:
        assert getattr(store, "damage", None)
        found = store.read_all()
        lost = getattr(store, "unreadable", 0)
        positions = [e.position for e in found]
        assert positions == sorted(set(positions))
        assert all(e == sound[e.position] for e in found)  # what is read is what was written
        assert 0 < len(found) < len(sound) and lost == len(sound) - len(found)
        assert store.read_all() == found  # read again: the same events, none counted twice
        by_stream = [e for s in range(40) for e in store.read_stream(f"s-{s}")]
        assert all(e == sound[e.position] for e in by_stream) and len(by_stream) < len(sound)
        # each unreadable event is counted once, however often and by whichever read met it
        assert getattr(store, "unreadable", 0) == len(sound) - len(found)
        with pytest.raises(StoreDamagedError):
            store.append("s-new", [event(-1)], ANY)
    finally:
        store.close()
