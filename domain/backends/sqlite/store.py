"""The durable single-file backend: `sqlite:///path.db` (or `sqlite:////abs/path.db`).

WAL, `synchronous=FULL`, `secure_delete=ON`; every write runs in `BEGIN IMMEDIATE`, so
writers are serialized by SQLite across processes and, inside one process, by a lock that
hands the file over without SQLite's sleeping busy handler. A position is max(position) + 1
inside that transaction, so positions follow commit order; forget writes its tombstone
before deleting, so a position is never reused.

Listeners get this handle's commits as they happen and other handles' commits in this
process right after them. Other processes' commits arrive through `poll()`, which the first
`subscribe` runs every `poll_interval` seconds (default 0.2) on a daemon thread; call
`poll()` yourself with `poll_interval=None`. See `sqlite_feed` for the ordering rules.

`sqlite:///:memory:` is refused: use `memory:` for a store that lives in one process.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, TypeVar

from domain.backends.sqlite import write
from domain.backends.sqlite.check import CHECK_AT_OPEN_BYTES, BackgroundCheck
from domain.backends.sqlite.codec import (
    SNAPSHOT_COLUMNS,
    STREAM_COLUMNS,
    STREAM_EVENT_COLUMNS,
    check_text,
    dump_json,
    format_time,
    select_events,
    storable,
    to_snapshot,
    to_stream_info,
    to_stream_records,
)
from domain.backends.sqlite.faults import directory_is_writable, quick_check, translate
from domain.backends.sqlite.feed import HEAD, CommitFeed, StreamRow
from domain.backends.sqlite.importer import IMPORT_CACHE, UPDATE_STREAM, import_rows, stored_streams
from domain.backends.sqlite.pool import ConnectionPool
from domain.backends.sqlite.salvage import ReadRange, salvage
from domain.backends.sqlite.schema import (
    BUSY_TIMEOUT_S,
    add_extras,
    check_file,
    connect,
    connect_read_only,
    initialise,
    parse_url,
    store_id_of,
    use_wal,
)
from domain.core.batch import (
    StreamWrite,
    Tracking,
    check_read_bounds,
    check_tracking,
    check_tracking_name,
    check_types,
    check_writes,
    matches,
    prefix_bound,
)
from domain.core.errors import (
    EventStoreError,
    InvalidEventError,
    LogFullError,
    SnapshotError,
    StoreDamagedError,
    StoreReadOnlyError,
    StoreUrlError,
)
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
from domain.core.validation import (
    check_expected_version,
    check_stream_id,
    normalise_batch,
    normalise_snapshot,
)

T = TypeVar("T")

ACTIVE: Final = StreamStatus.ACTIVE.value

_MAX_INT: Final = 2**63 - 1
_LAST_POSITION: Final = "SELECT max(last_position) FROM streams"
_STREAM_INDEX: Final = "sqlite_autoindex_events_2"
"""The index SQLite made for the schema's UNIQUE (stream_id, version)."""
"""The head as the streams table knows it (when the events table's own end is unreadable)."""

Work = Callable[
    [sqlite3.Connection, int, StreamRow | None], tuple[T, Sequence[RecordedEvent] | None]
]
"""A write: given the head position and the stream's row inside the transaction, its result
and the records it committed (None: nothing to keep, roll back)."""


def _clamp(n: int) -> int:
    return max(min(n, _MAX_INT), -_MAX_INT)


class SQLiteEventStore:
    """An event store in one SQLite file, shared safely by threads and processes."""

    def __init__(
        self,
        url: str,
        path: Path,
        pool: ConnectionPool,
        snapshot_policy: SnapshotPolicy | None = None,
        deleted_types: Iterable[str] = (),
        poll_interval: float | None = 0.2,
        *,
        store_id: str | None = None,
        read_only: str | None = None,
        damage: str | None = None,
    ) -> None:
        self.url = url
        self.path = path
        self.snapshot_policy = snapshot_policy or SnapshotPolicy()
        self.deleted_types = frozenset(deleted_types)
        self.store_id = store_id
        """Made with the schema; its key store records it (None: an old store read-only)."""
        self.read_only = read_only
        """Why this handle refuses writes (None: it writes)."""
        self.damage = damage
        """What is wrong with the file, once an integrity check or a read found it damaged."""
        self.check: BackgroundCheck | None = None
        """The integrity check of a large file, under way or done (None: checked at open)."""
        self._lost_positions: set[int] = set()
        self._lost_versions: set[tuple[str, int]] = set()
        self._pool = pool
        try:
            self._feed = CommitFeed(pool, path, poll_interval)
        except sqlite3.Error as exc:
            pool.close()
            raise self._fault(exc) from exc

    @classmethod
    def open(
        cls,
        url: str,
        *,
        snapshot_policy: SnapshotPolicy | None = None,
        deleted_types: Iterable[str] = (),
        poll_interval: float | None = 0.2,
        read_only: bool = False,
        check_at_open: int | None = None,
    ) -> SQLiteEventStore:
        """Open (or create) the store file a `sqlite:///...` URL names.

        A missing or empty file becomes a new store (its directory must exist); anything
        else that is not an es-tui store, or a store of a newer schema, raises StoreUrlError
        and is left untouched. `poll_interval` is how often listeners are brought other
        processes' commits (None: only when `poll()` is called).

        `read_only` opens an existing file for reading only (`mode=ro`, nothing written, not
        even the WAL index when the disk is full or read-only); an existing file in a
        directory that cannot be written is opened so anyway. A file that fails
        `PRAGMA quick_check` raises StoreDamagedError for writing; read-only it opens with
        `damage` set, and writes are refused. A file larger than `check_at_open` bytes
        (default `CHECK_AT_OPEN_BYTES`) opened for writing is checked in the background
        instead (see `check`): it opens at once, and its writes wait for the verdict, refused
        if the file is damaged."""
        path = parse_url(url)
        ready = check_file(url, path)
        why = _read_only_reason(path) if ready else None
        if ready and (read_only or why):
            return cls._open_read_only(
                url, path, why or "opened for reading", snapshot_policy, deleted_types,
                poll_interval,
            )  # fmt: skip
        try:
            conn = connect(path)
        except sqlite3.Error as exc:
            raise translate(exc, url, path) or StoreUrlError(
                url, f"cannot open {str(path)!r}: {exc}"
            ) from exc
        try:
            if ready:
                use_wal(url, conn)
                add_extras(conn)
            else:
                initialise(url, conn, format_time(datetime.now(UTC)))
            limit = CHECK_AT_OPEN_BYTES if check_at_open is None else check_at_open
            later = ready and path.stat().st_size > limit
            # A store older than store ids gets one written: only once the file is known sound.
            store_id = store_id_of(conn, create=False) if later else None
            later = later and store_id is not None
            damage = None if later else quick_check(conn)
            if not later and not damage:
                store_id = store_id_of(conn, create=True)
        except sqlite3.Error as exc:
            conn.close()
            raise translate(exc, url, path) or StoreUrlError(
                url, f"cannot prepare {str(path)!r}: {exc}"
            ) from exc
        except BaseException:
            conn.close()
            raise
        if damage:
            conn.close()
            raise StoreDamagedError(url, str(path), damage)
        pool = ConnectionPool(url, path, conn)
        store = cls(
            url, path, pool, snapshot_policy, deleted_types, poll_interval, store_id=store_id
        )
        if later:
            store.check = BackgroundCheck(path)
        return store

    @classmethod
    def _open_read_only(
        cls,
        url: str,
        path: Path,
        reason: str,
        snapshot_policy: SnapshotPolicy | None,
        deleted_types: Iterable[str],
        poll_interval: float | None,
    ) -> SQLiteEventStore:
        try:
            # A store nobody has open (no WAL) is read as is: nothing is left beside it.
            conn, immutable = connect_read_only(path, when_idle=True)
            damage = quick_check(conn)
            store_id = None if damage else store_id_of(conn, create=False)
        except sqlite3.Error as exc:
            raise translate(exc, url, path) or StoreUrlError(
                url, f"cannot open {str(path)!r} read-only: {exc}"
            ) from exc
        opener = functools.partial(connect, read_only=True, immutable=immutable)
        pool = ConnectionPool(url, path, conn, opener)
        return cls(
            url, path, pool, snapshot_policy, deleted_types, poll_interval,
            store_id=store_id, read_only=reason, damage=damage,
        )  # fmt: skip

    # -- plumbing ------------------------------------------------------------------------

    def _fault(self, exc: sqlite3.Error) -> EventStoreError | sqlite3.Error:
        """The store error an SQLite failure stands for; a damaged file stays marked so
        every later write is refused."""
        fault = translate(exc, self.url, self.path)
        if isinstance(fault, StoreDamagedError) and self.damage is None:
            self.damage = fault.detail
        return fault or exc

    def _refuse_writes(self) -> None:
        if self.check is not None and self.damage is None:
            found = self.check.verdict()  # a large file: its check must be done first
            if found is not None:
                self.damage = found
        if self.damage is not None:
            raise StoreDamagedError(self.url, str(self.path), self.damage)
        if self.read_only is not None:
            raise StoreReadOnlyError(self.url, self.read_only)

    def _read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._pool.take()
        try:
            return query(conn)
        except sqlite3.Error as exc:
            fault = self._fault(exc)
            if fault is exc:
                raise
            raise fault from exc
        finally:
            self._pool.give(conn)

    def _write(self, stream_id: str, work: Work[T]) -> T:
        self._refuse_writes()
        try:
            return self._write_now(stream_id, work)
        except sqlite3.Error as exc:
            fault = self._fault(exc)
            if fault is exc:
                raise
            raise fault from exc

    def _write_now(self, stream_id: str, work: Work[T]) -> T:
        feed = self._feed
        conn = self._pool.take()
        try:
            with feed.write_lock:
                head, row = feed.begin(conn, stream_id)
                try:
                    result, committed = work(conn, head, row)
                    conn.execute("ROLLBACK" if committed is None else "COMMIT")
                except BaseException as exc:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    if isinstance(exc, OverflowError):  # a position past 2**63-1
                        raise LogFullError(self.url, head) from None
                    raise
                if committed:
                    feed.committed(committed)
        finally:
            self._pool.give(conn)
        feed.deliver(wrote=bool(committed))
        return result

    # -- writing -------------------------------------------------------------------------

    def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: ExpectedVersion
    ) -> list[RecordedEvent]:
        expected, batch, texts = _checked_append(stream_id, events, expected_version)
        kinds = self.deleted_types
        return self._write(
            stream_id,
            lambda conn, head, row: write.append(
                conn, head, row, stream_id, expected, batch, texts, kinds
            ),
        )

    def append_then_snapshot(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: ExpectedVersion,
        snapshot_of: Callable[[list[RecordedEvent]], Snapshot | None],
    ) -> tuple[list[RecordedEvent], Snapshot | None]:
        """`append`, and in the same transaction (one commit, one flush to the disk instead
        of two) the snapshot `snapshot_of` makes of the records just appended, checked and
        kept as `save_snapshot` keeps one. `snapshot_of` runs inside the transaction and may
        return None to take none; what it raises rolls the append back. A retry of events
        already stored is recognised as `append` recognises it, and takes no snapshot."""
        expected, batch, texts = _checked_append(stream_id, events, expected_version)
        kinds, keep = self.deleted_types, self.snapshot_policy.keep

        def work(
            conn: sqlite3.Connection, head: int, row: StreamRow | None
        ) -> tuple[tuple[list[RecordedEvent], Snapshot | None], list[RecordedEvent] | None]:
            recorded, committed = write.append(
                conn, head, row, stream_id, expected, batch, texts, kinds
            )
            made = snapshot_of(recorded) if committed else None
            if made is None:
                return (recorded, None), committed
            snap = normalise_snapshot(made)
            if snap.stream_id != stream_id:
                raise SnapshotError(
                    f"a snapshot of {snap.stream_id} after appending to {stream_id}"
                )
            after: StreamRow = (recorded[-1].version, row[1] if row else ACTIVE)
            state, taken_at = dump_json(snap.state), format_time(snap.taken_at)
            write.save_snapshot(conn, after, snap, state, taken_at, keep)
            return (recorded, snap), committed

        return self._write(stream_id, work)

    def append_many(
        self, writes: Sequence[StreamWrite], *, tracking: Tracking | None = None
    ) -> list[RecordedEvent]:
        checked = check_writes(writes)
        track = check_tracking(tracking)
        texts: list[list[write.EventTexts]] = []
        for w in checked:
            check_text(w.stream_id, "stream id")
            part = []
            for e, (data, metadata) in zip(w.events, w.texts, strict=True):
                check_text(e.type, "event type")
                part.append(
                    (str(e.event_id), storable(data, e.data), storable(metadata, e.metadata))
                )
            texts.append(part)
        if track is not None:
            check_text(track[0], "consumer name")
        kinds = self.deleted_types
        return self._write(
            checked[0].stream_id,
            lambda conn, head, row: write.append_many(conn, head, checked, texts, kinds, track),
        )

    def tracking_position(self, name: str) -> int:
        check_tracking_name(name)
        return self._read(lambda c: write.tracked_at(c, name))

    def save_tracking(self, name: str, position: int) -> None:
        name, position = check_tracking((name, position)) or (name, position)
        check_text(name, "consumer name")

        def work(
            conn: sqlite3.Connection, head: int, row: StreamRow | None
        ) -> tuple[None, list[RecordedEvent]]:
            write.save_tracking(conn, name, position)
            return None, []

        self._write("", work)

    def forget(self, stream_id: str, tombstone: NewEvent) -> RecordedEvent:
        check_stream_id(stream_id)
        (stone,), ((data, metadata),) = normalise_batch([tombstone])
        check_text(stream_id, "stream id")
        check_text(stone.type, "event type")
        texts = (
            str(stone.event_id),
            storable(data, stone.data),
            storable(metadata, stone.metadata),
        )
        record = self._write(
            stream_id,
            lambda conn, head, row: write.forget(conn, head, row, stream_id, stone, texts),
        )
        self.checkpoint()  # best effort: drop the erased rows' older copies from the WAL
        return record

    def checkpoint(self) -> bool:
        """Copy the WAL into the database file and truncate it, so bytes erased by `forget`
        (zeroed in place by `secure_delete`) leave no older copy in the WAL. Returns False
        when a reader (maybe in another process) kept part of the WAL in use."""

        def run(conn: sqlite3.Connection) -> bool:
            conn.execute("PRAGMA busy_timeout = 200")  # never stall a forget on a slow reader
            try:
                busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            except sqlite3.OperationalError:  # locked: a later checkpoint will do it
                return False
            finally:
                conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            return not busy

        return self._read(run)

    def import_records(self, records: Sequence[RecordedEvent]) -> None:
        rows = import_rows(records, self.deleted_types)

        def work(
            conn: sqlite3.Connection, head: int, row: StreamRow | None
        ) -> tuple[None, list[RecordedEvent]]:
            if head or conn.execute("SELECT 1 FROM streams LIMIT 1").fetchone():
                raise InvalidEventError("import needs an empty store")
            conn.executemany(write.INSERT_STREAM, rows.streams)
            conn.executemany(write.INSERT_EVENT, rows.events)
            return None, rows.records

        self._write("", work)

    def import_more(self, records: Sequence[RecordedEvent]) -> None:
        """Load records that continue what the store holds, in one commit: positions above
        the head, each stored stream going on at its next version, new streams from v1 (or a
        forgotten stream's lone tombstone). A long history is imported this way a chunk at a
        time, each chunk whole or not at all."""
        kinds = self.deleted_types
        ids = list(dict.fromkeys(r.stream_id for r in records if isinstance(r, RecordedEvent)))

        def work(
            conn: sqlite3.Connection, head: int, row: StreamRow | None
        ) -> tuple[None, list[RecordedEvent]]:
            # The chunk's pages stay in memory until its commit, each written out once,
            # not spilled and written again as its random event ids land all over the index.
            (before,) = conn.execute("PRAGMA cache_size").fetchone()
            conn.execute(f"PRAGMA cache_size = {IMPORT_CACHE}")
            try:
                return _import_more(conn, head)
            finally:
                conn.execute(f"PRAGMA cache_size = {int(before)}")

        def _import_more(conn: sqlite3.Connection, head: int) -> tuple[None, list[RecordedEvent]]:
            rows = import_rows(records, kinds, stored_streams(conn, ids))
            if rows.records and rows.records[0].position <= head:
                raise InvalidEventError(
                    f"position {rows.records[0].position} is not above the head ({head})"
                )
            conn.executemany(write.INSERT_STREAM, rows.streams)
            conn.executemany(UPDATE_STREAM, rows.updates)
            try:
                conn.executemany(write.INSERT_EVENT, rows.events)
            except sqlite3.IntegrityError:  # versions and positions were checked: an id
                raise InvalidEventError("an event id of the records is stored already") from None
            return None, rows.records

        self._write("", work)

    def adopt_id(self, store_id: str) -> None:
        """Take `store_id` as this store's id, so the key store of the store an import
        restores goes with this one. Only an empty store may change its id."""

        def work(
            conn: sqlite3.Connection, head: int, row: StreamRow | None
        ) -> tuple[None, list[RecordedEvent]]:
            if head or conn.execute("SELECT 1 FROM streams LIMIT 1").fetchone():
                raise InvalidEventError("only an empty store can take another store's id")
            conn.execute("UPDATE meta SET value = ? WHERE key = 'store_id'", (store_id,))
            return None, []

        self._write("", work)
        self.store_id = store_id

    # -- reading -------------------------------------------------------------------------

    def read_stream(
        self,
        stream_id: str,
        from_version: int = 1,
        to_version: int | None = None,
        *,
        backwards: bool = False,
        limit: int | None = None,
    ) -> list[RecordedEvent]:
        check_read_bounds(limit, backwards)
        upto = _MAX_INT if to_version is None else _clamp(to_version)
        if from_version > _MAX_INT:  # beyond the largest version: nothing (not the last)
            upto = 0
        order = "DESC" if backwards else ""
        count = -1 if limit is None else max(_clamp(limit), 0)

        where = (
            "WHERE stream_id = ? AND version >= ? AND version <= ?"
            f" ORDER BY version {order} LIMIT ?"
        )
        query = f"SELECT {STREAM_EVENT_COLUMNS} FROM events {where}"

        def versions(lo: int, hi: int) -> list[RecordedEvent]:
            params = (stream_id, lo, hi, count)
            if type(stream_id) is not str:  # SQLite may match it as text: keep the row's id
                return self._read(lambda c: select_events(c, where, params))
            # The stream id matches the one asked for exactly, so it is not read per row.
            return self._read(lambda c: to_stream_records(c.execute(query, params), stream_id))

        try:
            return versions(_clamp(from_version), upto)
        except StoreDamagedError:
            info = self.stream_info(stream_id)
            last = min(upto, info.version if info else 0)
            found = self._salvaged(versions, max(_clamp(from_version), 1), last, stream_id)
            found = found[::-1] if backwards else found
            return found if limit is None else found[:count]

    def last_event(self, stream_id: str) -> RecordedEvent | None:
        found = self.read_stream(stream_id, backwards=True, limit=1)
        return found[0] if found else None

    def read_all(
        self,
        from_position: int = 1,
        limit: int | None = None,
        *,
        to_position: int | None = None,
        types: Collection[str] | None = None,
        stream_prefix: str | None = None,
    ) -> list[RecordedEvent]:
        check_read_bounds(limit, False)
        kinds = check_types(types)
        if limit is not None and limit <= 0:
            return self._read(lambda c: [])  # a closed store refuses even an empty page
        upto = _MAX_INT if to_position is None else _clamp(to_position)
        if from_position > _MAX_INT:  # beyond the largest position: nothing (not the last)
            upto = 0
        hint, where, params = _log_filter(kinds, stream_prefix)
        args = (_clamp(from_position), upto, *params, -1 if limit is None else _clamp(limit))

        def query(c: sqlite3.Connection) -> list[RecordedEvent]:
            tail = f"WHERE position >= ? AND position <= ?{where} ORDER BY position LIMIT ?"
            try:
                return select_events(c, hint + tail, args)
            except sqlite3.OperationalError as exc:
                if not hint or "no such index" not in str(exc):
                    raise
                return select_events(c, tail, args)  # a store read-only from before the index

        try:
            return self._read(query)
        except StoreDamagedError:
            head = self._read(lambda c: c.execute(_LAST_POSITION).fetchone()[0]) or 0
            head = min(head, upto)
            found = self._salvaged(
                lambda lo, hi: self._read(
                    lambda c: select_events(
                        c, "WHERE position >= ? AND position <= ? ORDER BY position", (lo, hi)
                    )
                ),
                max(_clamp(from_position), 1),
                head,
            )
            found = [r for r in found if matches(r, kinds, stream_prefix)]
            return found if limit is None else found[:limit]

    @property
    def unreadable(self) -> int:
        """How many events reads of the damaged file had to skip, each counted once however
        often it was met: the larger of the positions the log could not read and the
        versions streams could not (the same event met both ways is one)."""
        return max(len(self._lost_positions), len(self._lost_versions))

    def _salvaged(
        self, read: ReadRange, lo: int, hi: int, stream_id: str | None = None
    ) -> list[RecordedEvent]:
        found, lost = salvage(read, lo, hi)
        if stream_id is None:
            self._lost_positions.update(lost)
        else:
            self._lost_versions.update((stream_id, version) for version in lost)
        return found

    def head_position(self) -> int:
        head: int | None = self._read(lambda c: c.execute(HEAD).fetchone()[0])
        return head or 0

    def stream_info(self, stream_id: str) -> StreamInfo | None:
        row = self._read(
            lambda c: c.execute(
                f"SELECT {STREAM_COLUMNS} FROM streams WHERE stream_id = ?", (stream_id,)
            ).fetchone()
        )
        return to_stream_info(row) if row else None

    def list_streams(self) -> list[StreamInfo]:
        rows = self._read(
            lambda c: c.execute(f"SELECT {STREAM_COLUMNS} FROM streams ORDER BY rowid").fetchall()
        )
        return [to_stream_info(r) for r in rows]

    # -- snapshots -----------------------------------------------------------------------

    def save_snapshot(self, snapshot: Snapshot) -> None:
        snap = normalise_snapshot(snapshot)
        if not isinstance(snap.taken_at, datetime):
            raise InvalidEventError("must be a datetime", field="taken_at")
        state, taken_at = dump_json(snap.state), format_time(snap.taken_at)
        keep = self.snapshot_policy.keep

        def work(
            conn: sqlite3.Connection, head: int, row: StreamRow | None
        ) -> tuple[None, list[RecordedEvent]]:
            write.save_snapshot(conn, row, snap, state, taken_at, keep)
            return None, []

        self._write(snap.stream_id, work)

    def save_snapshots(self, snapshots: Sequence[Snapshot]) -> None:
        """`save_snapshot` for each of `snapshots` in turn, in one commit (all or none): a
        long history's snapshots without a commit, and a sync to disk, each."""
        checked = []
        for snapshot in snapshots:
            snap = normalise_snapshot(snapshot)
            if not isinstance(snap.taken_at, datetime):
                raise InvalidEventError("must be a datetime", field="taken_at")
            checked.append((snap, dump_json(snap.state), format_time(snap.taken_at)))
        keep = self.snapshot_policy.keep

        def work(
            conn: sqlite3.Connection, head: int, row: StreamRow | None
        ) -> tuple[None, list[RecordedEvent]]:
            for snap, state, taken_at in checked:
                found = conn.execute(
                    "SELECT version, status FROM streams WHERE stream_id = ?", (snap.stream_id,)
                ).fetchone()
                stream: StreamRow | None = None if found is None else (found[0], found[1])
                write.save_snapshot(conn, stream, snap, state, taken_at, keep)
            return None, []

        if checked:
            self._write(checked[0][0].stream_id, work)

    def snapshots(self, stream_id: str) -> list[Snapshot]:
        rows = self._read(
            lambda c: c.execute(
                f"SELECT {SNAPSHOT_COLUMNS} FROM snapshots WHERE stream_id = ? ORDER BY version",
                (stream_id,),
            ).fetchall()
        )
        return [to_snapshot(r) for r in rows]

    def latest_snapshot(self, stream_id: str) -> Snapshot | None:
        row = self._read(
            lambda c: c.execute(
                f"SELECT {SNAPSHOT_COLUMNS} FROM snapshots WHERE stream_id = ?"
                " ORDER BY version DESC LIMIT 1",
                (stream_id,),
            ).fetchone()
        )
        return to_snapshot(row) if row else None

    def settings(self) -> dict[str, int | str]:
        """The SQLite settings in effect on this handle's connections, for display and
        diagnostics: journal mode, synchronous level, secure_delete, foreign keys, busy
        timeout (ms), application id and schema version."""

        def run(conn: sqlite3.Connection) -> dict[str, int | str]:
            names = (
                *("journal_mode", "synchronous", "secure_delete", "foreign_keys"),
                *("busy_timeout", "application_id", "user_version"),
            )
            return {n: conn.execute(f"PRAGMA {n}").fetchone()[0] for n in names}

        return self._read(run)

    # -- listening and lifecycle ---------------------------------------------------------

    def subscribe(self, listener: CommitListener) -> Subscription:
        return self._feed.subscribe(listener)

    def poll(self) -> int:
        """Hand listeners the commits other processes made since this handle last looked, in
        position order, each once (never this handle's own again); returns how many events.
        Safe from any thread; the background poller calls it."""
        return self._feed.poll()

    def start_polling(self, interval: float = 0.2) -> None:
        """Call `poll()` every `interval` seconds on a daemon thread until `stop_polling()`
        or `close()` (replacing a running poller)."""
        self._feed.start_polling(interval)

    def stop_polling(self) -> None:
        """Stop the background poller; `poll()` still works."""
        self._feed.stop_polling()

    def close(self) -> None:
        if self.check is not None:
            self.check.cancel()
        if self._pool.close():
            self._feed.close()


def _log_filter(
    types: frozenset[str] | None, stream_prefix: str | None
) -> tuple[str, str, tuple[object, ...]]:
    """The index to use, the SQL tail and the parameters of a `read_all` filter: `type IN
    (...)` follows the (type, position) index, a stream prefix the (stream_id, version) one
    as a range. Named, since a planner without statistics would walk the log by position."""
    hint, where = "", ""
    params: tuple[object, ...] = ()
    if types is not None:
        kinds = sorted(types)
        where += f" AND type IN ({','.join('?' * len(kinds))})" if kinds else " AND 0"
        params += tuple(kinds)
        hint = "INDEXED BY events_by_type " if kinds else ""
    if stream_prefix is not None and stream_prefix:
        bound = prefix_bound(stream_prefix)
        where += " AND stream_id >= ?" + ("" if bound is None else " AND stream_id < ?")
        where += " AND substr(stream_id, 1, ?) = ?"
        params += (stream_prefix, *(() if bound is None else (bound,)))
        params += (len(stream_prefix), stream_prefix)
        hint = hint or f"INDEXED BY {_STREAM_INDEX} "
    return hint, where, params


def _read_only_reason(path: Path) -> str | None:
    """Why an existing store file can only be read here, or None if it can be written."""
    if not directory_is_writable(path):
        return f"its directory {str(path.parent)!r} is not writable"
    if not os.access(path, os.W_OK):
        return f"the file {str(path)!r} is not writable"
    return None


def _checked_append(
    stream_id: str, events: Sequence[NewEvent], expected_version: ExpectedVersion
) -> tuple[ExpectedVersion, list[NewEvent], list[tuple[str, str, str]]]:
    """An append's arguments checked: the expected version, the events, and each event's id,
    data and metadata as the text its row keeps."""
    check_stream_id(stream_id)
    expected = check_expected_version(expected_version)
    batch, payloads = normalise_batch(events)
    check_text(stream_id, "stream id")
    texts = []
    for e, (data, metadata) in zip(batch, payloads, strict=True):
        check_text(e.type, "event type")
        texts.append((str(e.event_id), storable(data, e.data), storable(metadata, e.metadata)))
    return expected, batch, texts
