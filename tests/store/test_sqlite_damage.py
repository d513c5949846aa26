"""Damage found while the store is open: given an SQLite store that passed its check at open,
when a page of its file is overwritten under it and a read meets the malformed page, then the
read raises StoreDamagedError (not a bare sqlite3 error), and from then on every write is
refused with it and writes nothing."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from domain.store import NewEvent, open_store
from domain.store.errors import StoreDamagedError
from domain.store.records import ANY

PAGE = 4096


def event(n: int) -> NewEvent:
    return NewEvent("Noted", {"n": n, "text": f"{n:06d} " * 150})


@pytest.mark.parametrize("at", [0.3, 0.6, 0.9])
def test_a_malformed_page_met_by_a_read_refuses_later_writes(tmp_path: Path, at: float) -> None:
    db = tmp_path / "store.db"
    store = open_store(f"sqlite:///{db}")
    for batch in range(40):
        store.append(f"s-{batch}", [event(batch * 100 + n) for n in range(100)], ANY)
    store.close()
    store = open_store(f"sqlite:///{db}")  # sound: the check at open passes
    try:
        assert getattr(store, "damage", "unset") is None
        pages = db.stat().st_size // PAGE
        with db.open("r+b") as handle:
            handle.seek(int(pages * at) * PAGE)
            handle.write(random.Random(at).randbytes(PAGE))
        # The connection that ran the check at open may still hold the page in its cache, as
        # a long-lived server's would: keep it busy so the reads go to the file.
        warm = store._pool.take()  # type: ignore[attr-defined]
        try:
            with pytest.raises(StoreDamagedError) as caught:
                for stream in range(40):  # every page of the events is read
                    store.read_stream(f"s-{stream}")
                store.read_all()
        finally:
            store._pool.give(warm)  # type: ignore[attr-defined]
        assert str(db) in str(caught.value)
        before = db.read_bytes()
        with pytest.raises(StoreDamagedError):
            store.append("s-new", [event(-1)], ANY)
        assert db.read_bytes() == before
    finally:
        store.close()
