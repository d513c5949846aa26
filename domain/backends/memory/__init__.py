"""The memory backend: everything lives in this process and ends with it."""

from __future__ import annotations

from collections.abc import Iterable

from domain.backends.base import Backend
from domain.backends.memory.store import MemoryEventStore
from domain.core.protocol import EventStore
from domain.core.records import SnapshotPolicy


class MemoryBackend(Backend):
    """`memory:` — a store, keys and read models in this process's memory."""

    scheme = "memory"
    durable = False

    def open_store(
        self,
        snapshot_policy: SnapshotPolicy | None = None,
        deleted_types: Iterable[str] = (),
        read_only: bool = False,
    ) -> EventStore:
        store = MemoryEventStore(snapshot_policy, deleted_types, url="memory:")
        self.bind(store, read_only)
        return store
