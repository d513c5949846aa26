"""SQLite keeps a command's snapshot in the transaction of the append that makes it due: both
are stored or neither, a retry takes none, and the snapshots a handler keeps this way are the
ones it kept with a commit of their own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.backends import open_store
from domain.backends.sqlite.store import SQLiteEventStore
from domain.bootstrap import bootstrap
from domain.core.errors import SnapshotError
from domain.core.records import NewEvent, RecordedEvent, Snapshot, SnapshotPolicy
from domain.ideas import IdeaCommandHandler


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteEventStore]:
    opened = open_store(f"sqlite:///{tmp_path / 's.db'}", snapshot_policy=SnapshotPolicy(3, 2))
    assert isinstance(opened, SQLiteEventStore)
    yield opened
    opened.close()


def events(n: int) -> list[NewEvent]:
    return [NewEvent("Happened", {"n": i}) for i in range(n)]


def snapshot_of(recorded: list[RecordedEvent], last_event_id: uuid.UUID | None = None) -> Snapshot:
    last = recorded[-1]
    return Snapshot(
        last.stream_id,
        last.version,
        last_event_id or last.event_id,
        {"count": last.version},
        1,
        datetime.now(UTC),
    )


def test_the_events_and_their_snapshot_are_stored_together(store: SQLiteEventStore) -> None:
    recorded, snap = store.append_then_snapshot("s-1", events(3), 0, snapshot_of)
    assert [r.version for r in recorded] == [1, 2, 3]
    assert snap is not None and store.latest_snapshot("s-1") == snap
    assert [r.event_id for r in store.read_stream("s-1")] == [r.event_id for r in recorded]


def test_a_snapshot_refused_leaves_nothing_stored(store: SQLiteEventStore) -> None:
    store.append("s-1", events(1), 0)
    with pytest.raises(SnapshotError):  # names an event the stream does not hold
        store.append_then_snapshot("s-1", events(2), 1, lambda r: snapshot_of(r, uuid.uuid4()))
    with pytest.raises(SnapshotError):  # of another stream
        store.append_then_snapshot(
            "s-1", events(2), 1, lambda r: replace(snapshot_of(r), stream_id="s-2")
        )
    assert store.stream_info("s-1").version == 1  # type: ignore[union-attr]
    assert store.head_position() == 1 and store.snapshots("s-1") == []


def test_no_snapshot_asked_stores_the_events_alone(store: SQLiteEventStore) -> None:
    _, snap = store.append_then_snapshot("s-1", events(2), 0, lambda r: None)
    assert snap is None and store.snapshots("s-1") == []
    assert store.stream_info("s-1").version == 2  # type: ignore[union-attr]


def test_a_retry_of_stored_events_takes_no_snapshot(store: SQLiteEventStore) -> None:
    batch = events(2)
    first, _ = store.append_then_snapshot("s-1", batch, 0, snapshot_of)
    asked: list[object] = []
    again, snap = store.append_then_snapshot("s-1", batch, 0, lambda r: asked.append(r))  # type: ignore[func-returns-value]
    assert (again, snap, asked) == (first, None, [])


def test_only_the_newest_snapshots_are_kept(store: SQLiteEventStore) -> None:
    for n in range(4):
        store.append_then_snapshot("s-1", events(1), n, snapshot_of)
    assert [s.version for s in store.snapshots("s-1")] == [3, 4]


@pytest.mark.parametrize("cached", [True, False])
def test_a_handler_keeps_the_snapshots_it_keeps_with_a_commit_of_their_own(
    tmp_path: Path, cached: bool
) -> None:
    # The memory store has no combined append: there the handler commits each on its own.
    policy = SnapshotPolicy(every=4, keep=3)
    together = bootstrap(f"sqlite:///{tmp_path / 'ideas.db'}", start=False, snapshot_policy=policy)
    apart = bootstrap("memory:", start=False, snapshot_policy=policy)
    systems = [together, apart]
    handlers = [
        IdeaCommandHandler(s.store, s.codec, new_id=lambda: "a1", cache_size=8 if cached else 0)
        for s in systems
    ]
    for handler in handlers:
        handler.publish("Title", "Text")
        handler.accept("a1")
        for n in range(11):
            outcome = handler.edit("a1", title=f"Title {n}")
            assert (outcome.snapshot is not None) == (outcome.version % 4 == 0)
    kept = [[s.version for s in system.store.snapshots("idea-a1")] for system in systems]
    assert kept == [[4, 8, 12], [4, 8, 12]]
    for system, handler in zip(systems, handlers, strict=True):
        for snap in system.store.snapshots("idea-a1"):
            from_snapshot = handler.load("a1", snap, to_version=snap.version).state
            replayed = handler.load("a1", None, to_version=snap.version).state
            assert from_snapshot == replayed
        assert handler.load("a1").state == handler.load("a1", None).state
        system.close()
