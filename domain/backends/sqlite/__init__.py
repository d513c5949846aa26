"""The SQLite backend: one file holds the events, snapshots and read models; the keys live
in a file beside it (`<store>.keys`) unless another is named."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

from domain.backends.base import Backend, has_events
from domain.backends.binding import open_sqlite_keys
from domain.backends.sqlite.schema import connect_read_only, distinct_types
from domain.backends.sqlite.store import SQLiteEventStore
from domain.core.errors import StoreUrlError
from domain.core.protocol import EventStore
from domain.core.records import SnapshotPolicy
from domain.core.shredding.keys import KeyStore
from domain.core.views import MemoryRowStorage, RowStorage


class SQLiteBackend(Backend):
    """`sqlite:///path.db` — a file shared by every process that opens it."""

    scheme = "sqlite"
    durable = True

    def open_store(
        self,
        snapshot_policy: SnapshotPolicy | None = None,
        deleted_types: Iterable[str] = (),
        read_only: bool = False,
    ) -> EventStore:
        store = SQLiteEventStore.open(
            self.url,
            snapshot_policy=snapshot_policy,
            deleted_types=deleted_types,
            read_only=read_only,
        )
        self.bind(store, read_only)
        return store

    def _sqlite(self, store: EventStore | None = None) -> SQLiteEventStore:
        found = store if store is not None else self._store
        if not isinstance(found, SQLiteEventStore):
            raise StoreUrlError(self.url, "no SQLite store is open on this backend")
        return found

    @property
    def path(self) -> Path:
        """The store file."""
        return Path(self._sqlite().path)

    def _keys_path(self, key_store: str | None) -> Path:
        return Path(key_store) if key_store else self.path.with_name(self.path.name + ".keys")

    def open_keys(
        self, store: EventStore, key_store: str | None, read_only: bool, restoring: bool
    ) -> KeyStore:
        sqlite = self._sqlite(store)
        adopt: Callable[[str], None] | None = sqlite.adopt_id if restoring else None
        return open_sqlite_keys(
            self._keys_path(key_store),
            store_url=store.url,
            store_id=sqlite.store_id,
            has_events=has_events(store),
            read_only=read_only,
            adopt=adopt,
        )

    def _writable(self) -> bool:
        # Read-only, read models cannot be kept in the store file: rebuilt in memory.
        return not self._read_only and self._sqlite().read_only is None

    def rows_home(self) -> str | None:
        return str(self.path) if self._writable() else None

    def kept_rows_home(self) -> str | None:
        return None if self._writable() else str(self.path)

    def kept_rows(self, name: str) -> RowStorage | None:
        if self._writable():
            return None
        from domain.backends.sqlite.read_models import SQLiteRowStorage

        return SQLiteRowStorage(self.path, name, read_only=True)

    def _rows(self, name: str) -> RowStorage:
        if not self._writable():
            return MemoryRowStorage()
        from domain.backends.sqlite.read_models import SQLiteRowStorage

        return SQLiteRowStorage(self.path, name)

    def erasure_files(self, key_store: str | None) -> list[tuple[str, Path]]:
        db, keys = self.path, self._keys_path(key_store)
        return [
            ("store file", db),
            ("store WAL", db.with_name(db.name + "-wal")),
            ("key store file", keys),
            ("key store WAL", keys.with_name(keys.name + "-wal")),
        ]

    def start_watching(self, store: EventStore) -> Callable[[], None] | None:
        sqlite = self._sqlite(store)
        sqlite.start_polling()
        return sqlite.stop_polling

    def read_only_reason(self, store: EventStore) -> str | None:
        return self._sqlite(store).read_only

    def event_types(self, store: EventStore) -> frozenset[str] | None:
        # A damaged file's types are not known: reading around its damage is the store's
        # work, done (and counted) when events are shown.
        try:
            conn, _ = connect_read_only(Path(self._sqlite(store).path), when_idle=True)
        except sqlite3.Error:
            return None
        try:
            return frozenset(distinct_types(conn))
        except sqlite3.Error:
            return None
        finally:
            conn.close()

    def unreadable(self, store: EventStore) -> int:
        return self._sqlite(store).unreadable

    def damage(self, store: EventStore) -> str | None:
        sqlite = self._sqlite(store)
        check = sqlite.check
        if sqlite.damage is None and check is not None and not check.running:
            return check.damage  # found by the background check, before any write asked
        return sqlite.damage

    def checking(self, store: EventStore) -> bool:
        check = self._sqlite(store).check
        return check is not None and check.running
