"""Rows for loading exported records into an empty SQLite store (`import_records`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.store.errors import InvalidEventError
from domain.store.records import RecordedEvent, StreamStatus
from domain.store.sqlite_codec import check_text, dump_json, format_time
from domain.store.validation import check_stream_id, json_copy


@dataclass(slots=True)
class ImportRows:
    """What `import_records` inserts: stream rows in order of creation, event rows, and the
    records (with private copies of their payloads) to hand to listeners."""

    streams: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    records: list[RecordedEvent] = field(default_factory=list)


def _checked(i: int, record: object) -> RecordedEvent:
    if not isinstance(record, RecordedEvent):
        raise InvalidEventError(f"expected RecordedEvent, got {type(record).__name__}", index=i)
    check_stream_id(record.stream_id)
    check_text(record.stream_id, "stream id")
    if not isinstance(record.type, str) or not record.type:
        raise InvalidEventError("must be a non-empty string", field="type", index=i)
    check_text(record.type, "event type")
    for name in ("version", "position", "schema_version"):
        value = getattr(record, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidEventError("must be a positive int", field=name, index=i)
    if not isinstance(record.event_id, uuid.UUID):
        raise InvalidEventError("must be a UUID", field="event_id", index=i)
    at = record.recorded_at
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise InvalidEventError("must be an aware datetime", field="recorded_at", index=i)
    return RecordedEvent(
        record.event_id,
        record.stream_id,
        record.version,
        record.position,
        record.type,
        record.schema_version,
        at,
        json_copy(record.data, field="data", index=i),
        json_copy(record.metadata, field="metadata", index=i),
    )


def import_rows(records: Sequence[RecordedEvent], deleted_types: frozenset[str]) -> ImportRows:
    """Check exported records (positions increasing, versions contiguous per stream, a
    stream starting above v1 being a forgotten stream's lone tombstone) and build the rows.
    The whole import is one commit: every event row carries the last position."""
    if isinstance(records, RecordedEvent) or not isinstance(records, Sequence):
        raise InvalidEventError("records must be a sequence of RecordedEvent")
    out = ImportRows()
    checked = [_checked(i, r) for i, r in enumerate(records)]
    end = checked[-1].position if checked else 0
    streams: dict[str, list[Any]] = {}
    ids: set[uuid.UUID] = set()
    last_position = 0
    for i, r in enumerate(checked):
        if r.position <= last_position:
            raise InvalidEventError(f"position {r.position} is not increasing", index=i)
        if r.event_id in ids:
            raise InvalidEventError(f"event id {r.event_id} appears twice", index=i)
        last_position = r.position
        ids.add(r.event_id)
        at = format_time(r.recorded_at)
        row = streams.get(r.stream_id)
        if row is None:
            status = StreamStatus.ACTIVE if r.version == 1 else StreamStatus.FORGOTTEN
            row = streams[r.stream_id] = [r.stream_id, 0, 0, status, 0, at, at]
        elif row[3] is StreamStatus.FORGOTTEN:
            raise InvalidEventError(f"{r.stream_id}: a forgotten stream holds one event", index=i)
        elif r.version != row[1] + 1:
            raise InvalidEventError(f"{r.stream_id}: version {r.version} follows {row[1]}", index=i)
        if r.type in deleted_types and row[3] is StreamStatus.ACTIVE:
            row[3] = StreamStatus.DELETED
        row[1], row[2], row[4], row[6] = r.version, row[2] + 1, r.position, at
        out.events.append(
            (r.position, end, str(r.event_id), r.stream_id, r.version, r.type, r.schema_version,
             at, dump_json(r.data), dump_json(r.metadata))
        )  # fmt: skip
    out.streams = [(*row[:3], row[3].value, *row[4:]) for row in streams.values()]
    out.records = checked
    return out
