"""`IdeaView` storage in a PostgreSQL database (normally the event store's, same schema): the
rows and the checkpoint are written in one transaction, so a crash between the two can never
apply an event twice, and every process on the database shares one read model. A connection
the server dropped is made again on the next call (StoreUnavailableError while it is away)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Final, TypeVar

import psycopg

from domain.backends.postgres.schema import connect, connection_lost, first_line, parse_url, quote
from domain.core.errors import StoreUnavailableError, StoreUrlError
from domain.ideas.projection import IdeaRow

T = TypeVar("T")

NAME: Final = "ideas"
_COLUMNS: Final = "idea_id, title, description, status, version, created_at, updated_at"
_CREATE_LOCK: Final = 0x4553_5456  # serializes concurrent first opens


def _schema_sql(s: str) -> str:
    return f"""
CREATE TABLE IF NOT EXISTS {s}.es_view_ideas (
    idea_id text PRIMARY KEY,
    title text NOT NULL,
    description text NOT NULL,
    status text NOT NULL,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.es_view_deleted (idea_id text PRIMARY KEY);
CREATE TABLE IF NOT EXISTS {s}.es_view_checkpoint (
    name text PRIMARY KEY,
    position bigint NOT NULL
);
INSERT INTO {s}.es_view_checkpoint VALUES ('{NAME}', 0) ON CONFLICT DO NOTHING"""


class PostgresViewStorage:
    """View storage in tables of a PostgreSQL database, named by a store URL
    (`postgresql://...[?schema=NAME]`)."""

    def __init__(self, url: str) -> None:
        self._target = parse_url(url)
        self.url = self._target.shown
        self._lock = threading.Lock()
        self._db = connect(self._target, part="view")
        with self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_CREATE_LOCK,))
            if self._target.schema is not None:
                self._db.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(self._target.schema)}")
                schema = self._target.schema
            else:
                found = self._db.execute("SELECT current_schema()").fetchone()
                schema = str(found[0]) if found else "public"
            s = quote(schema)
            self._db.execute(_schema_sql(s))
        self._ideas = f"{s}.es_view_ideas"
        self._deleted = f"{s}.es_view_deleted"
        self._checkpoint = f"{s}.es_view_checkpoint"

    def _run(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        """Run `work` under `_lock`, once again on a new connection if the server dropped the
        first (every `work` here is safe to run twice: `commit` checks the checkpoint);
        StoreUnavailableError while the server is away."""
        with self._lock:
            for attempt in (0, 1):
                try:
                    if self._db.closed or self._db.broken:
                        self._db.close()
                        self._db = connect(self._target, part="view")
                    return work(self._db)
                except StoreUrlError as exc:
                    raise StoreUnavailableError(self.url, exc.reason) from None
                except psycopg.OperationalError as exc:
                    if not (self._db.broken or connection_lost(exc)):
                        raise
                    if attempt:
                        raise StoreUnavailableError(self.url, first_line(exc)) from None
        raise AssertionError("unreachable")

    def _row(self, r: tuple[Any, ...]) -> IdeaRow:
        idea_id, title, description, status, version, created_at, updated_at = r
        return IdeaRow(
            idea_id,
            title,
            description,
            status,
            version,
            created_at,
            updated_at,
        )

    def _fetch(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._run(lambda db: db.execute(query, params).fetchall())

    def checkpoint(self) -> int:
        found = self._fetch(f"SELECT position FROM {self._checkpoint} WHERE name = %s", (NAME,))
        return int(found[0][0]) if found else 0

    def get(self, idea_id: str) -> IdeaRow | None:
        found = self._fetch(f"SELECT {_COLUMNS} FROM {self._ideas} WHERE idea_id = %s", (idea_id,))
        return self._row(found[0]) if found else None

    def is_deleted(self, idea_id: str) -> bool:
        return bool(self._fetch(f"SELECT 1 FROM {self._deleted} WHERE idea_id = %s", (idea_id,)))

    def rows(self) -> list[IdeaRow]:
        found = self._fetch(f"SELECT {_COLUMNS} FROM {self._ideas} ORDER BY idea_id")
        return [self._row(r) for r in found]

    def commit(
        self,
        upserts: dict[str, IdeaRow],
        deleted: set[str],
        dropped: set[str],
        checkpoint: int,
        *,
        first_position: int,
    ) -> bool:
        rows = [
            (
                r.idea_id,
                r.title,
                r.description,
                r.status,
                r.version,
                r.created_at,
                r.updated_at,
            )
            for r in upserts.values()
        ]

        def write(db: psycopg.Connection[Any]) -> bool:
            with db.transaction(), db.cursor() as cur:
                # The checkpoint row's lock makes processes sharing this view take turns.
                stored = cur.execute(
                    f"SELECT position FROM {self._checkpoint} WHERE name = %s FOR UPDATE",
                    (NAME,),
                ).fetchone()
                if stored is not None and stored[0] >= first_position:
                    return False  # another process applied this page
                cur.executemany(
                    f"INSERT INTO {self._ideas} ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT (idea_id) DO UPDATE SET title = excluded.title,"
                    " description = excluded.description, status = excluded.status,"
                    " version = excluded.version, created_at = excluded.created_at,"
                    " updated_at = excluded.updated_at",
                    rows,
                )
                gone = sorted(deleted | dropped)
                cur.execute(f"DELETE FROM {self._ideas} WHERE idea_id = ANY(%s)", (gone,))
                cur.executemany(
                    f"INSERT INTO {self._deleted} VALUES (%s) ON CONFLICT DO NOTHING",
                    [(i,) for i in sorted(deleted)],
                )
                cur.execute(
                    f"DELETE FROM {self._deleted} WHERE idea_id = ANY(%s)",
                    (sorted(dropped),),
                )
                cur.execute(
                    f"UPDATE {self._checkpoint} SET position = %s WHERE name = %s",
                    (checkpoint, NAME),
                )
            return True

        return self._run(write)

    def reset(self) -> None:
        def empty(db: psycopg.Connection[Any]) -> None:
            with db.transaction():
                db.execute(f"DELETE FROM {self._ideas}")
                db.execute(f"DELETE FROM {self._deleted}")
                db.execute(
                    f"UPDATE {self._checkpoint} SET position = 0 WHERE name = %s",
                    (NAME,),
                )

        self._run(empty)

    def close(self) -> None:
        with self._lock:
            self._db.close()
