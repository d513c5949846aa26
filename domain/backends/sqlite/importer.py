"""Rows for loading exported records into an empty SQLite store (`import_records`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.backends.sqlite.codec import check_text, dump_json, format_time
from domain.core.errors import InvalidEventError
from domain.core.records import RecordedEvent, StreamStatus
from domain.core.validation import check_import_records


@dataclass(slots=True)
class ImportRows:
    """What `import_records` inserts: stream rows in order of creation, event rows, and the
    records (with private copies of their payloads) to hand to listeners."""

    streams: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    records: list[RecordedEvent] = field(default_factory=list)


def import_rows(records: Sequence[RecordedEvent], deleted_types: frozenset[str]) -> ImportRows:
    """Check exported records (the shared checks, plus: a stream starting above v1 is a
    forgotten stream's lone tombstone) and build the rows. The whole import is one commit:
    every event row carries the last position."""
    if isinstance(records, RecordedEvent) or not isinstance(records, Sequence):
        raise InvalidEventError("records must be a sequence of RecordedEvent")
    checked = check_import_records(records)
    out = ImportRows(records=checked)
    end = checked[-1].position if checked else 0
    streams: dict[str, list[Any]] = {}
    for i, r in enumerate(checked):
        check_text(r.stream_id, "stream id")
        if not isinstance(r.type, str) or not r.type:
            raise InvalidEventError("must be a non-empty string", field="type", index=i)
        check_text(r.type, "event type")
        if not isinstance(r.event_id, uuid.UUID):
            raise InvalidEventError("must be a UUID", field="event_id", index=i)
        for name in ("version", "schema_version"):
            value = getattr(r, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidEventError("must be a positive int", field=name, index=i)
        at = format_time(r.recorded_at)
        row = streams.get(r.stream_id)
        if row is None:
            status = StreamStatus.ACTIVE if r.version == 1 else StreamStatus.FORGOTTEN
            row = streams[r.stream_id] = [r.stream_id, 0, 0, status, 0, at, at]
        elif row[3] is StreamStatus.FORGOTTEN:
            raise InvalidEventError(f"{r.stream_id}: a forgotten stream holds one event", index=i)
        if r.type in deleted_types and row[3] is StreamStatus.ACTIVE:
            row[3] = StreamStatus.DELETED
        row[1], row[2], row[4], row[6] = r.version, row[2] + 1, r.position, at
        out.events.append(
            (r.position, end, str(r.event_id), r.stream_id, r.version, r.type, r.schema_version,
             at, dump_json(r.data), dump_json(r.metadata))
        )  # fmt: skip
    out.streams = [(*row[:3], row[3].value, *row[4:]) for row in streams.values()]
    return out
