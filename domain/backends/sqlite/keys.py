"""The SQLite key store: per-stream data keys in their own SQLite file."""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol  # noqa: F401

from domain.backends.sqlite.faults import translate
from domain.backends.sqlite.schema import connect_read_only
from domain.core.errors import StorageFullError, StoreReadOnlyError
from domain.core.shredding.keys import KEY_BYTES, KeyDestroyedError, KeyStoreError

KEYS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS stream_keys (stream_id TEXT PRIMARY KEY, key BLOB NOT NULL, "
    "created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS destroyed_keys (stream_id TEXT PRIMARY KEY, "
    "destroyed_at TEXT NOT NULL)",
    # key 'store_id': the event store these keys belong to, recorded on first pairing
    "CREATE TABLE IF NOT EXISTS key_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
KEYS_APPLICATION_ID = 0x6B657973  # "keys"


class SQLiteKeyStore:
    """Keys in their own SQLite file (by default beside the store: `<store>.keys`).

    `secure_delete` zeroes a destroyed key's bytes in the file, and the WAL is checkpointed and
    truncated after each destroy so no old page keeps a copy. `read_only` opens an existing
    file with `mode=ro` and writes nothing beside it (not even a WAL index when the disk is
    full or read-only); creating or destroying keys then raises KeyStoreError."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._lock = threading.Lock()
        self._cache: dict[str, bytes] = {}
        if self.path.exists() and self.path.stat().st_size > 0:
            self._check_file()
        elif read_only:
            raise KeyStoreError(f"there is no key store at {self.path}")
        if read_only:
            self._open_read_only()
            return
        try:
            self._db = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False, timeout=10.0
            )
            for pragma in (
                "journal_mode=WAL",
                "synchronous=FULL",
                "secure_delete=ON",
                "busy_timeout=10000",
            ):
                self._db.execute(f"PRAGMA {pragma}")
            self._db.execute("BEGIN IMMEDIATE")
            for statement in KEYS_SCHEMA:
                self._db.execute(statement)
            self._db.execute(f"PRAGMA application_id = {KEYS_APPLICATION_ID}")
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self._fault(exc) from exc

    def _fault(self, exc: sqlite3.Error) -> Exception:
        """A full disk or a read-only file system as the store's own errors (the same
        answer as for the events), anything else as KeyStoreError."""
        fault = translate(exc, str(self.path), self.path)
        if isinstance(fault, StorageFullError | StoreReadOnlyError):
            return fault
        return KeyStoreError(f"cannot use the key store {self.path}: {exc}")

    def _open_read_only(self) -> None:
        try:
            self._db, _ = connect_read_only(self.path, when_idle=True)
            tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master")}
        except sqlite3.Error as exc:
            raise KeyStoreError(f"cannot open the key store {self.path}: {exc}") from exc
        if not {"stream_keys", "destroyed_keys"} <= tables:
            self._db.close()
            raise KeyStoreError(f"the key store {self.path} holds no key tables")
        self._has_meta = "key_meta" in tables

    def _writable(self) -> None:
        if self.read_only:
            raise StoreReadOnlyError(str(self.path), "the key store was opened for reading")

    def paired_store(self) -> str | None:
        """The id of the event store these keys belong to (None: never paired)."""
        if self.read_only and not self._has_meta:
            return None
        with self._lock:
            row = self._db.execute("SELECT value FROM key_meta WHERE key = 'store_id'").fetchone()
        return str(row[0]) if row else None

    def pair(self, store_id: str) -> None:
        """Record that these keys belong to the event store `store_id` (first pairing)."""
        self._writable()
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO key_meta (key, value) VALUES ('store_id', ?)", (store_id,)
            )

    def is_empty(self) -> bool:
        """Whether no key was ever made or destroyed here."""
        with self._lock:
            return not self._db.execute(
                "SELECT 1 FROM stream_keys UNION ALL SELECT 1 FROM destroyed_keys LIMIT 1"
            ).fetchone()

    def _check_file(self) -> None:
        try:
            probe, _ = connect_read_only(self.path, when_idle=True)
            try:
                (app_id,) = probe.execute("PRAGMA application_id").fetchone()
            finally:
                probe.close()
        except sqlite3.Error as exc:
            raise KeyStoreError(f"{self.path} is not an es-tui key store: {exc}") from exc
        if app_id != KEYS_APPLICATION_ID:
            raise KeyStoreError(f"{self.path} is not an es-tui key store")

    def key_for(self, stream_id: str) -> bytes | None:
        with self._lock:
            key = self._cache.get(stream_id)
            if key is None:
                row = self._db.execute(
                    "SELECT key FROM stream_keys WHERE stream_id = ?", (stream_id,)
                ).fetchone()
                if row is not None:
                    key = self._cache[stream_id] = bytes(row[0])
            return key

    def create_key(self, stream_id: str) -> bytes:
        existing = self.key_for(stream_id)
        if existing is not None:
            return existing
        self._writable()
        try:
            return self._create_key(stream_id)
        except sqlite3.Error as exc:
            raise self._fault(exc) from exc

    def _create_key(self, stream_id: str) -> bytes:
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                if db.execute(
                    "SELECT 1 FROM destroyed_keys WHERE stream_id = ?", (stream_id,)
                ).fetchone():
                    raise KeyDestroyedError(stream_id)
                db.execute(
                    "INSERT OR IGNORE INTO stream_keys(stream_id, key, created_at) "
                    "VALUES (?, ?, ?)",
                    (stream_id, os.urandom(KEY_BYTES), datetime.now(UTC).isoformat()),
                )
                (key,) = db.execute(
                    "SELECT key FROM stream_keys WHERE stream_id = ?", (stream_id,)
                ).fetchone()
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            self._cache[stream_id] = bytes(key)
            return bytes(key)

    def destroy(self, stream_id: str) -> bool:
        self._writable()
        try:
            return self._destroy(stream_id)
        except sqlite3.Error as exc:
            raise self._fault(exc) from exc

    def _destroy(self, stream_id: str) -> bool:
        with self._lock:
            self._cache.pop(stream_id, None)
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                gone = db.execute("DELETE FROM stream_keys WHERE stream_id = ?", (stream_id,))
                db.execute(
                    "INSERT OR IGNORE INTO destroyed_keys(stream_id, destroyed_at) VALUES (?, ?)",
                    (stream_id, datetime.now(UTC).isoformat()),
                )
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            # Old WAL frames still hold the key's page: copy back and truncate the log.
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return gone.rowcount > 0

    def is_destroyed(self, stream_id: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM destroyed_keys WHERE stream_id = ?", (stream_id,)
            ).fetchone()
            return row is not None

    def forget_cached(self, stream_id: str) -> None:
        with self._lock:
            self._cache.pop(stream_id, None)

    def close(self) -> None:
        with self._lock:
            self._cache.clear()
            self._db.close()
