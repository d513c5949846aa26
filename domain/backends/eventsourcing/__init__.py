"""Databases the `eventsourcing` library wrote: read-only, always shown raw."""

from __future__ import annotations

from collections.abc import Iterable

from domain.backends.base import Backend
from domain.backends.postgres.schema import mask
from domain.core.protocol import EventStore
from domain.core.records import SnapshotPolicy

READ_ONLY = "an eventsourcing library database is shown as stored, read-only"


class ForeignBackend(Backend):
    """`eventsourcing+sqlite:///app.db` or `eventsourcing+postgresql://...`."""

    durable = True

    def __init__(self, url: str, scheme: str) -> None:
        super().__init__(url)
        self.scheme = scheme

    @property
    def shown_url(self) -> str:
        return mask(self.url)

    def open_store(
        self,
        snapshot_policy: SnapshotPolicy | None = None,
        deleted_types: Iterable[str] = (),
        read_only: bool = False,
    ) -> EventStore:
        from domain.backends.eventsourcing.opening import open_eventsourcing

        store = open_eventsourcing(
            self.url, snapshot_policy=snapshot_policy, deleted_types=deleted_types
        )
        self.bind(store, True)
        return store

    def read_only_reason(self, store: EventStore) -> str | None:
        del store
        return READ_ONLY

    @property
    def raw_only(self) -> bool:
        return True
