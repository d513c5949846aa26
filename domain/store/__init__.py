"""The event-store port, its records and errors, and `open_store(url)` for every backend."""

from __future__ import annotations

from collections.abc import Iterable

from domain.store.batch import StreamWrite, Tracking
from domain.store.errors import (
    ConcurrencyError,
    DuplicateEventError,
    EventStoreError,
    InvalidEventError,
    InvalidExpectedVersionError,
    ReadOnlyStoreError,
    SnapshotError,
    StoreClosedError,
    StoreUrlError,
    StreamForgottenError,
    StreamNotFoundError,
    TrackingConflictError,
)
from domain.store.memory import MemoryEventStore
from domain.store.protocol import ALL_STREAM, CommitListener, EventStore, Subscription
from domain.store.records import (
    ANY,
    NO_STREAM,
    Expect,
    ExpectedVersion,
    NewEvent,
    RecordedEvent,
    Snapshot,
    SnapshotPolicy,
    StreamInfo,
    StreamStatus,
)

__all__ = [
    "ALL_STREAM",
    "ANY",
    "NO_STREAM",
    "CommitListener",
    "ConcurrencyError",
    "DuplicateEventError",
    "EventStore",
    "EventStoreError",
    "Expect",
    "ExpectedVersion",
    "InvalidEventError",
    "InvalidExpectedVersionError",
    "MemoryEventStore",
    "NewEvent",
    "ReadOnlyStoreError",
    "RecordedEvent",
    "Snapshot",
    "SnapshotError",
    "SnapshotPolicy",
    "StoreClosedError",
    "StoreUrlError",
    "StreamForgottenError",
    "StreamInfo",
    "StreamNotFoundError",
    "StreamStatus",
    "StreamWrite",
    "Subscription",
    "Tracking",
    "TrackingConflictError",
    "open_store",
]


def open_store(
    url: str = "memory:",
    *,
    snapshot_policy: SnapshotPolicy | None = None,
    deleted_types: Iterable[str] = (),
    read_only: bool = False,
) -> EventStore:
    """Open the store a URL names: `memory:`, `sqlite:///path.db`, `postgresql://...`, or
    (read-only) an `eventsourcing` library database: `eventsourcing+sqlite:///app.db`,
    `eventsourcing+postgresql://...`.

    `read_only` asks for a handle that only reads (an SQLite file is then opened `mode=ro`
    and nothing is written to its disk); other backends read through their usual handle."""
    if not isinstance(url, str) or not url:
        raise StoreUrlError(str(url), "a store URL is required (e.g. memory:)")
    scheme = url.split(":", 1)[0].lower()
    if scheme == "memory":
        return MemoryEventStore(snapshot_policy, deleted_types, url="memory:")
    if scheme == "sqlite":
        try:
            from domain.store.sqlite import SQLiteEventStore
        except ImportError as exc:
            raise StoreUrlError(url, "the SQLite backend is not available") from exc
        store: EventStore = SQLiteEventStore.open(
            url, snapshot_policy=snapshot_policy, deleted_types=deleted_types, read_only=read_only
        )
        return store
    if scheme in ("postgresql", "postgres"):
        from domain.store.postgres import PostgresEventStore

        return PostgresEventStore.open(
            url, snapshot_policy=snapshot_policy, deleted_types=deleted_types
        )
    if scheme in ("eventsourcing+sqlite", "eventsourcing+postgresql"):
        # a database the `eventsourcing` library wrote, shown as it is and read-only
        from domain.foreign import open_eventsourcing

        return open_eventsourcing(url, snapshot_policy=snapshot_policy, deleted_types=deleted_types)
    raise StoreUrlError(
        url, f"unknown scheme {scheme!r}; use memory:, sqlite:///FILE or postgresql://..."
    )
