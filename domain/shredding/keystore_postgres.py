"""Per-stream keys in PostgreSQL tables, apart from the events: by default in the store's own
database (its `?schema=` included), or — with a second URL — in a separate database that a
deployment secures and backs up on its own terms."""

from __future__ import annotations

import os
import threading
from typing import Any

import psycopg
from psycopg import sql

from domain.shredding.keystore import KEY_BYTES, KeyDestroyedError, KeyStoreError
from domain.store.postgres_schema import connect, parse_url


class PostgresKeyStore:
    """Keys in tables `es_stream_keys` / `es_destroyed_keys` of a PostgreSQL database."""

    def __init__(self, url: str) -> None:
        target = parse_url(url)
        where = (target.schema,) if target.schema else ()
        self._keys = sql.Identifier(*where, "es_stream_keys")
        self._destroyed = sql.Identifier(*where, "es_destroyed_keys")
        self._meta = sql.Identifier(*where, "es_key_meta")
        self._lock = threading.Lock()
        self._cache: dict[str, bytes] = {}
        self._db: psycopg.Connection[Any] = connect(target)
        try:
            with self._db.transaction():
                if target.schema:
                    self._db.execute(
                        sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                            sql.Identifier(target.schema)
                        )
                    )
                self._db.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {} (stream_id text PRIMARY KEY, "
                        "key bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
                    ).format(self._keys)
                )
                self._db.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {} (stream_id text PRIMARY KEY, "
                        "destroyed_at timestamptz NOT NULL DEFAULT now())"
                    ).format(self._destroyed)
                )
                self._db.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {} (key text PRIMARY KEY, value text NOT NULL)"
                    ).format(self._meta)
                )
        except psycopg.Error as exc:
            self._db.close()
            raise KeyStoreError(f"cannot prepare the key store: {exc}") from exc

    @staticmethod
    def inspect(url: str) -> tuple[str | None, bool]:
        """The id of the event store the key tables at `url` are paired with (None: never
        paired or no tables) and whether they hold no key at all, creating nothing."""
        target = parse_url(url)
        where = (target.schema,) if target.schema else ()
        names = [".".join((*where, n)) for n in ("es_stream_keys", "es_destroyed_keys")]
        meta = ".".join((*where, "es_key_meta"))
        try:
            with connect(target) as db:
                found = db.execute(
                    "SELECT to_regclass(%s) IS NOT NULL, to_regclass(%s) IS NOT NULL,"
                    " to_regclass(%s) IS NOT NULL",
                    (*names, meta),
                ).fetchone()
                keys, destroyed, has_meta = found or (False, False, False)
                empty = (
                    not (keys and destroyed)
                    or not db.execute(
                        sql.SQL("SELECT 1 FROM {} UNION ALL SELECT 1 FROM {} LIMIT 1").format(
                            sql.Identifier(*where, "es_stream_keys"),
                            sql.Identifier(*where, "es_destroyed_keys"),
                        )
                    ).fetchone()
                )
                paired = None
                if has_meta:
                    row = db.execute(
                        sql.SQL("SELECT value FROM {} WHERE key = 'store_id'").format(
                            sql.Identifier(*where, "es_key_meta")
                        )
                    ).fetchone()
                    paired = str(row[0]) if row else None
        except psycopg.Error as exc:
            raise KeyStoreError(f"cannot read the key store: {exc}") from exc
        return paired, empty

    def pair(self, store_id: str) -> None:
        """Record that these keys belong to the event store `store_id` (first pairing)."""
        with self._lock:
            self._db.execute(
                sql.SQL(
                    "INSERT INTO {} VALUES ('store_id', %s) ON CONFLICT (key) DO NOTHING"
                ).format(self._meta),
                (store_id,),
            )

    def key_for(self, stream_id: str) -> bytes | None:
        with self._lock:
            key = self._cache.get(stream_id)
            if key is None:
                row = self._db.execute(
                    sql.SQL("SELECT key FROM {} WHERE stream_id = %s").format(self._keys),
                    (stream_id,),
                ).fetchone()
                if row is not None:
                    key = self._cache[stream_id] = bytes(row[0])
            return key

    def create_key(self, stream_id: str) -> bytes:
        existing = self.key_for(stream_id)
        if existing is not None:
            return existing
        with self._lock, self._db.transaction():
            if self._db.execute(
                sql.SQL("SELECT 1 FROM {} WHERE stream_id = %s").format(self._destroyed),
                (stream_id,),
            ).fetchone():
                raise KeyDestroyedError(stream_id)
            self._db.execute(
                sql.SQL(
                    "INSERT INTO {} (stream_id, key) VALUES (%s, %s) "
                    "ON CONFLICT (stream_id) DO NOTHING"
                ).format(self._keys),
                (stream_id, os.urandom(KEY_BYTES)),
            )
            row = self._db.execute(
                sql.SQL("SELECT key FROM {} WHERE stream_id = %s").format(self._keys),
                (stream_id,),
            ).fetchone()
            assert row is not None
            key = self._cache[stream_id] = bytes(row[0])
            return key

    def destroy(self, stream_id: str) -> bool:
        with self._lock, self._db.transaction():
            self._cache.pop(stream_id, None)
            gone = self._db.execute(
                sql.SQL("DELETE FROM {} WHERE stream_id = %s").format(self._keys),
                (stream_id,),
            )
            self._db.execute(
                sql.SQL(
                    "INSERT INTO {} (stream_id) VALUES (%s) ON CONFLICT (stream_id) DO NOTHING"
                ).format(self._destroyed),
                (stream_id,),
            )
            return gone.rowcount > 0

    def is_destroyed(self, stream_id: str) -> bool:
        with self._lock:
            row = self._db.execute(
                sql.SQL("SELECT 1 FROM {} WHERE stream_id = %s").format(self._destroyed),
                (stream_id,),
            ).fetchone()
            return row is not None

    def forget_cached(self, stream_id: str) -> None:
        with self._lock:
            self._cache.pop(stream_id, None)

    def close(self) -> None:
        with self._lock:
            self._cache.clear()
            self._db.close()
