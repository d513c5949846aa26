"""Generic read-model rows in a PostgreSQL database (normally the event store's, same
schema): every read model's rows (JSON under (read model, key)) in one table, each
checkpoint in another, a page and its checkpoint in one transaction; the checkpoint row's
lock makes processes sharing the rows take turns, and a page another process applied
first is written by nobody else."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import psycopg

from domain.backends.postgres.schema import connect, connection_lost, first_line, parse_url, quote
from domain.core.errors import StoreUnavailableError, StoreUrlError
from domain.core.port import Row

T = TypeVar("T")

_CREATE_LOCK: Final = 0x4553_5457  # serializes concurrent first opens


class PostgresRowStorage:
    """The rows of read model `name` in a PostgreSQL database named by a store URL."""

    def __init__(self, url: str, name: str) -> None:
        self._target = parse_url(url)
        self.url = self._target.shown
        self.name = name
        self._lock = threading.Lock()
        self._db = connect(self._target, part="read model")
        with self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_CREATE_LOCK,))
            if self._target.schema is not None:
                self._db.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(self._target.schema)}")
                schema = self._target.schema
            else:
                found = self._db.execute("SELECT current_schema()").fetchone()
                schema = str(found[0]) if found else "public"
            s = quote(schema)
            self._rows = f"{s}.es_read_model_rows"
            self._checkpoint = f"{s}.es_read_model_checkpoint"
            self._db.execute(
                f"CREATE TABLE IF NOT EXISTS {self._rows} (model text NOT NULL,"
                " key text NOT NULL, value jsonb NOT NULL, PRIMARY KEY (model, key))"
            )
            self._db.execute(
                f"CREATE TABLE IF NOT EXISTS {self._checkpoint} (model text PRIMARY KEY,"
                " position bigint NOT NULL)"
            )
            self._db.execute(
                f"INSERT INTO {self._checkpoint} VALUES (%s, 0) ON CONFLICT DO NOTHING", (name,)
            )

    def _run(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        """Run `work` under the lock, once more on a new connection if the server dropped
        the first (each `work` is safe to repeat: `commit` checks the checkpoint)."""
        with self._lock:
            for attempt in (0, 1):
                try:
                    if self._db.closed or self._db.broken:
                        self._db.close()
                        self._db = connect(self._target, part="read model")
                    return work(self._db)
                except StoreUrlError as exc:
                    raise StoreUnavailableError(self.url, exc.reason) from None
                except psycopg.OperationalError as exc:
                    if not (self._db.broken or connection_lost(exc)):
                        raise
                    if attempt:
                        raise StoreUnavailableError(self.url, first_line(exc)) from None
        raise AssertionError("unreachable")

    def _fetch(self, query: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return self._run(lambda db: db.execute(query, params).fetchall())

    def checkpoint(self) -> int:
        found = self._fetch(
            f"SELECT position FROM {self._checkpoint} WHERE model = %s", (self.name,)
        )
        return int(found[0][0]) if found else 0

    def get(self, key: str) -> Row | None:
        found = self._fetch(
            f"SELECT value FROM {self._rows} WHERE model = %s AND key = %s", (self.name, key)
        )
        return dict(found[0][0]) if found else None

    def rows(self) -> dict[str, Row]:
        found = self._fetch(f"SELECT key, value FROM {self._rows} WHERE model = %s", (self.name,))
        return {str(key): dict(value) for key, value in found}

    def commit(
        self, upserts: Mapping[str, Row], removed: set[str], checkpoint: int, *, first: int
    ) -> bool:
        values = [(self.name, key, json.dumps(dict(row))) for key, row in upserts.items()]

        def write(db: psycopg.Connection[Any]) -> bool:
            with db.transaction(), db.cursor() as cur:
                stored = cur.execute(
                    f"SELECT position FROM {self._checkpoint} WHERE model = %s FOR UPDATE",
                    (self.name,),
                ).fetchone()
                if stored is not None and stored[0] >= first:
                    return False  # another process applied this page
                cur.executemany(
                    f"INSERT INTO {self._rows} (model, key, value) VALUES (%s, %s, %s::jsonb)"
                    " ON CONFLICT (model, key) DO UPDATE SET value = excluded.value",
                    values,
                )
                cur.execute(
                    f"DELETE FROM {self._rows} WHERE model = %s AND key = ANY(%s)",
                    (self.name, sorted(removed)),
                )
                cur.execute(
                    f"UPDATE {self._checkpoint} SET position = %s WHERE model = %s",
                    (checkpoint, self.name),
                )
            return True

        return self._run(write)

    def reset(self) -> None:
        def empty(db: psycopg.Connection[Any]) -> None:
            with db.transaction():
                db.execute(f"DELETE FROM {self._rows} WHERE model = %s", (self.name,))
                db.execute(
                    f"UPDATE {self._checkpoint} SET position = 0 WHERE model = %s", (self.name,)
                )

        self._run(empty)

    def close(self) -> None:
        with self._lock:
            self._db.close()
