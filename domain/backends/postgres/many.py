"""The PostgreSQL store's multi-stream append and consumer tracking, as one transaction of a
few statements (the single-stream append stays one server-side function call).

Lock order, the same in every write, so writers never deadlock: the streams' rows, in
sorted stream order; then the consumer's tracking row; then the `es_head` counter row, last,
right before positions are taken (see `domain.backends.postgres.store` for why it stays locked until
the commit). A single-stream append or a forget locks one stream row, then the head row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, LiteralString

import psycopg

from domain.backends.memory.store import check_expected
from domain.backends.postgres.rows import EVENT_COLUMNS, dump_json, to_records
from domain.core.batch import CheckedWrite, Tracking, event_ids, stored_batch
from domain.core.errors import ConcurrencyError, StreamForgottenError, TrackingConflictError
from domain.core.records import RecordedEvent, StreamStatus

StreamState = tuple[int, str, uuid.UUID | None]
"""A locked stream's version, status and last event id."""


class ManySql:
    """The statements of `append_many` and tracking, with the store's schema filled in."""

    def __init__(self, s: str, channel: str) -> None:
        def q(text: str) -> LiteralString:
            # mypy reads LiteralString as str; the schema name was checked by quote()
            return text.replace("{s}", s)

        self.lock_stream = q(
            "SELECT version, status, last_event_id FROM {s}.es_streams WHERE stream_id = %s"
            " FOR UPDATE"
        )
        self.new_stream = q(
            "INSERT INTO {s}.es_streams VALUES (%s, 0, 0, 'active', 0, 0, NULL, now())"
            " ON CONFLICT (stream_id) DO NOTHING RETURNING 1"
        )
        self.stored = q(f"SELECT {EVENT_COLUMNS} FROM {{s}}.es_events WHERE event_id = ANY (%s)")
        self.event_at = q(
            "SELECT event_id FROM {s}.es_events WHERE stream_id = %s AND version = %s"
        )
        self.track = q(
            "INSERT INTO {s}.es_tracking AS t VALUES (%s, %s) ON CONFLICT (name) DO UPDATE"
            " SET position = excluded.position WHERE t.position < excluded.position"
            " RETURNING t.position"
        )
        self.tracked = q("SELECT position FROM {s}.es_tracking WHERE name = %s")
        self.take_positions = q(
            "UPDATE {s}.es_head h SET position = h.position + %s WHERE h.id = 1"
            " RETURNING h.position - %s, clock_timestamp()"
        )
        self.insert_events = q(
            "INSERT INTO {s}.es_events (position, commit_end, event_id, stream_id, version,"
            " type, schema_version, recorded_at, data, metadata)"
            " SELECT u.p, %s, u.id, u.sid, u.v, u.kind, u.sv, %s, u.d, u.m"
            " FROM unnest(%b::bigint[], %b::uuid[], %b::text[], %b::bigint[], %b::text[],"
            " %b::bigint[], %b::json[], %b::json[]) AS u(p, id, sid, v, kind, sv, d, m)"
        )
        self.update_stream = q(
            "UPDATE {s}.es_streams st SET version = %s, event_count = st.event_count + %s,"
            " status = %s, first_position = CASE WHEN st.first_position = 0 THEN %s"
            " ELSE st.first_position END, last_position = %s, last_event_id = %s,"
            " updated_at = %s WHERE st.stream_id = %s"
        )
        self.notify = q(f"SELECT pg_notify('{channel}', %s)")


def lock_stream(conn: psycopg.Connection[Any], sql: ManySql, stream_id: str) -> StreamState:
    """Lock a stream's row until the transaction ends, creating an empty one for a new
    stream (its row, created and locked now, is its lock; a rollback removes it)."""
    while True:
        row = conn.execute(sql.lock_stream, (stream_id,)).fetchone()
        if row is not None:
            return int(row[0]), str(row[1]), row[2]
        if conn.execute(sql.new_stream, (stream_id,)).fetchone() is not None:
            return 0, StreamStatus.ACTIVE.value, None
        # another transaction created it meanwhile (and has committed): lock it and look


def stored_many(
    conn: psycopg.Connection[Any], sql: ManySql, writes: Sequence[CheckedWrite]
) -> list[RecordedEvent] | None:
    """The stored records when the call is a retry of a stored one (see `stored_batch`)."""
    rows = conn.execute(sql.stored, (event_ids(writes),), binary=True).fetchall()
    return stored_batch(writes, {r.event_id: r for r in to_records(rows)})


def append_many(
    conn: psycopg.Connection[Any],
    sql: ManySql,
    writes: list[CheckedWrite],
    tracking: Tracking | None,
    deleted_types: frozenset[str],
    before_commit: Callable[[Sequence[RecordedEvent]], None] | None,
) -> tuple[list[RecordedEvent], bool]:
    """Run the whole call in one transaction; returns the records and whether they were
    written now (False: a retry of a stored call)."""
    with conn.transaction():
        states = {w.stream_id: lock_stream(conn, sql, w.stream_id) for w in _sorted(writes)}
        problem: Exception | None = None
        for w in writes:
            version, status, last = states[w.stream_id]
            if status == StreamStatus.FORGOTTEN.value:
                problem = StreamForgottenError(w.stream_id)
                break
            try:
                check_expected(w.stream_id, w.expected, version, last)
            except ConcurrencyError as exc:
                problem = exc
                break
        # A retry usually comes with stale expected versions: recognise it first. (Looked
        # for up front: a unique violation would abort the whole transaction.)
        stored = stored_many(conn, sql, writes)
        if stored is not None:
            return stored, False
        if problem is not None:
            raise problem
        if tracking is not None and conn.execute(sql.track, tracking).fetchone() is None:
            row = conn.execute(sql.tracked, (tracking[0],)).fetchone()
            raise TrackingConflictError(tracking[0], tracking[1], int(row[0]) if row else 0)
        total = sum(len(w.events) for w in writes)
        taken = conn.execute(sql.take_positions, (total, total)).fetchone()
        assert taken is not None
        base, at = int(taken[0]), taken[1]
        recorded = _records(writes, states, base, at)
        cols: list[list[Any]] = [[] for _ in range(8)]
        for r in recorded:
            for col, value in zip(
                cols,
                (r.position, r.event_id, r.stream_id, r.version, r.type, r.schema_version,
                 dump_json(r.data), dump_json(r.metadata)),
                strict=True,
            ):  # fmt: skip
                col.append(value)
        conn.execute(sql.insert_events, (base + total, at, *cols))
        for w in writes:
            part = [r for r in recorded if r.stream_id == w.stream_id]
            version, status, _ = states[w.stream_id]
            if status == StreamStatus.ACTIVE.value and not deleted_types.isdisjoint(
                e.type for e in w.events
            ):
                status = StreamStatus.DELETED.value
            conn.execute(
                sql.update_stream,
                (part[-1].version, len(part), status, part[0].position, part[-1].position,
                 part[-1].event_id, at, w.stream_id),
            )  # fmt: skip
        conn.execute(sql.notify, (str(base + total),))
        if before_commit is not None:
            before_commit(recorded)
    return recorded, True


def _sorted(writes: list[CheckedWrite]) -> list[CheckedWrite]:
    return sorted(writes, key=lambda w: w.stream_id.encode("utf-8"))


def _records(
    writes: list[CheckedWrite],
    states: dict[str, StreamState],
    base: int,
    at: datetime,
) -> list[RecordedEvent]:
    out: list[RecordedEvent] = []
    for w in writes:
        version = states[w.stream_id][0]
        for i, e in enumerate(w.events, start=1):
            out.append(
                RecordedEvent(
                    e.event_id,
                    w.stream_id,
                    version + i,
                    base + len(out) + 1,
                    e.type,
                    e.schema_version,
                    at,
                    e.data,
                    e.metadata,
                )
            )
    return out


def save_tracking(conn: psycopg.Connection[Any], sql: ManySql, name: str, position: int) -> None:
    """Move `name`'s tracking forward to `position`, or refuse (TrackingConflictError)."""
    with conn.transaction():
        if conn.execute(sql.track, (name, position)).fetchone() is None:
            row = conn.execute(sql.tracked, (name,)).fetchone()
            raise TrackingConflictError(name, position, int(row[0]) if row else 0)
