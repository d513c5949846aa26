"""Rows of the SQLite store to records and back: JSON text, ISO-8601 UTC times, text UUIDs.

Reading is the hot path (replays, the global log), so a row becomes a RecordedEvent with one
call per column and no per-row Python loop beyond that; recently parsed event ids are kept
in a small bounded cache because the same ids are read again and again.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from json.scanner import make_scanner
from typing import Any, Final, cast

from domain.core.errors import InvalidEventError
from domain.core.records import JsonObject, RecordedEvent, Snapshot, StreamInfo, StreamStatus

EVENT_COLUMNS: Final = (
    "event_id, stream_id, version, position, type, schema_version, recorded_at, data, metadata"
)
STREAM_COLUMNS: Final = "stream_id, version, event_count, status, last_position, updated_at"
SNAPSHOT_COLUMNS: Final = "stream_id, version, last_event_id, state, state_schema_version, taken_at"

EventRow = tuple[str, str, int, int, str, int, str, str, str]

# Compact separators and the caller's key order; non-ASCII kept as UTF-8 text.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
_encode_ascii = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
_decoder = json.JSONDecoder()
_decode = _decoder.decode
_scan = make_scanner(cast(Any, _decoder))  # the C scanner json.loads itself runs

_UUID_CACHE_SIZE: Final = 8192
_uuids: dict[str, uuid.UUID] = {}


def dump_json(value: JsonObject) -> str:
    """JSON text for a payload that validation already checked."""
    return storable(_encode(value), value)


def storable(text: str, value: JsonObject) -> str:
    """`text`, the compact JSON of `value` (as `dump_json` or validation's
    `json_copy_text` writes it), in a form SQLite can keep: valid UTF-8."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: escaped, as only ASCII output does
            return _encode_ascii(value)
    return text


def load_json(text: str) -> Any:
    """A JSON value from stored text. The text this store writes is compact, so the scanner
    reads it directly, skipping the whitespace handling of `json.loads` (a third of the cost
    of a small payload); other text falls back to the full decoder."""
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        return _decode(text)
    return value if end == len(text) else _decode(text)


def check_text(value: str, what: str) -> None:
    """Refuse a name SQLite cannot store as UTF-8 text (a lone surrogate)."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidEventError(f"{what} is not valid Unicode text") from exc


def format_time(moment: datetime) -> str:
    """ISO-8601 with microseconds; aware times are stored in UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


def parse_uuid(text: str) -> uuid.UUID:
    """A UUID from its text, through a bounded cache."""
    found = _uuids.get(text)
    if found is None:
        if len(_uuids) >= _UUID_CACHE_SIZE:
            _uuids.clear()
        found = _uuids[text] = uuid.UUID(text)
    return found


def to_records(rows: Iterable[EventRow]) -> list[RecordedEvent]:
    """RecordedEvents from rows selected with EVENT_COLUMNS, in the rows' order."""
    times: dict[str, datetime] = {}
    metas: dict[str, Any] = {}
    out: list[RecordedEvent] = []
    add = out.append
    when = times.get
    meta = metas.get
    for event_id, stream_id, version, position, kind, schema, at, data, metadata in rows:
        recorded_at = when(at)
        if recorded_at is None:  # a batch shares one time: parse it once
            recorded_at = times[at] = datetime.fromisoformat(at)
        # Records are read-only, so equal metadata texts in one read may share one object.
        parsed_meta = meta(metadata)
        if parsed_meta is None:
            parsed_meta = metas[metadata] = load_json(metadata)
        add(
            RecordedEvent(
                parse_uuid(event_id),
                stream_id,
                version,
                position,
                kind,
                schema,
                recorded_at,
                load_json(data),
                parsed_meta,
            )
        )
    return out


def to_stream_info(row: tuple[str, int, int, str, int, str]) -> StreamInfo:
    """A StreamInfo from a row selected with STREAM_COLUMNS."""
    stream_id, version, count, status, last_position, updated_at = row
    return StreamInfo(
        stream_id=stream_id,
        version=version,
        event_count=count,
        status=StreamStatus(status),
        last_position=last_position,
        updated_at=datetime.fromisoformat(updated_at),
    )


def to_snapshot(row: tuple[str, int, str, str, int, str]) -> Snapshot:
    """A Snapshot from a row selected with SNAPSHOT_COLUMNS."""
    stream_id, version, last_event_id, state, schema, taken_at = row
    return Snapshot(
        stream_id=stream_id,
        version=version,
        last_event_id=parse_uuid(last_event_id),
        state=load_json(state),
        state_schema_version=schema,
        taken_at=datetime.fromisoformat(taken_at),
    )


def select_events(
    conn: sqlite3.Connection, where: str, params: tuple[Any, ...]
) -> list[RecordedEvent]:
    """The events matching `where` (a SQL tail such as "WHERE ... ORDER BY ...")."""
    return to_records(conn.execute(f"SELECT {EVENT_COLUMNS} FROM events {where}", params))
