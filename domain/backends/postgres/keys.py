"""Per-stream keys in PostgreSQL tables, apart from the events: by default in the store's own
database (its `?schema=` included), or — with a second URL — in a separate database that a
deployment secures and backs up on its own terms.

The database never holds a key in the clear: each is wrapped under a key-encryption key kept
in a file outside it (`domain.backends.postgres.kek`). Destroying a key re-wraps every other
key under a new KEK, in one transaction, and then destroys the old KEK file. PostgreSQL keeps
deleted row versions in its heap until VACUUM, and in its WAL, replicas and backups for longer;
what those copies hold of a forgotten key is its wrapped form, under a KEK that no longer
exists.

A dropped connection (a server restart) is made again on the next call; while the server is
away calls raise StoreUnavailableError.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

import psycopg
from psycopg import sql

from domain.backends.postgres.kek import KekFiles, check_value, default_kek_dir, unwrap, wrap
from domain.backends.postgres.schema import connect, connection_lost, first_line, parse_url
from domain.core.errors import StoreUnavailableError, StoreUrlError
from domain.core.shredding.keys import KEY_BYTES, KeyDestroyedError, KeyStoreError

T = TypeVar("T")
Lock = Literal["", "FOR SHARE", "FOR UPDATE"]
REWRAP_BATCH: Final = 5000
_CREATE_LOCK: Final = 0x4553_544B  # serializes concurrent first opens


class PostgresKeyStore:
    """Wrapped keys in `es_wrapped_keys`, forgotten streams in `es_destroyed_keys`, and the
    current KEK generation in `es_kek`, in a PostgreSQL database; KEK files in `kek_dir`
    (default: `default_kek_dir()`)."""

    def __init__(self, url: str, *, kek_dir: str | Path | None = None) -> None:
        self._target = parse_url(url)
        where = (self._target.schema,) if self._target.schema else ()
        self._keys = sql.Identifier(*where, "es_wrapped_keys")
        self._destroyed = sql.Identifier(*where, "es_destroyed_keys")
        self._kek_table = sql.Identifier(*where, "es_kek")
        self._legacy = sql.Identifier(*where, "es_stream_keys")
        self._kek_dir = Path(kek_dir) if kek_dir is not None else default_kek_dir()
        self._meta = sql.Identifier(*where, "es_key_meta")
        self._lock = threading.Lock()
        self._cache: dict[str, bytes] = {}
        self._db: psycopg.Connection[Any] | None = None
        self.generation = 0
        """The KEK generation this handle uses (the database's, as last seen)."""
        self._kek = b""
        self.files = KekFiles(self._kek_dir, "")
        self._db = connect(
            self._target, part="keys"
        )  # a bad URL or password is a StoreUrlError here
        try:
            with self._lock:
                self._run(self._prepare)
        except psycopg.Error as exc:
            self.close()
            raise KeyStoreError(f"cannot prepare the key store: {first_line(exc)}") from exc
        except BaseException:
            self.close()
            raise
        self.files.destroy_below(self.generation)  # left by a crash after a rotation

    # -- connection ----------------------------------------------------------------------

    def _run(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        """Run `work` on the connection, made again once if the server dropped it; holds
        `_lock`. Every `work` is safe to run twice (a commit may have been lost in flight)."""
        for attempt in (0, 1):
            try:
                if self._db is None or self._db.closed or self._db.broken:
                    if self._db is not None:
                        self._db.close()
                    self._db = connect(self._target, part="keys")
                return work(self._db)
            except StoreUrlError as exc:
                raise StoreUnavailableError(self._target.shown, exc.reason) from None
            except psycopg.OperationalError as exc:
                if self._db is None or not (self._db.broken or connection_lost(exc)):
                    raise  # the statement failed, not the connection
                if attempt:
                    raise StoreUnavailableError(self._target.shown, first_line(exc)) from None
        raise AssertionError("unreachable")

    def _prepare(self, db: psycopg.Connection[Any]) -> None:
        """Tables, the KEK of the current generation (the first one made now), and keys of
        an older store that kept them in the clear wrapped and their table dropped."""
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_CREATE_LOCK,))
            if self._target.schema:
                db.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                        sql.Identifier(self._target.schema)
                    )
                )
            db.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (id smallint PRIMARY KEY CHECK (id = 1), "
                    "kek_id text NOT NULL, generation bigint NOT NULL, check_value bytea NOT NULL)"
                ).format(self._kek_table)
            )
            db.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (stream_id text PRIMARY KEY, "
                    "generation bigint NOT NULL, wrapped bytea NOT NULL, "
                    "created_at timestamptz NOT NULL DEFAULT now())"
                ).format(self._keys)
            )
            db.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (stream_id text PRIMARY KEY, "
                    "destroyed_at timestamptz NOT NULL DEFAULT now())"
                ).format(self._destroyed)
            )
            db.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (key text PRIMARY KEY, value text NOT NULL)"
                ).format(self._meta)
            )
            row = db.execute(
                sql.SQL("SELECT kek_id, generation, check_value FROM {}").format(self._kek_table)
            ).fetchone()
            if row is None:
                kek_id, generation = uuid.uuid4().hex, 1
                self.files = KekFiles(self._kek_dir, kek_id)
                kek = self.files.create(generation)
                db.execute(
                    sql.SQL("INSERT INTO {} VALUES (1, %s, %s, %s)").format(self._kek_table),
                    (kek_id, generation, check_value(kek, kek_id, generation)),
                )
            else:
                kek_id, generation, check = row[0], int(row[1]), bytes(row[2])
                self.files = KekFiles(self._kek_dir, kek_id)
                kek = self.files.load(generation, check)
            self.generation, self._kek = generation, kek
            self._migrate_legacy(db)

    def _migrate_legacy(self, db: psycopg.Connection[Any]) -> None:
        found = db.execute(
            "SELECT to_regclass(%s) IS NOT NULL", (self._legacy.as_string(db),)
        ).fetchone()
        if not found or not found[0]:
            return
        rows = db.execute(sql.SQL("SELECT stream_id, key FROM {}").format(self._legacy)).fetchall()
        with db.cursor() as cur:
            cur.executemany(
                sql.SQL(
                    "INSERT INTO {} (stream_id, generation, wrapped) VALUES (%s, %s, %s) "
                    "ON CONFLICT (stream_id) DO NOTHING"
                ).format(self._keys),
                [(s, self.generation, self._wrap(s, bytes(k))) for s, k in rows],
            )
        db.execute(sql.SQL("DROP TABLE {}").format(self._legacy))  # its heap file goes too

    # -- wrapping ------------------------------------------------------------------------

    def _aad(self, stream_id: str) -> bytes:
        return f"{self.files.kek_id}:{stream_id}".encode()

    def _wrap(self, stream_id: str, key: bytes, kek: bytes | None = None) -> bytes:
        return wrap(kek or self._kek, key, self._aad(stream_id))

    def _current(self, db: psycopg.Connection[Any], *, lock: Lock) -> None:
        """Follow a rotation made elsewhere: load the KEK the database names."""
        row = db.execute(
            sql.SQL("SELECT generation, check_value FROM {} {}").format(
                self._kek_table, sql.SQL(lock)
            )
        ).fetchone()
        if row is None:
            raise KeyStoreError("the key store's es_kek row is missing")
        if int(row[0]) != self.generation:
            self._kek = self.files.load(int(row[0]), bytes(row[1]))
            self.generation = int(row[0])
            # The database moved on: no older KEK may outlive it here (a rotation whose
            # commit reply was lost left its old file behind).
            self.files.destroy_below(self.generation)

    def _unwrap_row(self, db: psycopg.Connection[Any], stream_id: str, row: Any) -> bytes:
        generation, wrapped = int(row[0]), bytes(row[1])
        if generation != self.generation:
            self._current(db, lock="")
        return unwrap(self._kek, wrapped, self._aad(stream_id))

    # -- the KeyStore protocol -----------------------------------------------------------

    @staticmethod
    def inspect(url: str) -> tuple[str | None, bool]:
        """The id of the event store the key tables at `url` are paired with (None: never
        paired or no tables) and whether they hold no key at all, creating nothing."""
        target = parse_url(url)
        where = (target.schema,) if target.schema else ()
        tables = ("es_wrapped_keys", "es_stream_keys", "es_destroyed_keys")
        meta = ".".join((*where, "es_key_meta"))
        try:
            with connect(target) as db:
                present = [
                    name
                    for name in tables
                    if (
                        found := db.execute(
                            "SELECT to_regclass(%s) IS NOT NULL", (".".join((*where, name)),)
                        ).fetchone()
                    )
                    and found[0]
                ]
                has_meta_row = db.execute("SELECT to_regclass(%s) IS NOT NULL", (meta,)).fetchone()
                has_meta = bool(has_meta_row and has_meta_row[0])
                empty = (
                    not present
                    or not db.execute(
                        sql.SQL(" UNION ALL ").join(
                            sql.SQL("(SELECT 1 FROM {} LIMIT 1)").format(sql.Identifier(*where, n))
                            for n in present
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

        def record(db: psycopg.Connection[Any]) -> None:
            with db.transaction():
                db.execute(
                    sql.SQL(
                        "INSERT INTO {} VALUES ('store_id', %s) ON CONFLICT (key) DO NOTHING"
                    ).format(self._meta),
                    (store_id,),
                )

        with self._lock:
            self._run(record)

    def key_for(self, stream_id: str) -> bytes | None:
        def read(db: psycopg.Connection[Any]) -> bytes | None:
            row = db.execute(
                sql.SQL("SELECT generation, wrapped FROM {} WHERE stream_id = %s").format(
                    self._keys
                ),
                (stream_id,),
            ).fetchone()
            return None if row is None else self._unwrap_row(db, stream_id, row)

        with self._lock:
            key = self._cache.get(stream_id)
            if key is None:
                key = self._run(read)
                if key is not None:
                    self._cache[stream_id] = key
            return key

    def create_key(self, stream_id: str) -> bytes:
        existing = self.key_for(stream_id)
        if existing is not None:
            return existing

        def create(db: psycopg.Connection[Any]) -> bytes:
            with db.transaction():
                # A share lock on the generation: a rotation waits, so no key is wrapped under
                # a KEK about to be destroyed.
                self._current(db, lock="FOR SHARE")
                if db.execute(
                    sql.SQL("SELECT 1 FROM {} WHERE stream_id = %s").format(self._destroyed),
                    (stream_id,),
                ).fetchone():
                    raise KeyDestroyedError(stream_id)
                db.execute(
                    sql.SQL(
                        "INSERT INTO {} (stream_id, generation, wrapped) VALUES (%s, %s, %s) "
                        "ON CONFLICT (stream_id) DO NOTHING"
                    ).format(self._keys),
                    (stream_id, self.generation, self._wrap(stream_id, os.urandom(KEY_BYTES))),
                )
                row = db.execute(
                    sql.SQL("SELECT generation, wrapped FROM {} WHERE stream_id = %s").format(
                        self._keys
                    ),
                    (stream_id,),
                ).fetchone()
                assert row is not None
                return self._unwrap_row(db, stream_id, row)

        with self._lock:
            key = self._cache[stream_id] = self._run(create)
            return key

    def destroy(self, stream_id: str) -> bool:
        """Delete the stream's wrapped key, re-wrap every other key under a new KEK (one
        transaction), then overwrite and remove the old KEK file."""

        def rotate(db: psycopg.Connection[Any]) -> bool:
            with db.transaction():
                self._current(db, lock="FOR UPDATE")  # one rotation at a time
                gone = db.execute(
                    sql.SQL("DELETE FROM {} WHERE stream_id = %s").format(self._keys),
                    (stream_id,),
                ).rowcount
                db.execute(
                    sql.SQL(
                        "INSERT INTO {} (stream_id) VALUES (%s) ON CONFLICT (stream_id) DO NOTHING"
                    ).format(self._destroyed),
                    (stream_id,),
                )
                rotated = self._rewrap_all(db) if gone else None
            if rotated is not None:  # committed
                self.generation, self._kek = rotated
            return gone > 0

        with self._lock:
            self._cache.pop(stream_id, None)
            try:
                return self._run(rotate)
            finally:
                # After the commit only (or a lost one, retried): never a KEK still in use.
                self.files.destroy_below(self.generation)

    def _rewrap_all(self, db: psycopg.Connection[Any]) -> tuple[int, bytes]:
        """Re-wrap every key under a new KEK, in the caller's transaction, in batches;
        returns the new generation and KEK, to use once the transaction has committed."""
        old = self._kek
        new_generation = self.generation + 1
        new = self.files.create(new_generation)  # on disk before the database names it
        rows = db.execute(sql.SQL("SELECT stream_id, wrapped FROM {}").format(self._keys))
        update = sql.SQL(
            "UPDATE {} k SET generation = %s, wrapped = v.wrapped "
            "FROM unnest(%s::text[], %s::bytea[]) AS v(stream_id, wrapped) "
            "WHERE k.stream_id = v.stream_id"
        ).format(self._keys)
        batch = rows.fetchall()
        for start in range(0, len(batch), REWRAP_BATCH):
            chunk = batch[start : start + REWRAP_BATCH]
            ids = [str(s) for s, _ in chunk]
            wrapped = [self._wrap(s, unwrap(old, bytes(w), self._aad(s)), new) for s, w in chunk]
            db.execute(update, (new_generation, ids, wrapped))
        db.execute(
            sql.SQL("UPDATE {} SET generation = %s, check_value = %s").format(self._kek_table),
            (new_generation, check_value(new, self.files.kek_id, new_generation)),
        )
        return new_generation, new

    def destruction_detail(self, stream_id: str) -> tuple[bool, str]:
        """Whether the old KEKs are gone, and what was checked about the destroyed key of
        `stream_id` and what cannot be, for the erasure report."""
        older = self.files.older_than(self.generation)
        checked = (
            f"checked: no older KEK file is left in {self._kek_dir}"
            if not older
            else f"NOT destroyed: {len(older)} older KEK file(s) still in {self._kek_dir}"
        )
        return not older, (
            f"no wrapped key left; the other keys are wrapped under KEK generation "
            f"{self.generation}; {checked}. Not checked: copies of the database (heap, WAL, "
            "replicas, backups) still hold the key wrapped under an older KEK, readable by "
            "whoever also kept a copy of that KEK file (a backup of the KEK directory, a file "
            "system snapshot)"
        )

    def is_destroyed(self, stream_id: str) -> bool:
        def read(db: psycopg.Connection[Any]) -> bool:
            row = db.execute(
                sql.SQL("SELECT 1 FROM {} WHERE stream_id = %s").format(self._destroyed),
                (stream_id,),
            ).fetchone()
            return row is not None

        with self._lock:
            return self._run(read)

    def forget_cached(self, stream_id: str) -> None:
        with self._lock:
            self._cache.pop(stream_id, None)

    def close(self) -> None:
        with self._lock:
            self._cache.clear()
            if self._db is not None:
                self._db.close()
