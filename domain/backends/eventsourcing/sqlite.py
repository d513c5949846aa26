"""A database written by the `eventsourcing` library's SQLite persistence, opened read-only
and live as an es-tui event store.

The library gives each application its own file (`<APP>_SQLITE_DBNAME`) with the tables
`stored_events` (positions: its rowid), `stored_snapshots` and, for a process application,
`tracking`. The file is never written: connections are `mode=ro`, and while no write-ahead log
exists beside it (the application is not running) also `immutable`, so reading creates no
`-wal`/`-shm` file either (a plain read-only connection would create and leave both). Each
read opens its own short connection, so a writer that starts or stops meanwhile is seen at the
next read; new events are found by polling.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from pathlib import Path
from typing import Final, TypeVar
from urllib.parse import quote, unquote

from domain.backends.eventsourcing.codec import originator_ids_of
from domain.backends.eventsourcing.store import (
    MIGRATION_ROW,
    POLL_INTERVAL,
    Consumer,
    EventsourcingStore,
    Row,
    key_from,
    url_params,
)
from domain.backends.sqlite.pool import Poller
from domain.core.errors import StoreUrlError
from domain.core.records import SnapshotPolicy

T = TypeVar("T")

SCHEME: Final = "eventsourcing+sqlite"
EVENTS: Final = "stored_events"
SNAPSHOTS: Final = "stored_snapshots"
TRACKING: Final = "tracking"
_PARAMS: Final = frozenset(
    {"app", "events_table", "snapshots_table", "tracking_table", "cipher_key_env", "followers"}
)


def _table(url: str, name: str, value: str) -> str:
    if not value or not value.replace("_", "").isalnum():
        raise StoreUrlError(url, f"{name} must be a plain table name, got {value!r}")
    return value


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection that creates no file: `immutable` while no write-ahead log
    exists (nothing is writing), plain `mode=ro` when one does (its -shm exists too)."""
    wal = path.with_name(path.name + "-wal")
    flags = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    conn = sqlite3.connect(
        f"file:{quote(str(path))}?{flags}", uri=True, check_same_thread=False, timeout=5.0
    )
    conn.execute("PRAGMA query_only=ON")
    return conn


class EventsourcingSQLiteStore(EventsourcingStore):
    """The port's reads over an `eventsourcing` SQLite file; every write raises
    ReadOnlyStoreError."""

    def __init__(
        self,
        url: str,
        path: Path,
        *,
        app: str | None = None,
        key: bytes | None = None,
        events_table: str = EVENTS,
        snapshots_table: str = SNAPSHOTS,
        tracking_table: str = TRACKING,
        followers: Sequence[tuple[str, Path]] = (),
        snapshot_policy: SnapshotPolicy | None = None,
        deleted_types: Iterable[str] = (),
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        super().__init__(
            url,
            app=app or path.stem,
            key=key,
            snapshot_policy=snapshot_policy,
            deleted_types=deleted_types,
        )
        self.path = path
        self._events_table = events_table
        self._tracking_table = tracking_table
        self._followers = list(followers)
        self._poll_interval = poll_interval
        self._poller: Poller | None = None
        tables = {r[0] for r in self._fetch("SELECT name FROM sqlite_master WHERE type='table'")}
        if events_table not in tables:
            found = ", ".join(sorted(tables)) or "none"
            raise StoreUrlError(url, f"no table {events_table!r} in {path} (tables: {found})")
        self._snapshots_table = snapshots_table if snapshots_table in tables else None
        self._has_tracking = tracking_table in tables

    @classmethod
    def open(
        cls,
        url: str,
        *,
        snapshot_policy: SnapshotPolicy | None = None,
        deleted_types: Iterable[str] = (),
        cipher_key_text: str | None = None,
    ) -> EventsourcingSQLiteStore:
        """Open `eventsourcing+sqlite:///relative/app.db` or `...:////absolute/app.db`.

        Parameters: `app=NAME` (the application's name: for `<APP>_CIPHER_KEY` and to match
        its followers' tracking records), `followers=NAME=PATH,...` (the files of process
        applications that follow this one, for `consumers()`), `cipher_key_env=VAR`, and the
        table names (`events_table`, `snapshots_table`, `tracking_table`) if not the
        library's. The key of an encrypted store is `cipher_key_text` or from the
        environment, as the library reads it."""
        rest = url[len(SCHEME) + 1 :] if url.lower().startswith(SCHEME + ":") else ""
        if not rest.startswith("///"):
            raise StoreUrlError(
                url, f"use {SCHEME}:///relative/app.db or {SCHEME}:////absolute/app.db"
            )
        raw, _, query = rest[3:].partition("?")
        path = Path(unquote(raw))
        if not raw or not path.is_file():
            raise StoreUrlError(url, f"no such database file: {path}")
        params = url_params(url, query, _PARAMS)
        app = params.get("app") or None
        key = key_from(url, app, cipher_key_text, params.get("cipher_key_env"))
        followers = []
        for item in filter(None, (params.get("followers") or "").split(",")):
            name, eq, where = item.partition("=")
            follower = Path(where if eq else name)
            if not follower.is_file():
                raise StoreUrlError(url, f"no such follower database file: {follower}")
            followers.append((name if eq else follower.stem, follower))
        try:
            return cls(
                url,
                path,
                app=app,
                key=key,
                events_table=_table(url, "events_table", params.get("events_table", EVENTS)),
                snapshots_table=_table(
                    url, "snapshots_table", params.get("snapshots_table", SNAPSHOTS)
                ),
                tracking_table=_table(
                    url, "tracking_table", params.get("tracking_table", TRACKING)
                ),
                followers=followers,
                snapshot_policy=snapshot_policy,
                deleted_types=deleted_types,
            )
        except sqlite3.DatabaseError as exc:
            raise StoreUrlError(url, f"not a readable SQLite database: {exc}") from None

    # -- the backend's SQL -----------------------------------------------------------------

    @property
    def _select(self) -> str:
        return (
            f"SELECT rowid, originator_id, originator_version, topic, state"
            f" FROM {self._events_table}"
        )

    @property
    def _position(self) -> str:
        return "rowid"

    @property
    def _events(self) -> str:
        return self._events_table

    @property
    def _snapshots(self) -> str | None:
        return self._snapshots_table

    def _fetch(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return self._on(self.path, lambda conn: conn.execute(sql, params).fetchall())

    def _on(self, path: Path, query: Callable[[sqlite3.Connection], T]) -> T:
        self._check_open()
        attempts = 2
        while True:
            try:
                with closing(connect_read_only(path)) as conn:
                    conn.execute("BEGIN")  # one snapshot for the whole read
                    return query(conn)
            except sqlite3.OperationalError:
                raise
            except sqlite3.DatabaseError:
                # an immutable read raced the application's first write or a checkpoint
                attempts -= 1
                if attempts == 0:
                    raise

    def _ids(self, stream_id: str) -> list[object]:
        return list(originator_ids_of(stream_id))

    def consumers(self) -> list[Consumer]:
        """This file's own tracking records (what this application processed of others'
        logs; their heads are in other files, so no lag) and the followers' records of this
        application's log, with how far behind its head they are."""
        found: list[Consumer] = []
        if self._has_tracking:
            for follows, position in self._tracking_rows(self.path, None):
                found.append(Consumer(self.app, follows, position, None))
        head = self.head_position() if self._followers else 0
        for name, path in self._followers:
            for follows, position in self._tracking_rows(path, self.app):
                found.append(Consumer(name, follows, position, max(head - position, 0)))
        return found

    def _tracking_rows(self, path: Path, follows: str | None) -> list[tuple[str, int]]:
        sql = (
            f"SELECT application_name, max(notification_id) FROM {self._tracking_table}"
            " WHERE application_name != ?"
        )
        params: list[object] = [MIGRATION_ROW]
        if follows is not None:
            sql += " AND application_name = ?"
            params.append(follows)
        sql += " GROUP BY application_name ORDER BY application_name"
        rows = self._on(path, lambda conn: conn.execute(sql, params).fetchall())
        return [(str(r[0]), int(r[1])) for r in rows]

    def _watch(self) -> None:
        self._poller = Poller(self.poll, self._poll_interval)

    def _unwatch(self) -> None:
        poller, self._poller = self._poller, None
        if poller is not None:
            poller.stop()
