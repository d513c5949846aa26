"""Forgetting on SQLite erases the bytes: no copy of the private text stays in the file or
its WAL (secure_delete zeroes freed space; forget truncates the WAL)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from domain.backends.sqlite.store import SQLiteEventStore
from domain.core.records import NO_STREAM, NewEvent, Snapshot

CANARY = "canary-7f3a9 Maple Street 42"


def file_bytes(path: Path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_forgotten_private_text_is_gone_from_the_file_and_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    url = f"sqlite:///{path}"
    canary = CANARY.encode()
    store = SQLiteEventStore.open(url)
    store.append("other-1", [NewEvent("Noted", {"n": i}) for i in range(50)], NO_STREAM)
    written = store.append(
        "idea-1",
        [
            NewEvent("IdeaCreationRequested", {"title": CANARY, "description": "short"}),
            # larger than a page: lands on overflow pages
            NewEvent("IdeaUpdated", {"description": (CANARY + " ") * 400}),
            NewEvent("IdeaUpdated", {"title": f"now {CANARY}"}),
        ],
        NO_STREAM,
    )
    store.save_snapshot(
        Snapshot("idea-1", 3, written[-1].event_id, {"title": CANARY}, 1, datetime.now(UTC))
    )
    store.append("other-1", [NewEvent("Noted", {"n": 99})], 50)
    store.close()  # fold the WAL into the file: the canary is now in the main file too
    store = SQLiteEventStore.open(url)
    assert canary in path.read_bytes()  # the check below can fail

    tombstone = store.forget("idea-1", NewEvent("IdeaForgotten", {"reason": "request"}))

    assert store.checkpoint()
    assert canary not in file_bytes(path)
    assert store.read_stream("idea-1") == [tombstone]
    assert len(store.read_stream("other-1")) == 51
    store.close()
    assert canary not in file_bytes(path)
