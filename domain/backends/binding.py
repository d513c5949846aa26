"""Pairing a key store with its event store.

Each event store has an id made with its schema; its key store records that id the first
time they are used together. A store that holds events but whose key store is missing,
new and empty, or paired with another store is a configuration error: writing would seal
new values under keys the real key store does not know (and those values would read as
corrupted once the right keys were back). Such a pairing is refused for writing; reading
may go on with no key at all (every private value then reads as redacted).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from domain.core.shredding.keys import (
    KeyStore,
    KeyStoreBindingError,
    KeyStoreError,
    KeyStoreMismatchError,
    KeyStoreMissingError,
    KeyStoreUnreadableError,
    MemoryKeyStore,
)

if TYPE_CHECKING:
    pass


class DetachedKeyStore:
    """Stands in for a key store that does not go with the event store: it knows no key
    and refuses to make or destroy one, with the error that explains why."""

    def __init__(self, error: KeyStoreBindingError) -> None:
        self.error = error

    def key_for(self, stream_id: str) -> bytes | None:
        return None

    def create_key(self, stream_id: str) -> bytes:
        raise self.error

    def destroy(self, stream_id: str) -> bool:
        raise self.error

    def is_destroyed(self, stream_id: str) -> bool:
        return False

    def forget_cached(self, stream_id: str) -> None:
        """Nothing is cached."""

    def close(self) -> None:
        """Nothing to release."""


def _has_keys_file(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


def open_sqlite_keys(
    path: Path,
    *,
    store_url: str,
    store_id: str | None,
    has_events: bool,
    read_only: bool,
    adopt: Callable[[str], None] | None = None,
) -> KeyStore:
    """The SQLite key store at `path`, checked against the event store it serves.

    Raises KeyStoreMissingError when the store holds events and the file is missing or
    holds no key, KeyStoreMismatchError when it is paired with another store; in both
    cases nothing is created or changed at `path`. A new file is made (and paired) only
    beside a store without events; an old file without a pairing is paired now. `adopt`
    (an import restoring a store with its own key store) gives an empty event store the
    id the key store is paired with instead of refusing."""
    from domain.backends.sqlite.keys import SQLiteKeyStore

    where = str(path)
    if not _has_keys_file(path):
        if has_events:
            empty = path.is_file()  # there, but with no byte in it
            raise KeyStoreMissingError(where, store_url, "is empty" if empty else "is missing")
        if read_only:
            return MemoryKeyStore()  # an empty store: no key to read, none to make here
        keys = SQLiteKeyStore(path)
        if store_id is not None:
            keys.pair(store_id)
        return keys
    # Decide on a read-only look, so a refused pairing leaves the file untouched.
    try:
        probe = SQLiteKeyStore(path, read_only=True)
    except KeyStoreBindingError:
        raise
    except KeyStoreError as exc:  # a damaged file, or not a key store at all
        cause = f": {exc.__cause__}" if exc.__cause__ is not None else ""
        raise KeyStoreUnreadableError(
            where, store_url, f"is not a readable es-tui key store{cause}"
        ) from exc
    try:
        paired = probe.paired_store()
        empty = probe.is_empty()
    finally:
        probe.close()
    if paired is None and empty and has_events:
        raise KeyStoreMissingError(where, store_url, "holds no keys")
    if paired is not None and store_id is not None and paired != store_id:
        if adopt is None or has_events or read_only:
            raise KeyStoreMismatchError(where, store_url, store_id, paired)
        adopt(paired)
    keys = SQLiteKeyStore(path, read_only=read_only)
    if paired is None and store_id is not None and not read_only:
        keys.pair(store_id)
    return keys


def open_postgres_keys(
    url: str, *, store_url: str, where: str, store_id: str | None, has_events: bool
) -> KeyStore:
    """The PostgreSQL key store at `url` (the store's own database, or another one), checked
    against its event store like `open_sqlite_keys`; its tables are made only once the
    pairing is accepted."""
    from domain.backends.postgres.keys import PostgresKeyStore

    paired, empty = PostgresKeyStore.inspect(url)
    if paired is None and empty and has_events:
        raise KeyStoreMissingError(where, store_url, "holds no keys")
    if paired is not None and store_id is not None and paired != store_id:
        raise KeyStoreMismatchError(where, store_url, store_id, paired)
    keys = PostgresKeyStore(url)
    if paired is None and store_id is not None:
        keys.pair(store_id)
    return keys
