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
        except psycopg.Error as exc:
            self._db.close()
            raise KeyStoreError(f"cannot prepare the key store: {exc}") from exc

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
