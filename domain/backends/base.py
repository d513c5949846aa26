"""The `Backend` port: everything that differs between storage backends, chosen once per
store URL (`backend_for`), so the composition root and the front ends never look at a
URL's scheme or probe a store for optional attributes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from domain.core.errors import EventStoreError
from domain.core.protocol import EventStore
from domain.core.records import SnapshotPolicy
from domain.core.row_sealing import RowSealer, SealedRowStorage
from domain.core.shredding.keys import KeyStore, MemoryKeyStore
from domain.core.views import MemoryRowStorage, RowStorage

TYPES_PAGE = 5000
"""Events read at a time when listing a store's event types by reading its log."""


class Backend(ABC):
    """One storage backend: how to open its store, keys and read-model storage."""

    scheme: str = ""
    durable: bool = False
    """Whether what is written outlives this process (and other processes may share it)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._store: EventStore | None = None
        self._read_only = False

    @property
    def shown_url(self) -> str:
        """The URL as it may be shown or logged (any password masked)."""
        return self.url

    @abstractmethod
    def open_store(
        self,
        snapshot_policy: SnapshotPolicy | None = None,
        deleted_types: Iterable[str] = (),
        read_only: bool = False,
    ) -> EventStore:
        """Open the store the URL names."""

    def bind(self, store: EventStore, read_only: bool) -> None:
        """Remember the store (opened here or given to the composition root) and whether it
        is used read-only: the storages and files below depend on both."""
        self._store = store
        self._read_only = read_only

    def open_keys(
        self, store: EventStore, key_store: str | None, read_only: bool, restoring: bool
    ) -> KeyStore:
        """The key store going with `store` (KeyStoreBindingError if it does not go with it)."""
        del store, key_store, read_only, restoring
        return MemoryKeyStore()

    def rows_home(self) -> str | None:
        """Where a read model may keep its rows with the store, for a domain's own storage
        of them (the file's path, the database's URL; None: in this process's memory only —
        a store that is not durable, or one opened read-only)."""
        return None

    def _rows(self, name: str) -> RowStorage:
        """The backend's own (unsealed) storage of one generic read model's rows."""
        del name
        return MemoryRowStorage()

    def kept_rows_home(self) -> str | None:
        """Where read models' rows kept with the store can still be read when this process
        keeps its own read models elsewhere (it may not write the store: a full disk, a
        read-only file system); None when `rows_home` is that place, or there is none."""
        return None

    def kept_rows(self, name: str) -> RowStorage | None:
        """Read model `name`'s rows as kept at `kept_rows_home`, opened for reading only (the
        caller closes it); None when there is no such place."""
        del name
        return None

    def row_storage(self, name: str, sealer: RowSealer | None = None) -> RowStorage:
        """The storage of read model `name`'s rows, its private columns sealed by `sealer`."""
        rows = self._rows(name)
        return rows if sealer is None else SealedRowStorage(rows, sealer)

    def erasure_files(self, key_store: str | None) -> list[tuple[str, Path]]:
        """The files an erasure check scans for residues (place name, path)."""
        del key_store
        return []

    def start_watching(self, store: EventStore) -> Any:
        """Deliver other processes' commits to subscribers; the callable stops it (None:
        nothing to watch, or nothing to stop)."""
        del store
        return None

    def read_only_reason(self, store: EventStore) -> str | None:
        """Why the store can only be read (None: it can be written)."""
        del store
        return None

    def unreadable(self, store: EventStore) -> int:
        """How many events in damaged pages could not be read so far (skipped)."""
        del store
        return 0

    def damage(self, store: EventStore) -> str | None:
        """What is damaged in the store's file (None: nothing known)."""
        del store
        return None

    def checking(self, store: EventStore) -> bool:
        """Whether the store's file is still being checked (its writes wait for the check)."""
        del store
        return False

    def event_types(self, store: EventStore) -> frozenset[str] | None:
        """The distinct event types the store holds (None: the log cannot be read). This
        default reads the whole log a page at a time; a backend with a query does better."""
        types: set[str] = set()
        position = 1
        try:
            while page := store.read_all(position, TYPES_PAGE):
                types.update(record.type for record in page)
                position = page[-1].position + 1
        except EventStoreError:
            return None
        return frozenset(types)

    @property
    def raw_only(self) -> bool:
        """Whether the store is foreign: shown as stored, never with a domain."""
        return False


def has_events(store: EventStore) -> bool:
    """Whether the store holds events (a damaged file is assumed to)."""
    try:
        return store.head_position() > 0
    except EventStoreError:
        return True
