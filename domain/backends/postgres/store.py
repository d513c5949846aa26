"""The PostgreSQL backend: `postgresql://user:pass@host:port/db[?schema=NAME]`.

Positions are gapless in commit order. Every write locks one counter row just before it takes
its positions and keeps the lock until it commits, so no transaction can take position n+1
until the one holding n has committed or rolled back (a rollback leaves its positions to the
next writer). A reader that tails the log with `read_all(last + 1)` therefore never skips an
event that a slower concurrent transaction commits later: once it sees position n, everything
below n is already visible, for good; the only holes are the ones `forget` leaves, and they
are never filled. The price is that writers take turns from the moment they take positions
until their commit is flushed; checking the expected version and locking the stream still
run in parallel.

Concurrency and idempotency are enforced by the database: a write locks its stream's row, and
`UNIQUE (stream_id, version)` and `UNIQUE (event_id)` back that up. Each write is one call to
a server-side function (`postgres_schema`), one round trip, committed on return.

`forget` deletes the stream's rows in its transaction; PostgreSQL keeps the old row versions
(and its WAL and backups keep the bytes) until VACUUM and beyond, which is why private data is
sealed with a per-stream key that forgetting destroys.

Listeners get this handle's commits as they happen. Commits made by other processes (or other
handles) arrive through LISTEN/NOTIFY: the first `subscribe` starts a thread that polls the
log after each notification (and every `poll_interval` seconds), handing listeners other
commits in position order, exactly once, never mixed out of order with this handle's own.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any, Final

import psycopg

from domain.backends.memory.store import check_expected
from domain.backends.postgres import many
from domain.backends.postgres.connections import BeforeCommit, Connections
from domain.backends.postgres.feed import CommitFeed
from domain.backends.postgres.rows import (
    MAX_BIGINT,
    ImportRows,
    Statements,
    check_bigint,
    check_text,
    clamp,
    dump_json,
    import_rows,
    to_records,
    to_snapshot,
    to_stream_info,
)
from domain.backends.postgres.schema import (
    Target,
    channel_of,
    connect,
    install,
    parse_url,
    quote,
    store_id_of,
)
from domain.core.batch import (
    StreamWrite,
    Tracking,
    check_read_bounds,
    check_tracking,
    check_tracking_name,
    check_types,
    check_writes,
    prefix_bound,
)
from domain.core.errors import (
    DuplicateEventError,
    InvalidEventError,
    SnapshotError,
    StoreUnavailableError,
    StoreUrlError,
    StreamForgottenError,
    StreamNotFoundError,
)
from domain.core.protocol import CommitListener, Subscription
from domain.core.records import (
    Expect,
    ExpectedVersion,
    NewEvent,
    RecordedEvent,
    Snapshot,
    SnapshotPolicy,
    StreamInfo,
)
from domain.core.validation import (
    check_expected_version,
    check_stream_id,
    normalise_events,
    normalise_snapshot,
)

_TRIES: Final = 3


class PostgresEventStore:
    """An event store in a PostgreSQL database, shared by any number of processes and hosts.

    `url` is the URL it was opened with (a second handle, or a key store, can open it
    again); `shown_url` is the same with its password masked, for display."""

    def __init__(
        self,
        target: Target,
        schema: str,
        snapshot_policy: SnapshotPolicy | None = None,
        deleted_types: Iterable[str] = (),
        *,
        poll_interval: float | None = 1.0,
        pool_size: int = 10,
        before_commit: BeforeCommit | None = None,
        store_id: str | None = None,
    ) -> None:
        self.url = target.url
        self.store_id = store_id
        """Made with the schema; its key store records it."""
        self.shown_url = target.shown
        self.snapshot_policy = snapshot_policy or SnapshotPolicy()
        self.deleted_types = frozenset(deleted_types)
        self.schema = schema
        self._sql = Statements(quote(schema), channel_of(schema))
        self._many = many.ManySql(quote(schema), channel_of(schema))
        self._db = Connections(
            target, schema, self._sql.head, pool_size=pool_size, before_commit=before_commit
        )
        try:
            self._feed = CommitFeed(
                self._db.fetch,
                self._sql,
                lambda: connect(target, part="listen"),
                channel_of(schema),
                poll_interval,
            )
        except BaseException:
            self._db.close_pool()
            raise

    @classmethod
    def open(
        cls,
        url: str,
        *,
        snapshot_policy: SnapshotPolicy | None = None,
        deleted_types: Iterable[str] = (),
        poll_interval: float | None = 1.0,
        pool_size: int = 10,
        before_commit: BeforeCommit | None = None,
    ) -> PostgresEventStore:
        """Open the store a `postgresql://` URL names, creating its tables if needed.

        `?schema=NAME` keeps the store in its own schema (created if missing). An unreachable
        server, bad credentials or a schema holding something else raise StoreUrlError.
        `poll_interval` bounds how late other processes' commits can reach listeners if a
        notification is lost (None: no listener thread; call `poll()`). `before_commit` is
        for tests: it is called with the records inside the writing transaction, just before
        the commit, and may stall it, or raise to roll it back."""
        target = parse_url(url)
        with connect(target) as conn:
            schema = install(target, conn)
            try:
                store_id = store_id_of(conn, schema)
            except psycopg.Error as exc:
                raise StoreUrlError(target.shown, str(exc).splitlines()[0]) from None
        try:
            return cls(
                target,
                schema,
                snapshot_policy,
                deleted_types,
                poll_interval=poll_interval,
                pool_size=pool_size,
                before_commit=before_commit,
                store_id=store_id,
            )
        except psycopg.Error as exc:
            raise StoreUrlError(target.shown, str(exc).splitlines()[0]) from None

    # -- writing -------------------------------------------------------------------------

    def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: ExpectedVersion
    ) -> list[RecordedEvent]:
        check_stream_id(stream_id)
        expected = check_expected_version(expected_version)
        batch = normalise_events(events)
        check_text(stream_id, "stream id")
        for i, e in enumerate(batch):
            check_text(e.type, "event type")
            check_bigint(e.schema_version, "schema_version", i)
        want = -1 if expected is Expect.ANY else 0 if expected is Expect.NO_STREAM else expected
        params = (
            stream_id,
            clamp(want),
            [e.event_id for e in batch],
            [e.type for e in batch],
            [e.schema_version for e in batch],
            [dump_json(e.data) for e in batch],
            [dump_json(e.metadata) for e in batch],
            sorted(self.deleted_types),
        )

        def written(row: tuple[Any, ...]) -> list[RecordedEvent]:
            return _recorded(row, stream_id, batch)

        with self._feed.write_turn() as committed:
            lookup = lost = False
            for attempt in range(_TRIES):
                try:
                    # Stored events are looked for only on a second try: an event id of the
                    # batch stored already (a retry, or a clash) fails the first (unique).
                    rows = self._db.call(self._sql.append, (*params, lookup), written)
                    break
                except psycopg.errors.UniqueViolation:
                    if attempt == _TRIES - 1:
                        raise
                except StoreUnavailableError:
                    # The connection went mid-write: the batch may be stored. Once more, on a
                    # new connection, looking for its event ids, so it is never stored twice.
                    if lost or attempt == _TRIES - 1:
                        raise
                    lost = True
                lookup = True
            outcome, last_id, _, version, _, _, _, _, _, _ = rows[0]
            if outcome == "stored":
                return _already_stored(stream_id, batch, to_records(r[1:] for r in rows))
            if outcome == "forgotten":
                raise StreamForgottenError(stream_id)
            if outcome == "conflict":
                check_expected(stream_id, expected, version, last_id)
                raise AssertionError(f"conflict reported at the expected version {version}")
            committed += written(rows[0])
        return committed

    def append_many(
        self, writes: Sequence[StreamWrite], *, tracking: Tracking | None = None
    ) -> list[RecordedEvent]:
        checked = check_writes(writes)
        track = check_tracking(tracking)
        for w in checked:
            check_text(w.stream_id, "stream id")
            for i, e in enumerate(w.events):
                check_text(e.type, "event type")
                check_bigint(e.schema_version, "schema_version", i)
        if track is not None:
            check_text(track[0], "consumer name")
        kinds = self.deleted_types
        with self._feed.write_turn() as committed:
            for attempt in (0, 1):
                try:
                    records, written = self._db.transact(
                        lambda conn: many.append_many(
                            conn, self._many, checked, track, kinds, self._db.before_commit
                        )
                    )
                    break
                except psycopg.errors.UniqueViolation:
                    # An event id stored meanwhile in another stream (the streams' locks
                    # keep out the rest): once more, which now finds it.
                    if attempt:
                        raise
            if written:
                committed += records
        return records

    def tracking_position(self, name: str) -> int:
        check_tracking_name(name)
        rows = self._db.fetch(self._many.tracked, (name,))
        return int(rows[0][0]) if rows else 0

    def save_tracking(self, name: str, position: int) -> None:
        name, position = check_tracking((name, position)) or (name, position)
        check_text(name, "consumer name")
        self._db.transact(lambda conn: many.save_tracking(conn, self._many, name, position))

    def forget(self, stream_id: str, tombstone: NewEvent) -> RecordedEvent:
        check_stream_id(stream_id)
        (stone,) = normalise_events([tombstone])
        check_text(stream_id, "stream id")
        check_text(stone.type, "event type")
        check_bigint(stone.schema_version, "schema_version")
        params = (
            stream_id,
            stone.event_id,
            stone.type,
            stone.schema_version,
            dump_json(stone.data),
            dump_json(stone.metadata),
        )

        def written(row: tuple[Any, ...]) -> list[RecordedEvent]:
            return _recorded(row, stream_id, [stone])

        with self._feed.write_turn() as committed:
            rows = self._db.call(self._sql.forget, params, written)
            outcome = rows[0][0]
            if outcome == "missing":
                raise StreamNotFoundError(stream_id)
            if outcome == "forgotten":
                raise StreamForgottenError(stream_id)
            if outcome == "duplicate":
                raise DuplicateEventError(stone.event_id, stream_id)
            committed += written(rows[0])
        return committed[0]

    def import_records(self, records: Sequence[RecordedEvent]) -> None:
        rows = import_rows(records, self.deleted_types)
        sql = self._sql
        self._db.check_open()
        with self._feed.write_turn() as committed:
            with self._db.pool.connection() as conn, conn.transaction():
                # Appends wait for the import (and the import for appends under way).
                conn.execute(sql.lock_streams)
                head = conn.execute(sql.head_for_update).fetchone()
                if (head and head[0]) or conn.execute(sql.any_stream).fetchone():
                    raise InvalidEventError("import needs an empty store")
                if not rows.records:
                    return
                self._load_rows(conn, rows)
            committed += rows.records  # committed now

    def import_more(self, records: Sequence[RecordedEvent]) -> None:
        """Load records that continue what the store holds, in one commit: positions above
        the head, each stored stream going on at its next version, new streams from v1 (or a
        forgotten stream's lone tombstone). A long history is imported this way a chunk at a
        time, each chunk whole or not at all."""
        ids = list(dict.fromkeys(r.stream_id for r in records if isinstance(r, RecordedEvent)))
        sql = self._sql
        self._db.check_open()
        with self._feed.write_turn() as committed:
            with self._db.pool.connection() as conn, conn.transaction():
                conn.execute(sql.lock_streams)  # appends wait, as for an import
                found = conn.execute(sql.head_for_update).fetchone()
                head = found[0] if found else 0
                known = {
                    sid: (version, status)
                    for sid, version, status in conn.execute(sql.stored_streams, (ids,))
                }
                rows = import_rows(records, self.deleted_types, known)
                if not rows.records:
                    return
                if rows.records[0].position <= head:
                    raise InvalidEventError(
                        f"position {rows.records[0].position} is not above the head ({head})"
                    )
                try:
                    self._load_rows(conn, rows)
                except psycopg.errors.UniqueViolation:  # versions and positions were checked
                    raise InvalidEventError(
                        "an event id of the records is stored already"
                    ) from None
            committed += rows.records  # committed now

    def _load_rows(self, conn: psycopg.Connection[Any], rows: ImportRows) -> None:
        """COPY an import's rows in, move the head, tell the listeners (inside its
        transaction)."""
        sql, last = self._sql, rows.records[-1].position
        with conn.cursor() as cur:
            with cur.copy(sql.copy_streams) as copy:
                for row in rows.streams:
                    copy.write_row(row)
            if rows.updates:
                cur.executemany(sql.update_stream, rows.updates)
            with cur.copy(sql.copy_events) as copy:
                for row in rows.events:
                    copy.write_row(row)
        conn.execute(sql.set_head, (last,))
        conn.execute(sql.notify, (str(last),))
        if self._db.before_commit is not None:
            self._db.before_commit(rows.records)

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
        upto = clamp(to_version) if to_version is not None else clamp(2**63)
        if from_version > MAX_BIGINT:  # beyond the largest version: nothing (not the last)
            upto = 0
        count = None if limit is None else max(clamp(limit), 0)
        query = self._sql.read_stream_back if backwards else self._sql.read_stream
        rows = self._db.fetch(query, (stream_id, clamp(from_version), upto, count))
        return to_records(rows)

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
            self._db.check_open()
            return []
        bound = None if limit is None else clamp(limit)
        upto = clamp(2**63) if to_position is None else clamp(to_position)
        if from_position > MAX_BIGINT:  # beyond the largest position: nothing (not the last)
            upto = 0
        prefix = stream_prefix or None
        if prefix is not None:
            check_text(prefix, "stream prefix")
        high = None if prefix is None else prefix_bound(prefix)
        params: list[Any] = [clamp(from_position), upto]
        if kinds is not None:
            params.append(sorted(kinds))
        if prefix is not None:
            params += [prefix, prefix]
        if high is not None:
            params.append(high)
        params.append(bound)
        query = self._sql.read_log[kinds is not None, prefix is not None, high is not None]
        return to_records(self._db.fetch(query, params))

    def head_position(self) -> int:
        rows = self._db.fetch(self._sql.head)
        return int(rows[0][0]) if rows else 0

    def stream_info(self, stream_id: str) -> StreamInfo | None:
        rows = self._db.fetch(self._sql.stream_info, (stream_id,))
        return to_stream_info(rows[0]) if rows else None

    def list_streams(self) -> list[StreamInfo]:
        return [to_stream_info(r) for r in self._db.fetch(self._sql.list_streams)]

    # -- snapshots -----------------------------------------------------------------------

    def save_snapshot(self, snapshot: Snapshot) -> None:
        snap, params = self._snapshot_params(snapshot)
        _check_saved(snap, self._db.call(self._sql.save_snapshot, params)[0])

    def save_snapshots(self, snapshots: Sequence[Snapshot]) -> None:
        """`save_snapshot` for each of `snapshots` in turn, in one transaction (all or none):
        a long history's snapshots without a commit, and a flush, each."""
        checked = [self._snapshot_params(s) for s in snapshots]

        def work(conn: psycopg.Connection[Any]) -> None:
            with conn.transaction():
                for snap, params in checked:
                    row = conn.execute(self._sql.save_snapshot, params, binary=True).fetchone()
                    _check_saved(snap, row)  # raising rolls back every one of them

        if checked:
            self._db.transact(work)

    def _snapshot_params(self, snapshot: Snapshot) -> tuple[Snapshot, tuple[Any, ...]]:
        """The snapshot checked, and what the server-side function takes to save it."""
        snap = normalise_snapshot(snapshot)
        check_bigint(snap.version, "version")
        check_bigint(snap.state_schema_version, "state_schema_version")
        params = (
            snap.stream_id,
            snap.version,
            snap.last_event_id,
            dump_json(snap.state),
            snap.state_schema_version,
            snap.taken_at,
            self.snapshot_policy.keep,
        )
        return snap, params

    def snapshots(self, stream_id: str) -> list[Snapshot]:
        return [to_snapshot(r) for r in self._db.fetch(self._sql.snapshots, (stream_id,))]

    def latest_snapshot(self, stream_id: str) -> Snapshot | None:
        rows = self._db.fetch(self._sql.latest_snapshot, (stream_id,))
        return to_snapshot(rows[0]) if rows else None

    # -- listening -----------------------------------------------------------------------

    def subscribe(self, listener: CommitListener) -> Subscription:
        self._db.check_open()
        return self._feed.subscribe(listener)

    def poll(self) -> int:
        """Hand listeners the commits other processes (or other handles on this database)
        made since this handle last looked, in position order, each once; returns how many
        events. Without listeners it only moves the mark, so a later subscriber starts from
        now."""
        self._db.check_open()
        return self._feed.poll()

    def start_polling(self, interval: float = 1.0) -> None:
        """LISTEN for other processes' commits on a daemon thread, polling at least every
        `interval` seconds (replacing a running listener)."""
        self._db.check_open()
        self._feed.start_polling(interval)

    def stop_polling(self) -> None:
        """Stop the listener thread; `poll()` still works."""
        self._feed.stop_polling()

    def wait_listening(self, timeout: float = 5.0) -> bool:
        """True once the listener thread is LISTENing: commits made by others from then on
        reach this handle's listeners without a call to `poll()`."""
        return self._feed.wait_listening(timeout)

    def close(self) -> None:
        if self._db.mark_closed():
            self._feed.close()
            self._db.close_pool()


def _already_stored(
    stream_id: str, batch: list[NewEvent], found: list[RecordedEvent]
) -> list[RecordedEvent]:
    """The stored records if the whole batch is a retry; DuplicateEventError otherwise."""
    by_id = {r.event_id: r for r in found}
    out = []
    for new in batch:
        old = by_id.get(new.event_id)
        if old is None or not old.same_content(stream_id, new):
            raise DuplicateEventError(new.event_id, stream_id)
        out.append(old)
    return out


def _recorded(row: tuple[Any, ...], stream_id: str, batch: list[NewEvent]) -> list[RecordedEvent]:
    """The records a write function's row says `batch` was stored as (its first version and
    position, and the time it was recorded at)."""
    _, _, _, version, position, _, _, at, _, _ = row
    return [
        RecordedEvent(
            e.event_id,
            stream_id,
            version + i,
            position + i,
            e.type,
            e.schema_version,
            at,
            e.data,
            e.metadata,
        )
        for i, e in enumerate(batch)
    ]


def _check_saved(snap: Snapshot, row: tuple[Any, ...] | None) -> None:
    """Raise what the server-side function's answer to saving `snap` means, unless saved."""
    if row is None:
        raise AssertionError("save_snapshot answers with one row")
    outcome, version, at_version = row
    sid = snap.stream_id
    if outcome == "missing":
        raise SnapshotError(f"cannot snapshot {sid}: no such stream")
    if outcome == "forgotten":
        raise StreamForgottenError(sid)
    if outcome == "ahead":
        raise SnapshotError(
            f"snapshot of {sid} at v{snap.version} is ahead of the stream (v{version})"
        )
    if outcome == "mismatch":
        raise SnapshotError(
            f"snapshot of {sid} at v{snap.version} names event "
            f"{snap.last_event_id}, but that version is event {at_version}"
        )
