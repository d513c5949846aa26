"""Rows for loading exported records into a SQLite store: into an empty one
(`import_records`), or continuing what an earlier import left (`import_more`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from domain.backends.sqlite.codec import check_text, dump_json, format_time
from domain.backends.sqlite.feed import StreamRow
from domain.core.errors import InvalidEventError
from domain.core.records import RecordedEvent, StreamStatus
from domain.core.validation import check_import_records, check_imported_record, continued_stream

UPDATE_STREAM: Final = (
    "UPDATE streams SET version = ?, event_count = event_count + ?, status = ?,"
    " last_position = ?, updated_at = ? WHERE stream_id = ?"
)
_IDS_PER_QUERY: Final = 500
IMPORT_CACHE: Final = -524_288
"""SQLite's page cache while a chunk is imported: 512 MiB (negative: KiB), for that
transaction only."""


@dataclass(slots=True)
class ImportRows:
    """What an import inserts: new stream rows in order of creation, updates of the streams
    it continues, event rows, and the records (with private copies of their payloads) to
    hand to listeners."""

    streams: list[tuple[Any, ...]] = field(default_factory=list)
    updates: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    records: list[RecordedEvent] = field(default_factory=list)


def import_rows(
    records: Sequence[RecordedEvent],
    deleted_types: frozenset[str],
    known: Mapping[str, StreamRow] | None = None,
) -> ImportRows:
    """Check exported records (the shared checks, plus: a new stream starting above v1 is a
    forgotten stream's lone tombstone; a stream in `known` — stored already, as (version,
    status) — goes on at its next version) and build the rows. The whole import is one
    commit: every event row carries the last position."""
    if isinstance(records, RecordedEvent) or not isinstance(records, Sequence):
        raise InvalidEventError("records must be a sequence of RecordedEvent")
    checked = check_import_records(records)
    out = ImportRows(records=checked)
    end = checked[-1].position if checked else 0
    streams: dict[str, list[Any]] = {}
    before = known or {}
    for i, r in enumerate(checked):
        check_text(r.stream_id, "stream id")
        check_imported_record(r, i)
        check_text(r.type, "event type")
        at = format_time(r.recorded_at)
        row = streams.get(r.stream_id)
        if row is None:
            row = streams[r.stream_id] = _stream_row(r, i, at, before.get(r.stream_id))
        elif row[3] is StreamStatus.FORGOTTEN:
            raise InvalidEventError(f"{r.stream_id}: a forgotten stream holds one event", index=i)
        if r.type in deleted_types and row[3] is StreamStatus.ACTIVE:
            row[3] = StreamStatus.DELETED
        row[1], row[2], row[4], row[6] = r.version, row[2] + 1, r.position, at
        out.events.append(
            (r.position, end, str(r.event_id), r.stream_id, r.version, r.type, r.schema_version,
             at, dump_json(r.data), dump_json(r.metadata))
        )  # fmt: skip
    for sid, row in streams.items():
        if sid in before:  # stream_id last, for UPDATE_STREAM's WHERE
            out.updates.append((row[1], row[2], row[3].value, row[4], row[6], sid))
        else:
            out.streams.append((*row[:3], row[3].value, *row[4:]))
    return out


def _stream_row(r: RecordedEvent, index: int, at: str, stored: StreamRow | None) -> list[Any]:
    """The row of `r`'s stream as `r`, its first record here, finds it: new, or stored."""
    version, status = continued_stream(r, index, stored)
    return [r.stream_id, version, 0, status, 0, at if stored is None else None, at]


def stored_streams(conn: sqlite3.Connection, stream_ids: Sequence[str]) -> dict[str, StreamRow]:
    """(version, status) of those of `stream_ids` the store holds."""
    found: dict[str, StreamRow] = {}
    for i in range(0, len(stream_ids), _IDS_PER_QUERY):
        chunk = stream_ids[i : i + _IDS_PER_QUERY]
        marks = ",".join("?" * len(chunk))
        query = f"SELECT stream_id, version, status FROM streams WHERE stream_id IN ({marks})"
        for sid, version, status in conn.execute(query, chunk):
            found[sid] = (version, status)
    return found
