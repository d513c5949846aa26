"""Stores written by other event-sourcing libraries, opened as they are and read-only."""

from __future__ import annotations

from collections.abc import Iterable

from domain.core.errors import StoreUrlError
from domain.core.protocol import EventStore
from domain.core.records import SnapshotPolicy


def open_eventsourcing(
    url: str,
    *,
    snapshot_policy: SnapshotPolicy | None = None,
    deleted_types: Iterable[str] = (),
) -> EventStore:
    """Open, read-only, a database the `eventsourcing` library wrote:
    `eventsourcing+sqlite:///app.db` or `eventsourcing+postgresql://...?app=NAME`."""
    scheme = url.split(":", 1)[0].lower()
    if scheme == "eventsourcing+sqlite":
        from domain.backends.eventsourcing.sqlite import EventsourcingSQLiteStore

        return EventsourcingSQLiteStore.open(
            url, snapshot_policy=snapshot_policy, deleted_types=deleted_types
        )
    if scheme == "eventsourcing+postgresql":
        from domain.backends.eventsourcing.postgres import EventsourcingPostgresStore

        return EventsourcingPostgresStore.open(
            url, snapshot_policy=snapshot_policy, deleted_types=deleted_types
        )
    raise StoreUrlError(url, "not an eventsourcing+sqlite: or eventsourcing+postgresql: URL")
