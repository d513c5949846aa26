"""Rows of the PostgreSQL store to records and back, and the checks on records to import.

Payloads are stored as `json` (the text as sent, so key order and numbers round-trip
exactly); ids as `uuid`; times as `timestamptz`, read back in UTC.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, LiteralString

from domain.core.errors import InvalidEventError
from domain.core.records import JsonObject, RecordedEvent, Snapshot, StreamInfo, StreamStatus
from domain.core.validation import check_import_records, check_imported_record, continued_stream

EVENT_COLUMNS: Final = (
    "event_id, stream_id, version, position, type, schema_version, recorded_at, data, metadata"
)
STREAM_COLUMNS: Final = "stream_id, version, event_count, status, last_position, updated_at"
SNAPSHOT_COLUMNS: Final = "stream_id, version, last_event_id, state, state_schema_version, taken_at"
MAX_BIGINT: Final = 2**63 - 1

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
_encode_ascii = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def dump_json(value: JsonObject) -> str:
    """JSON text for a payload that validation already checked."""
    text = _encode(value)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: escaped, the server takes it as JSON
            text = _encode_ascii(value)
    return text


def check_text(value: str, what: str) -> None:
    """Refuse a name PostgreSQL cannot store as text (a NUL, a lone surrogate)."""
    if "\x00" in value:
        raise InvalidEventError(f"{what} contains a NUL character")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidEventError(f"{what} is not valid Unicode text") from exc


def check_bigint(value: int, field: str, index: int | None = None) -> None:
    """Refuse a number a bigint column cannot hold."""
    if value > MAX_BIGINT:
        raise InvalidEventError("must be below 2**63", field=field, index=index)


def clamp(n: int) -> int:
    """`n` forced into the bigint range, for bounds in queries."""
    return max(min(n, MAX_BIGINT), -MAX_BIGINT)


def to_records(rows: Iterable[Sequence[Any]]) -> list[RecordedEvent]:
    """RecordedEvents from rows selected with EVENT_COLUMNS, in the rows' order."""
    return [RecordedEvent(*row[:9]) for row in rows]


def to_stream_info(row: Sequence[Any]) -> StreamInfo:
    """A StreamInfo from a row selected with STREAM_COLUMNS."""
    stream_id, version, count, status, last_position, updated_at = row
    return StreamInfo(stream_id, version, count, StreamStatus(status), last_position, updated_at)


def to_snapshot(row: Sequence[Any]) -> Snapshot:
    """A Snapshot from a row selected with SNAPSHOT_COLUMNS."""
    return Snapshot(*row)


def group_commits(rows: Sequence[Sequence[Any]]) -> list[list[RecordedEvent]]:
    """Rows selected with EVENT_COLUMNS and commit_end, cut into one list per commit."""
    out: list[list[RecordedEvent]] = []
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][9] != rows[start][9]:
            out.append(to_records(rows[start:i]))
            start = i
    return out


@dataclass(slots=True)
class ImportRows:
    """What an import loads: new stream rows in order of creation, updates of the streams it
    continues (stream_id last), event rows (the whole import is one commit) and the checked
    records."""

    streams: list[tuple[Any, ...]] = field(default_factory=list)
    updates: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    records: list[RecordedEvent] = field(default_factory=list)


def import_rows(
    records: Sequence[RecordedEvent],
    deleted_types: frozenset[str],
    known: Mapping[str, tuple[int, str]] | None = None,
) -> ImportRows:
    """Check exported records and build the rows that load them.

    Besides the shared checks: names PostgreSQL can store, numbers a bigint holds, a new
    stream starting above v1 is a forgotten stream's lone tombstone, and a stream in `known`
    (stored already, as (version, status)) goes on at its next version."""
    if isinstance(records, RecordedEvent) or not isinstance(records, Sequence):
        raise InvalidEventError("records must be a sequence of RecordedEvent")
    checked = check_import_records(records)
    out = ImportRows(records=checked)
    end = checked[-1].position if checked else 0
    before = known or {}
    # stream_id -> [version, count, status, first_position, last_position, last_id, at]
    streams: dict[str, list[Any]] = {}
    for i, r in enumerate(checked):
        check_text(r.stream_id, "stream id")
        check_imported_record(r, i)
        check_text(r.type, "event type")
        for name in ("version", "position", "schema_version"):
            check_bigint(getattr(r, name), name, i)
        row = streams.get(r.stream_id)
        if row is None:
            row = streams[r.stream_id] = _stream_row(r, i, before.get(r.stream_id))
        elif row[2] is StreamStatus.FORGOTTEN:
            raise InvalidEventError(f"{r.stream_id}: a forgotten stream holds one event", index=i)
        if r.type in deleted_types and row[2] is StreamStatus.ACTIVE:
            row[2] = StreamStatus.DELETED
        row[0], row[1], row[4], row[5], row[6] = (
            r.version,
            row[1] + 1,
            r.position,
            r.event_id,
            r.recorded_at,
        )
        out.events.append(
            (r.position, end, r.event_id, r.stream_id, r.version, r.type, r.schema_version,
             r.recorded_at, dump_json(r.data), dump_json(r.metadata))
        )  # fmt: skip
    for sid, row in streams.items():
        if sid in before:
            out.updates.append((row[0], row[1], row[2].value, *row[4:], sid))
        else:
            out.streams.append((sid, *row[:2], row[2].value, *row[3:]))
    return out


def _stream_row(r: RecordedEvent, index: int, stored: tuple[int, str] | None) -> list[Any]:
    """The row of `r`'s stream as `r`, its first record here, finds it: new, or stored."""
    version, status = continued_stream(r, index, stored)
    first = r.position if stored is None else None
    return [version, 0, status, first, 0, None, None]


class Statements:
    """The store's SQL, with its schema's name filled in."""

    def __init__(self, s: str, channel: str) -> None:
        def q(text: str) -> LiteralString:
            # mypy reads LiteralString as str; the schema name was checked by quote()
            return text.replace("{s}", s)

        ev = f"SELECT {EVENT_COLUMNS} FROM {{s}}.es_events"
        self.append = q(
            # %b: arrays go in binary, far cheaper to encode than array literals
            "SELECT * FROM {s}.es_append(%s, %s, %b::uuid[], %b::text[], %b::bigint[],"
            " %b::json[], %b::json[], %b::text[], %s)"
        )
        self.forget = q("SELECT * FROM {s}.es_forget(%s, %s, %s, %s, %s::json, %s::json)")
        self.save_snapshot = q(
            "SELECT * FROM {s}.es_save_snapshot(%s, %s, %s, %s::json, %s, %s, %s)"
        )
        self.read_stream = q(
            f"{ev} WHERE stream_id = %s AND version >= %s AND version <= %s ORDER BY version"
            " LIMIT %s"
        )
        self.read_stream_back = q(
            f"{ev} WHERE stream_id = %s AND version >= %s AND version <= %s"
            " ORDER BY version DESC LIMIT %s"
        )
        # One statement per filter (a generic plan of `x IS NULL OR ...` would ignore the
        # indexes): types by (type, position); a stream prefix as a byte-wise range on
        # (stream_id COLLATE "C", position), starts_with for the exact match.
        types = " AND type = ANY (%s::text[])"
        prefix = ' AND stream_id COLLATE "C" >= %s AND starts_with(stream_id, %s)'
        below = ' AND stream_id COLLATE "C" < %s'
        self.read_log: dict[tuple[bool, bool, bool], LiteralString] = {}
        for t in (False, True):
            for p in (False, True):
                for b in (False, True):
                    tail = (types if t else "") + (prefix if p else "") + (below if b else "")
                    self.read_log[t, p, b] = q(
                        f"{ev} WHERE position >= %s AND position <= %s{tail}"
                        " ORDER BY position LIMIT %s"
                    )
        self.read_all = q(f"{ev} WHERE position >= %s ORDER BY position LIMIT %s")
        commits = f"SELECT {EVENT_COLUMNS}, commit_end FROM {{s}}.es_events WHERE position > %s"
        self.commits_upto = q(f"{commits} AND position <= %s ORDER BY position")
        self.commits_from = q(f"{commits} ORDER BY position LIMIT %s")
        self.head = q("SELECT position FROM {s}.es_head")
        self.stream_info = q(f"SELECT {STREAM_COLUMNS} FROM {{s}}.es_streams WHERE stream_id = %s")
        self.list_streams = q(
            f"SELECT {STREAM_COLUMNS} FROM {{s}}.es_streams ORDER BY first_position"
        )
        snaps = f"SELECT {SNAPSHOT_COLUMNS} FROM {{s}}.es_snapshots WHERE stream_id = %s"
        self.snapshots = q(f"{snaps} ORDER BY version")
        self.latest_snapshot = q(f"{snaps} ORDER BY version DESC LIMIT 1")
        self.lock_streams = q("LOCK TABLE {s}.es_streams IN EXCLUSIVE MODE")
        self.head_for_update = q("SELECT position FROM {s}.es_head FOR UPDATE")
        self.any_stream = q("SELECT 1 FROM {s}.es_streams LIMIT 1")
        self.copy_streams = q(
            "COPY {s}.es_streams (stream_id, version, event_count, status, first_position,"
            " last_position, last_event_id, updated_at) FROM STDIN"
        )
        self.copy_events = q(
            "COPY {s}.es_events (position, commit_end, event_id, stream_id, version, type,"
            " schema_version, recorded_at, data, metadata) FROM STDIN"
        )
        self.stored_streams = q(
            "SELECT stream_id, version, status FROM {s}.es_streams WHERE stream_id = ANY (%s)"
        )
        self.update_stream = q(
            "UPDATE {s}.es_streams SET version = %s, event_count = event_count + %s,"
            " status = %s, last_position = %s, last_event_id = %s, updated_at = %s"
            " WHERE stream_id = %s"
        )
        self.set_head = q("UPDATE {s}.es_head SET position = %s")
        self.notify = q(f"SELECT pg_notify('{channel}', %s)")
