"""A database written by the `eventsourcing` library's PostgreSQL persistence, opened
read-only and live as an es-tui event store.

The library names an application's tables from its name, lowercased: `<app>_events`
(positions: `notification_id`), `<app>_snapshots` and, for a process application,
`<app>_tracking`; without a name, `stored_events`, `stored_snapshots` and
`notification_tracking` (in the `POSTGRES_SCHEMA`, default `public`). Sessions are read-only
(`default_transaction_read_only` and `SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY`).
Each insert of the library NOTIFYs a channel named after its events table: es-tui LISTENs on
it (and polls as well, so a lost notification only delays delivery).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Any, Final
from urllib.parse import urlsplit

import psycopg

from domain.backends.eventsourcing.store import (
    MIGRATION_ROW,
    Consumer,
    EventsourcingStore,
    Row,
    key_from,
    url_params,
)
from domain.backends.postgres.listen import Listener
from domain.backends.postgres.schema import Target, connect, first_line, mask, parse_url, quote
from domain.core.errors import StoreUrlError
from domain.core.records import SnapshotPolicy

SCHEME: Final = "eventsourcing+postgresql"
LISTEN_POLL: Final = 1.0
"""Seconds between polls when no notification comes (a safety net only)."""
_OWN: Final = frozenset(
    {"app", "events_table", "snapshots_table", "tracking_table", "cipher_key_env"}
)
_TABLES: Final = """
    SELECT c.table_name, c.column_name, c.udt_name FROM information_schema.columns AS c
    WHERE c.table_schema = %s ORDER BY c.table_name, c.ordinal_position"""


class EventsourcingPostgresStore(EventsourcingStore):
    """The port's reads over an `eventsourcing` PostgreSQL database; every write raises
    ReadOnlyStoreError."""

    P = "%s"

    def __init__(
        self,
        url: str,
        target: Target,
        *,
        app: str | None,
        key: bytes | None,
        tables: dict[str, str],
        snapshot_policy: SnapshotPolicy | None = None,
        deleted_types: Iterable[str] = (),
    ) -> None:
        super().__init__(
            url,
            app=app or "",
            key=key,
            snapshot_policy=snapshot_policy,
            deleted_types=deleted_types,
        )
        options = target.params.get("options", "")
        params = {**target.params, "options": f"{options} -c default_transaction_read_only=on"}
        self._target = Target(target.url, params, target.schema, target.shown)
        self._schema = target.schema or "public"
        self._conn_lock = threading.Lock()
        self._conn: psycopg.Connection[Any] | None = None
        self._listener: Listener | None = None
        columns = self._columns()
        found = ", ".join(sorted(columns)) or "none"
        events = tables.get("events") or self._guess_events(columns)
        if events not in columns or "notification_id" not in columns[events]:
            raise StoreUrlError(
                target.shown,
                f"no events table {events!r} with notification ids in schema "
                f"{self._schema!r} (tables: {found}); name the application with ?app=NAME",
            )
        prefix = events.removesuffix("_events") if events.endswith("_events") else "stored"
        if not self.app:
            self.app = prefix
        snapshots = tables.get("snapshots") or f"{prefix}_snapshots"
        tracking = tables.get("tracking") or (
            "notification_tracking" if prefix == "stored" else f"{prefix}_tracking"
        )
        self._uuid_ids = columns[events].get("originator_id") == "uuid"
        self._events_name = events
        self._events_sql = f"{quote(self._schema)}.{quote(events)}"
        self._snapshots_sql = (
            f"{quote(self._schema)}.{quote(snapshots)}" if snapshots in columns else None
        )
        self._tracking = tracking if tracking in columns else None
        self._all_tracking = sorted(
            t for t, cols in columns.items() if {"application_name", "notification_id"} <= set(cols)
        )
        self._events_tables = {t for t, cols in columns.items() if "notification_id" in cols}

    @classmethod
    def open(
        cls,
        url: str,
        *,
        snapshot_policy: SnapshotPolicy | None = None,
        deleted_types: Iterable[str] = (),
        cipher_key_text: str | None = None,
    ) -> EventsourcingPostgresStore:
        """Open `eventsourcing+postgresql://user:pass@host:port/db[?app=NAME&schema=S]`.

        `app` is the application's name as the library knows it (its tables are named from
        it); without it the library's default tables are used, or the one events table
        found. `events_table`, `snapshots_table` and `tracking_table` name tables
        explicitly; `cipher_key_env` the variable holding the key (default: the library's
        `<APP>_CIPHER_KEY`, then `CIPHER_KEY`)."""
        if not url.lower().startswith(SCHEME + "://"):
            raise StoreUrlError(mask(url), f"not a {SCHEME}:// URL")
        base, _, query = url[len("eventsourcing+") :].partition("?")
        parts = urlsplit(f"x:?{query}")
        pairs = [p for p in parts.query.split("&") if p]
        own = url_params(mask(url), "&".join(p for p in pairs if p.split("=")[0] in _OWN), _OWN)
        rest = "&".join(p for p in pairs if p.split("=")[0] not in _OWN)
        target = parse_url(f"{base}?{rest}" if rest else base)
        target = Target(url, target.params, target.schema, mask(url))
        app = own.get("app") or None
        tables = {}
        if app:
            tables["events"] = f"{app.lower()}_events"
        for kind in ("events", "snapshots", "tracking"):
            name = own.get(f"{kind}_table")
            if name:
                try:
                    quote(name)
                except ValueError:
                    raise StoreUrlError(mask(url), f"{kind}_table: not a table name") from None
                tables[kind] = name
        key = key_from(mask(url), app, cipher_key_text, own.get("cipher_key_env"))
        return cls(
            url,
            target,
            app=app,
            key=key,
            tables=tables,
            snapshot_policy=snapshot_policy,
            deleted_types=deleted_types,
        )

    # -- connection ------------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        conn = connect(self._target)
        conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        return conn

    def _fetch(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        self._check_open()
        with self._conn_lock:
            for attempt in (1, 2):
                if self._conn is None or self._conn.closed:
                    self._conn = self._connect()
                try:
                    with self._conn.transaction():
                        return list(self._conn.execute(sql, params).fetchall())
                except psycopg.OperationalError as exc:  # the server went away: once more
                    self._conn.close()
                    self._conn = None
                    if attempt == 2:
                        raise StoreUrlError(self._target.shown, first_line(exc)) from None
        raise AssertionError("unreachable")

    def _columns(self) -> dict[str, dict[str, str]]:
        columns: dict[str, dict[str, str]] = {}
        for table, column, udt in self._fetch(_TABLES, (self._schema,)):
            columns.setdefault(table, {})[column] = udt
        return columns

    @staticmethod
    def _guess_events(columns: dict[str, dict[str, str]]) -> str:
        if "stored_events" in columns:
            return "stored_events"
        found = [
            t for t, cols in columns.items() if t.endswith("_events") and "notification_id" in cols
        ]
        return found[0] if len(found) == 1 else "stored_events"

    # -- the backend's SQL -----------------------------------------------------------------

    @property
    def _select(self) -> str:
        return (
            "SELECT notification_id, originator_id, originator_version, topic, state"
            f" FROM {self._events_sql}"
        )

    @property
    def _position(self) -> str:
        return "notification_id"

    @property
    def _events(self) -> str:
        return self._events_sql

    @property
    def _snapshots(self) -> str | None:
        return self._snapshots_sql

    def _ids(self, stream_id: str) -> list[object]:
        if not self._uuid_ids:
            return [stream_id]
        import uuid

        try:
            return [uuid.UUID(stream_id)]
        except ValueError:
            return []  # a uuid column holds no such id

    def consumers(self) -> list[Consumer]:
        """Every tracking record in the schema that involves this application: followers'
        positions in its log (with their lag behind its head), and its own positions in
        the logs it follows (with their lag when those logs are in this schema too)."""
        found: list[Consumer] = []
        heads: dict[str, int] = {}
        for table in self._all_tracking:
            name = table.removesuffix("_tracking")
            sql = (
                f"SELECT application_name, max(notification_id) FROM"
                f" {quote(self._schema)}.{quote(table)} WHERE application_name != %s"
                " GROUP BY application_name ORDER BY application_name"
            )
            for follows, position in self._fetch(sql, (MIGRATION_ROW,)):
                own = table == self._tracking
                if not own and str(follows).lower() != self.app.lower():
                    continue
                events = f"{str(follows).lower()}_events"
                if events not in heads and events in self._events_tables:
                    head_sql = (
                        f"SELECT max(notification_id) FROM {quote(self._schema)}.{quote(events)}"
                    )
                    heads[events] = int(self._fetch(head_sql)[0][0] or 0)
                head = heads.get(events)
                lag = None if head is None else max(head - int(position), 0)
                found.append(Consumer(self.app if own else name, str(follows), int(position), lag))
        return found

    # -- live ------------------------------------------------------------------------------

    def _watch(self) -> None:
        self._listener = Listener(
            self._connect,
            self._events_name.replace(".", "_"),
            self.poll,
            lambda position: position > self._delivered,
            LISTEN_POLL,
        )

    def wait_listening(self, timeout: float) -> bool:
        """Wait until notifications reach this store (for tests)."""
        return self._listener is not None and self._listener.wait_listening(timeout)

    def _unwatch(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()

    def close(self) -> None:
        """Stop listening and close the connection."""
        super().close()
        with self._conn_lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
