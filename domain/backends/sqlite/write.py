"""The write transactions of the SQLite store: what an append, a forget and a snapshot do
inside `BEGIN IMMEDIATE`, given the head position and the stream's row. Each returns its
result and the records it committed (None: nothing to keep, roll back). The checks and their
order are the memory store's, so both backends refuse the same things the same way."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

from domain.backends.memory.store import check_expected
from domain.backends.sqlite.codec import SNAPSHOT_COLUMNS, format_time, parse_uuid, select_events
from domain.backends.sqlite.feed import StreamRow
from domain.core.batch import CheckedWrite, Tracking, event_ids, stored_batch
from domain.core.errors import (
    ConcurrencyError,
    DuplicateEventError,
    SnapshotError,
    StreamForgottenError,
    StreamNotFoundError,
    TrackingConflictError,
)
from domain.core.records import (
    Expect,
    ExpectedVersion,
    NewEvent,
    RecordedEvent,
    Snapshot,
    StreamStatus,
)

Outcome = tuple[list[RecordedEvent], list[RecordedEvent] | None]

FORGOTTEN: Final = StreamStatus.FORGOTTEN.value
INSERT_EVENT: Final = (
    "INSERT INTO events (position, commit_end, event_id, stream_id, version, type,"
    " schema_version, recorded_at, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_STREAM: Final = (
    "INSERT INTO streams (stream_id, version, event_count, status, last_position, created_at,"
    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_IDS_PER_QUERY: Final = 500

EventTexts = tuple[str, str, str]
"""An event's id, data and metadata as stored."""


def append(
    conn: sqlite3.Connection,
    head: int,
    row: StreamRow | None,
    stream_id: str,
    expected: ExpectedVersion,
    batch: list[NewEvent],
    texts: list[EventTexts],
    deleted_types: frozenset[str],
) -> Outcome:
    """Append `batch` at positions `head + 1...`, or recognise a retry of a stored batch."""
    actual = row[0] if row else 0
    forgotten = row is not None and row[1] == FORGOTTEN
    want = 0 if expected is Expect.NO_STREAM else expected
    if forgotten or (expected is not Expect.ANY and want != actual):
        # A retry usually comes with a stale expected version: recognise it first.
        stored = already_stored(conn, stream_id, batch)
        if stored is not None:
            return stored, None
        if forgotten:
            raise StreamForgottenError(stream_id)
        check_expected(stream_id, expected, actual, event_id_at(conn, stream_id, actual))
    now = datetime.now(UTC)
    at = format_time(now)
    n = len(batch)
    end = head + n
    status = row[1] if row else StreamStatus.ACTIVE.value
    if not deleted_types.isdisjoint(e.type for e in batch):
        status = StreamStatus.DELETED.value
    if row is None:
        conn.execute(INSERT_STREAM, (stream_id, n, n, status, end, at, at))
    else:
        conn.execute(
            "UPDATE streams SET version = ?, event_count = event_count + ?, status = ?,"
            " last_position = ?, updated_at = ? WHERE stream_id = ?",
            (actual + n, n, status, end, at, stream_id),
        )
    params = [
        (head + i, end, eid, stream_id, actual + i, e.type, e.schema_version, at, data, meta)
        for i, (e, (eid, data, meta)) in enumerate(zip(batch, texts, strict=True), start=1)
    ]
    try:
        if n == 1:
            conn.execute(INSERT_EVENT, params[0])
        else:
            conn.executemany(INSERT_EVENT, params)
    except sqlite3.IntegrityError:  # an event id already stored: a retry sent with ANY?
        stored = already_stored(conn, stream_id, batch)
        if stored is None:
            raise
        return stored, None
    recorded = [
        RecordedEvent(
            e.event_id,
            stream_id,
            actual + i,
            head + i,
            e.type,
            e.schema_version,
            now,
            e.data,
            e.metadata,
        )
        for i, e in enumerate(batch, start=1)
    ]
    return recorded, recorded


def already_stored(
    conn: sqlite3.Connection, stream_id: str, batch: Sequence[NewEvent]
) -> list[RecordedEvent] | None:
    """The stored records if the whole batch is a retry; None if none of it is stored."""
    ids = [str(e.event_id) for e in batch]
    found: dict[uuid.UUID, RecordedEvent] = {}
    for i in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[i : i + _IDS_PER_QUERY]
        marks = ",".join("?" * len(chunk))
        for r in select_events(conn, f"WHERE event_id IN ({marks})", tuple(chunk)):
            found[r.event_id] = r
    if not found:
        return None
    out = []
    for new in batch:
        old = found.get(new.event_id)
        if old is None or not old.same_content(stream_id, new):
            raise DuplicateEventError(new.event_id, stream_id)
        out.append(old)
    return out


def event_id_at(conn: sqlite3.Connection, stream_id: str, version: int) -> uuid.UUID | None:
    """The id of a stream's event at `version`, if stored."""
    row = conn.execute(
        "SELECT event_id FROM events WHERE stream_id = ? AND version = ?", (stream_id, version)
    ).fetchone()
    return parse_uuid(row[0]) if row else None


def forget(
    conn: sqlite3.Connection,
    head: int,
    row: StreamRow | None,
    stream_id: str,
    stone: NewEvent,
    texts: EventTexts,
) -> tuple[RecordedEvent, list[RecordedEvent]]:
    """Replace a stream's events and snapshots by `stone` at its next version."""
    if row is None:
        raise StreamNotFoundError(stream_id)
    if row[1] == FORGOTTEN:
        raise StreamForgottenError(stream_id)
    eid, data, meta = texts
    if conn.execute("SELECT 1 FROM events WHERE event_id = ?", (eid,)).fetchone():
        raise DuplicateEventError(stone.event_id, stream_id)
    now = datetime.now(UTC)
    at = format_time(now)
    version, position = row[0] + 1, head + 1
    # The tombstone goes in first, so max(position) never falls back to a freed position.
    conn.execute(
        INSERT_EVENT,
        (position, position, eid, stream_id, version, stone.type, stone.schema_version, at,
         data, meta),
    )  # fmt: skip
    conn.execute("DELETE FROM events WHERE stream_id = ? AND position <> ?", (stream_id, position))
    conn.execute("DELETE FROM snapshots WHERE stream_id = ?", (stream_id,))
    conn.execute(
        "UPDATE streams SET version = ?, event_count = 1, status = ?, last_position = ?,"
        " updated_at = ? WHERE stream_id = ?",
        (version, FORGOTTEN, position, at, stream_id),
    )
    record = RecordedEvent(
        stone.event_id,
        stream_id,
        version,
        position,
        stone.type,
        stone.schema_version,
        now,
        stone.data,
        stone.metadata,
    )
    return record, [record]


def save_snapshot(
    conn: sqlite3.Connection,
    row: StreamRow | None,
    snap: Snapshot,
    state: str,
    taken_at: str,
    keep: int,
) -> None:
    """Keep `snap` (replacing one at the same version) and the `keep - 1` newest others."""
    sid = snap.stream_id
    if row is None:
        raise SnapshotError(f"cannot snapshot {sid}: no such stream")
    if row[1] == FORGOTTEN:
        raise StreamForgottenError(sid)
    if snap.version > row[0]:
        raise SnapshotError(
            f"snapshot of {sid} at v{snap.version} is ahead of the stream (v{row[0]})"
        )
    at_version = event_id_at(conn, sid, snap.version)
    if at_version != snap.last_event_id:
        raise SnapshotError(
            f"snapshot of {sid} at v{snap.version} names event "
            f"{snap.last_event_id}, but that version is event {at_version}"
        )
    conn.execute(
        f"INSERT OR REPLACE INTO snapshots ({SNAPSHOT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
        (sid, snap.version, str(at_version), state, snap.state_schema_version, taken_at),
    )
    conn.execute(
        "DELETE FROM snapshots WHERE stream_id = ?1 AND version NOT IN"
        " (SELECT version FROM snapshots WHERE stream_id = ?1 ORDER BY version DESC LIMIT ?2)",
        (sid, keep),
    )


def append_many(
    conn: sqlite3.Connection,
    head: int,
    writes: list[CheckedWrite],
    texts: list[list[EventTexts]],
    deleted_types: frozenset[str],
    tracking: Tracking | None,
) -> Outcome:
    """Append to several streams at positions `head + 1...` (one commit: every event row
    carries the last position), recording `tracking`; or recognise a retry of a stored call.
    The checks are `append`'s, stream by stream in the caller's order."""
    rows: list[StreamRow | None] = []
    problem: Exception | None = None
    for w in writes:
        found = conn.execute(
            "SELECT version, status FROM streams WHERE stream_id = ?", (w.stream_id,)
        ).fetchone()
        row: StreamRow | None = None if found is None else (found[0], found[1])
        rows.append(row)
        actual = row[0] if row else 0
        want = 0 if w.expected is Expect.NO_STREAM else w.expected
        if problem is None and row is not None and row[1] == FORGOTTEN:
            problem = StreamForgottenError(w.stream_id)
        elif problem is None and w.expected is not Expect.ANY and want != actual:
            last = event_id_at(conn, w.stream_id, actual)
            problem = ConcurrencyError(w.stream_id, w.expected, actual, last)
    if problem is not None:
        # A retry usually comes with stale expected versions: recognise it first.
        stored = stored_many(conn, writes)
        if stored is not None:
            return stored, None
        raise problem
    if tracking is not None:
        check_tracking_at(conn, *tracking)
    now = datetime.now(UTC)
    at = format_time(now)
    end = head + sum(len(w.events) for w in writes)
    position = head
    params: list[tuple[object, ...]] = []
    recorded: list[RecordedEvent] = []
    for w, row, stream_texts in zip(writes, rows, texts, strict=True):
        actual = row[0] if row else 0
        n = len(w.events)
        status = row[1] if row else StreamStatus.ACTIVE.value
        if not deleted_types.isdisjoint(e.type for e in w.events):
            status = StreamStatus.DELETED.value
        if row is None:
            conn.execute(INSERT_STREAM, (w.stream_id, n, n, status, position + n, at, at))
        else:
            conn.execute(
                "UPDATE streams SET version = ?, event_count = event_count + ?, status = ?,"
                " last_position = ?, updated_at = ? WHERE stream_id = ?",
                (actual + n, n, status, position + n, at, w.stream_id),
            )
        for i, (e, (eid, data, meta)) in enumerate(zip(w.events, stream_texts, strict=True), 1):
            params.append(
                (position + i, end, eid, w.stream_id, actual + i, e.type, e.schema_version, at,
                 data, meta)
            )  # fmt: skip
            recorded.append(
                RecordedEvent(
                    e.event_id,
                    w.stream_id,
                    actual + i,
                    position + i,
                    e.type,
                    e.schema_version,
                    now,
                    e.data,
                    e.metadata,
                )
            )
        position += n
    try:
        conn.executemany(INSERT_EVENT, params)
    except sqlite3.IntegrityError:  # an event id already stored: a retry sent with ANY?
        stored = stored_many(conn, writes)
        if stored is None:
            raise
        return stored, None
    if tracking is not None:
        conn.execute("INSERT OR REPLACE INTO tracking (name, position) VALUES (?, ?)", tracking)
    return recorded, recorded


def stored_many(conn: sqlite3.Connection, writes: list[CheckedWrite]) -> list[RecordedEvent] | None:
    """The stored records if the whole multi-stream call is a retry; None if none of it is
    stored (DuplicateEventError for a partial or different match)."""
    ids = [str(i) for i in event_ids(writes)]
    found: dict[uuid.UUID, RecordedEvent] = {}
    for i in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[i : i + _IDS_PER_QUERY]
        marks = ",".join("?" * len(chunk))
        for r in select_events(conn, f"WHERE event_id IN ({marks})", tuple(chunk)):
            found[r.event_id] = r
    return stored_batch(writes, found)


def tracked_at(conn: sqlite3.Connection, name: str) -> int:
    """The position the consumer `name` recorded (0: none, or a store without tracking)."""
    try:
        row = conn.execute("SELECT position FROM tracking WHERE name = ?", (name,)).fetchone()
    except sqlite3.OperationalError as exc:  # a store opened read-only that predates it
        if "no such table" in str(exc):
            return 0
        raise
    return int(row[0]) if row else 0


def check_tracking_at(conn: sqlite3.Connection, name: str, position: int) -> None:
    """Refuse a tracking position that would not move `name` forward."""
    stored = tracked_at(conn, name)
    if position <= stored:
        raise TrackingConflictError(name, position, stored)


def save_tracking(conn: sqlite3.Connection, name: str, position: int) -> None:
    """Move `name`'s tracking forward to `position` (inside the write transaction)."""
    check_tracking_at(conn, name, position)
    conn.execute("INSERT OR REPLACE INTO tracking (name, position) VALUES (?, ?)", (name, position))
