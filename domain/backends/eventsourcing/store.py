"""What every backend of the `eventsourcing` library shares once opened read-only in es-tui:
its tables read as the event-store port, new events delivered as they are found, and every
write refused with ReadOnlyStoreError.

Streams are the library's originator ids, versions its originator versions and positions its
notification ids. The library keeps no event ids, commit boundaries or soft deletes: event ids
are derived from (originator id, version), each poll's new events reach listeners as one
batch, and a stream is deleted only if its last event type is one of `deleted_types`.
"""

from __future__ import annotations

import os
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from domain.backends.eventsourcing.codec import split_topic, to_record, to_snapshot
from domain.core.batch import StreamWrite, Tracking, check_read_bounds, check_types, matches
from domain.core.errors import ReadOnlyStoreError, StoreClosedError
from domain.core.notify import CommitHub
from domain.core.protocol import CommitListener, Subscription
from domain.core.records import (
    ExpectedVersion,
    NewEvent,
    RecordedEvent,
    Snapshot,
    SnapshotPolicy,
    StreamInfo,
    StreamStatus,
)

Row = Sequence[Any]
POLL_INTERVAL: Final = 0.2
POLL_PAGE: Final = 1000
MIGRATION_ROW: Final = "__migration__"
"""A row the library keeps in its tracking tables for itself, not a consumer."""


@dataclass(frozen=True, slots=True)
class Consumer:
    """A process application's position in a log, from the library's tracking records."""

    name: str
    """The application that reads (and records its tracking)."""
    follows: str
    """The application whose log it reads."""
    position: int
    """The notification id of the last event it processed."""
    lag: int | None
    """Events of the followed log not processed yet (None when that log is not at hand)."""


def originator_text(value: object) -> str:
    """An originator id as read from a row: a UUID as its 32 hex digits (as the library's
    SQLite tables store it), text as it is."""
    return value.hex if isinstance(value, uuid.UUID) else str(value)


class EventsourcingStore(ABC):
    """The port's reads over the library's tables; subclasses run the SQL."""

    url: str
    snapshot_policy: SnapshotPolicy
    deleted_types: frozenset[str]

    def __init__(
        self,
        url: str,
        *,
        app: str,
        key: bytes | None,
        snapshot_policy: SnapshotPolicy | None,
        deleted_types: Iterable[str],
    ) -> None:
        self.url = url
        self.app = app
        """The application's name (as the library names it, e.g. `BankAccounts`)."""
        self.snapshot_policy = snapshot_policy or SnapshotPolicy()
        self.deleted_types = frozenset(deleted_types)
        self._key = key
        self._closed = False
        self._hub = CommitHub()
        self._lock = threading.Lock()
        self._watching = False
        self._delivered = 0

    # -- what a backend provides -----------------------------------------------------------

    P: str = "?"
    """The SQL parameter placeholder."""

    @property
    @abstractmethod
    def _select(self) -> str:
        """SELECT position, originator_id, originator_version, topic, state FROM events."""

    @property
    @abstractmethod
    def _position(self) -> str:
        """The events table's notification id column."""

    @property
    @abstractmethod
    def _events(self) -> str:
        """The events table, quoted as SQL needs it."""

    @property
    @abstractmethod
    def _snapshots(self) -> str | None:
        """The snapshots table, or None if the application keeps none."""

    @abstractmethod
    def _fetch(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """Run one read in a read-only transaction."""

    @abstractmethod
    def _ids(self, stream_id: str) -> list[object]:
        """The stored originator ids a stream id may stand for."""

    @abstractmethod
    def consumers(self) -> list[Consumer]:
        """The process applications that track this application's log (and how far they
        lag behind its head), and what this application itself tracks."""

    @abstractmethod
    def _watch(self) -> None:
        """Start calling `poll()` when new events may have been stored."""

    @abstractmethod
    def _unwatch(self) -> None:
        """Stop what `_watch` started."""

    # -- reading ---------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosedError(self.url)

    def _records(self, rows: Iterable[Row]) -> list[RecordedEvent]:
        return [to_record(r[0], originator_text(r[1]), r[2], r[3], r[4], self._key) for r in rows]

    def _in(self, ids: Sequence[object]) -> str:
        return f"originator_id IN ({','.join([self.P] * len(ids))})"

    def read_stream(
        self,
        stream_id: str,
        from_version: int = 1,
        to_version: int | None = None,
        *,
        backwards: bool = False,
        limit: int | None = None,
    ) -> list[RecordedEvent]:
        """The events of one aggregate, by originator version (newest first when
        `backwards`), at most `limit`."""
        check_read_bounds(limit, backwards)
        found = self._records(self._fetch_stream(stream_id, from_version, to_version))
        if backwards:
            found.reverse()
        return found if limit is None else found[: max(limit, 0)]

    def last_event(self, stream_id: str) -> RecordedEvent | None:
        """The aggregate's newest event."""
        found = self.read_stream(stream_id, backwards=True, limit=1)
        return found[0] if found else None

    def _fetch_stream(self, stream_id: str, from_version: int, to_version: int | None) -> list[Row]:
        ids = self._ids(stream_id)
        if not ids:
            self._check_open()
            return []
        upper = to_version if to_version is not None else 2**62
        sql = (
            f"{self._select} WHERE {self._in(ids)} AND originator_version >= {self.P}"
            f" AND originator_version <= {self.P} ORDER BY originator_version"
        )
        return self._fetch(sql, (*ids, from_version, upper))

    def stored_rows(
        self, stream_id: str, to_version: int | None = None, from_version: int = 1
    ) -> list[tuple[str, int, str, bytes]]:
        """One aggregate's rows as the library stored them, from `from_version` up to
        `to_version`: (originator id, originator version, topic, state bytes)."""
        rows = self._fetch_stream(stream_id, from_version, to_version)
        return [(originator_text(r[1]), int(r[2]), str(r[3]), bytes(r[4])) for r in rows]

    @property
    def cipher_key(self) -> bytes | None:
        """The key that opens encrypted states, if one was given."""
        return self._key

    def read_all(
        self,
        from_position: int = 1,
        limit: int | None = None,
        *,
        to_position: int | None = None,
        types: Collection[str] | None = None,
        stream_prefix: str | None = None,
    ) -> list[RecordedEvent]:
        """The application's notification log from `from_position` to `to_position`; the
        type and stream filters apply to the decoded records (this log is only read)."""
        check_read_bounds(limit, False)
        kinds = check_types(types)
        sql = f"{self._select} WHERE {self._position} >= {self.P}"
        params: list[object] = [from_position]
        if to_position is not None:
            sql += f" AND {self._position} <= {self.P}"
            params.append(to_position)
        sql += f" ORDER BY {self._position}"
        if kinds is not None or stream_prefix is not None:
            found = [
                r
                for r in self._records(self._fetch(sql, params))
                if matches(r, kinds, stream_prefix)
            ]
            return found if limit is None else found[: max(limit, 0)]
        if limit is None:
            return self._records(self._fetch(sql, params))
        return self._records(self._fetch(f"{sql} LIMIT {self.P}", (*params, max(limit, 0))))

    def tracking_position(self, name: str) -> int:
        """The position the library's tracking records hold for the process application
        `name` (0: none)."""
        return max((c.position for c in self.consumers() if c.name == name), default=0)

    def head_position(self) -> int:
        """The last notification id (0 when nothing is stored)."""
        rows = self._fetch(f"SELECT max({self._position}) FROM {self._events}")
        return int(rows[0][0] or 0)

    def _infos(self, where: str, params: Sequence[object]) -> list[StreamInfo]:
        pos = self._position
        sql = (
            f"SELECT e.{pos}, e.originator_id, e.originator_version, e.topic, e.state, s.n"
            f" FROM (SELECT originator_id, count(*) AS n, max({pos}) AS last,"
            f" min({pos}) AS first FROM {self._events} {where} GROUP BY originator_id) AS s"
            f" JOIN {self._events} AS e ON e.{pos} = s.last ORDER BY s.first"
        )
        infos = []
        for row in self._fetch(sql, params):
            last = self._records([row])[0]
            deleted = last.type in self.deleted_types
            status = StreamStatus.DELETED if deleted else StreamStatus.ACTIVE
            infos.append(
                StreamInfo(
                    last.stream_id,
                    last.version,
                    int(row[5]),
                    status,
                    last.position,
                    last.recorded_at,
                )
            )
        return infos

    def stream_info(self, stream_id: str) -> StreamInfo | None:
        """One aggregate's version, event count and last position."""
        ids = self._ids(stream_id)
        if not ids:
            self._check_open()
            return None
        infos = self._infos(f"WHERE {self._in(ids)}", ids)
        return infos[0] if infos else None

    def list_streams(self) -> list[StreamInfo]:
        """Every aggregate, in order of its first event."""
        return self._infos("", ())

    def stream_aggregate(self, stream_id: str) -> str | None:
        """The topic of the aggregate class a stream belongs to (from its first event)."""
        events = self.read_stream(stream_id)[:1]
        return split_topic(str(events[0].metadata["topic"]))[1] if events else None

    def snapshots(self, stream_id: str) -> list[Snapshot]:
        """The application's snapshots of one aggregate, oldest first."""
        return [to_snapshot(*row, self._key) for row in self.stored_snapshot_rows(stream_id)]

    def stored_snapshot_rows(self, stream_id: str) -> list[tuple[str, int, str, bytes]]:
        """One aggregate's snapshots as the library stored them, oldest first: (originator
        id, originator version, topic, state bytes)."""
        ids = self._ids(stream_id)
        if self._snapshots is None or not ids:
            self._check_open()
            return []
        sql = (
            f"SELECT originator_id, originator_version, topic, state FROM {self._snapshots}"
            f" WHERE {self._in(ids)} ORDER BY originator_version"
        )
        rows = self._fetch(sql, ids)
        return [(originator_text(r[0]), int(r[1]), str(r[2]), bytes(r[3])) for r in rows]

    def latest_snapshot(self, stream_id: str) -> Snapshot | None:
        """The newest snapshot of one aggregate, if any."""
        kept = self.snapshots(stream_id)
        return kept[-1] if kept else None

    # -- live ------------------------------------------------------------------------------

    def subscribe(self, listener: CommitListener) -> Subscription:
        """Deliver the events the application stores from now on."""
        with self._lock:
            self._check_open()
            if not self._watching:
                self._delivered = self.head_position()
        self.poll()
        sub = self._hub.subscribe(listener)
        with self._lock:
            if not self._watching:
                self._watching = True
                self._watch()
        return sub

    def poll(self) -> int:
        """Hand listeners the events stored since the last look; returns how many."""
        total = 0
        while True:
            with self._lock:
                records = self.read_all(self._delivered + 1, POLL_PAGE)
                if records:
                    self._delivered = records[-1].position
                    self._hub.enqueue(records)
            self._hub.deliver()
            total += len(records)
            if not records:
                return total

    # -- writes: refused -------------------------------------------------------------------

    def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: ExpectedVersion
    ) -> list[RecordedEvent]:
        """Refused: the store belongs to the application that wrote it."""
        raise ReadOnlyStoreError(self.url, "append")

    def append_many(
        self, writes: Sequence[StreamWrite], *, tracking: Tracking | None = None
    ) -> list[RecordedEvent]:
        """Refused: the store belongs to the application that wrote it."""
        raise ReadOnlyStoreError(self.url, "append_many")

    def save_tracking(self, name: str, position: int) -> None:
        """Refused: the store belongs to the application that wrote it."""
        raise ReadOnlyStoreError(self.url, "save_tracking")

    def forget(self, stream_id: str, tombstone: NewEvent) -> RecordedEvent:
        """Refused: the store belongs to the application that wrote it."""
        raise ReadOnlyStoreError(self.url, "forget")

    def save_snapshot(self, snapshot: Snapshot) -> None:
        """Refused: the store belongs to the application that wrote it."""
        raise ReadOnlyStoreError(self.url, "save_snapshot")

    def import_records(self, records: Sequence[RecordedEvent]) -> None:
        """Refused: the store belongs to the application that wrote it."""
        raise ReadOnlyStoreError(self.url, "import_records")

    def close(self) -> None:
        """Stop watching; later calls raise StoreClosedError."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            watching, self._watching = self._watching, False
        if watching:
            self._unwatch()


def key_from(url: str, app: str | None, text: str | None, env_name: str | None) -> bytes | None:
    """The AES key of an encrypted store: `text` if given, else the environment variable the
    library reads (`<APP>_CIPHER_KEY`, then `CIPHER_KEY`), or the one `env_name` names."""
    from domain.backends.eventsourcing.codec import CipherKeyError, cipher_key
    from domain.core.errors import StoreUrlError

    names = (
        [env_name] if env_name else [*([f"{app.upper()}_CIPHER_KEY"] if app else []), "CIPHER_KEY"]
    )
    source = "the given key"
    if text is None:
        for name in names:
            if os.environ.get(name):
                text, source = os.environ[name], name
                break
    if not text:
        return None
    try:
        return cipher_key(text, source)
    except CipherKeyError as exc:
        raise StoreUrlError(url, str(exc)) from None


def url_params(url: str, query: str, allowed: frozenset[str]) -> dict[str, str]:
    """The query parameters of a store URL (the last of each), refusing unknown ones."""
    from urllib.parse import parse_qs

    from domain.core.errors import StoreUrlError

    params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise StoreUrlError(
            url, f"unknown parameter(s): {', '.join(unknown)} (known: {', '.join(sorted(allowed))})"
        )
    return params
