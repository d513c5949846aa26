"""The PostgreSQL backend: events, snapshots, read models and (by default) keys in one
database, shared by every process connected to it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from domain.backends.base import Backend, has_events
from domain.backends.binding import open_postgres_keys
from domain.backends.postgres.schema import connect, mask, parse_url, quote
from domain.backends.postgres.store import PostgresEventStore
from domain.core.errors import StoreUrlError
from domain.core.protocol import EventStore
from domain.core.records import SnapshotPolicy
from domain.core.shredding.keys import KeyStore
from domain.core.views import RowStorage


class PostgresBackend(Backend):
    """`postgresql://user:password@host/db[?schema=NAME]`."""

    scheme = "postgresql"
    durable = True

    @property
    def shown_url(self) -> str:
        return mask(self.url)

    def open_store(
        self,
        snapshot_policy: SnapshotPolicy | None = None,
        deleted_types: Iterable[str] = (),
        read_only: bool = False,
    ) -> EventStore:
        store = PostgresEventStore.open(
            self.url, snapshot_policy=snapshot_policy, deleted_types=deleted_types
        )
        self.bind(store, read_only)
        return store

    def _postgres(self, store: EventStore) -> PostgresEventStore:
        if not isinstance(store, PostgresEventStore):
            raise StoreUrlError(self.shown_url, "not a PostgreSQL store")
        return store

    def open_keys(
        self, store: EventStore, key_store: str | None, read_only: bool, restoring: bool
    ) -> KeyStore:
        del read_only, restoring
        pg = self._postgres(store)
        return open_postgres_keys(
            key_store or store.url,
            store_url=pg.shown_url,
            where=mask(key_store) if key_store else "in the store's database",
            store_id=pg.store_id,
            has_events=has_events(store),
        )

    def rows_home(self) -> str | None:
        # The database's own tables even read-only: the server, not this handle, decides.
        return self.url

    def _rows(self, name: str) -> RowStorage:
        from domain.backends.postgres.read_models import PostgresRowStorage

        return PostgresRowStorage(self.url, name)

    def event_types(self, store: EventStore) -> frozenset[str] | None:
        # One query on the server rather than the whole log through this process.
        import psycopg

        target = parse_url(self.url)
        try:
            with connect(target, part="types") as conn:
                schema = target.schema
                if schema is None:
                    found = conn.execute("SELECT current_schema()").fetchone()
                    schema = str(found[0]) if found else "public"
                return frozenset(distinct_types(conn, schema))
        except (psycopg.Error, StoreUrlError):
            return super().event_types(store)

    def start_watching(self, store: EventStore) -> Callable[[], None] | None:
        pg = self._postgres(store)
        pg.start_polling()
        return pg.stop_polling


def distinct_types(conn: Any, schema: str) -> list[str]:
    """Every event type stored. PostgreSQL has no skip scan: with the (type, position) index a
    recursive query seeks the next type after each one found (one index probe a type, not a
    pass over millions of events); without it (an older schema), one scan."""
    events = f"{quote(schema)}.es_events"
    index = conn.execute("SELECT to_regclass(%s)", (f"{quote(schema)}.es_events_by_type",))
    found = index.fetchone()
    if found is None or found[0] is None:
        rows = conn.execute(f"SELECT DISTINCT type FROM {events} ORDER BY type").fetchall()
    else:
        rows = conn.execute(
            f"WITH RECURSIVE t(type) AS ("
            f" SELECT min(type) FROM {events}"
            f" UNION ALL SELECT (SELECT min(type) FROM {events} WHERE type > t.type)"
            f" FROM t WHERE t.type IS NOT NULL)"
            f" SELECT type FROM t WHERE type IS NOT NULL"
        ).fetchall()
    return [str(row[0]) for row in rows]
