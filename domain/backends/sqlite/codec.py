"""Rows of the SQLite store to records and back: JSON text, ISO-8601 UTC times, text UUIDs.

Reading is the hot path (replays, the global log), so a row becomes a `RowEvent`: a
RecordedEvent whose event id and metadata stay the row's text until first read. A replay
reads neither but for its last event, and parsing them was half the cost of a row. Recently
parsed event ids are kept in a small bounded cache because the same ids are read again and
again.

A stream's events (what a load replays) are `StreamRowEvent`s, whose payload stays text too
until first read: a fold that reads each payload once can parse it without keeping it
(`peek_data`), so a replay builds no payload objects that outlive their event's turn.
"""

from __future__ import annotations

import gc
import json
import sqlite3
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from json.scanner import make_scanner
from typing import Any, Final, cast

from pydantic_core import from_json as _from_json

from domain.core.errors import InvalidEventError, UnreadableEventError
from domain.core.records import (
    JsonObject,
    RecordedEvent,
    Snapshot,
    StreamInfo,
    StreamStatus,
    fields_equal,
)

EVENT_COLUMNS: Final = (
    "event_id, stream_id, version, position, type, schema_version, recorded_at, data, metadata"
)
STREAM_EVENT_COLUMNS: Final = (
    "event_id, version, position, type, schema_version, recorded_at, data, metadata"
)
"""EVENT_COLUMNS less the stream id, which a read of one stream already knows."""
STREAM_COLUMNS: Final = "stream_id, version, event_count, status, last_position, updated_at"
SNAPSHOT_COLUMNS: Final = "stream_id, version, last_event_id, state, state_schema_version, taken_at"

EventRow = tuple[str, str, int, int, str, int, str, str, str]
StreamEventRow = tuple[str, int, int, str, int, str, str, str]

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
    """A JSON value from stored text, read by pydantic-core's parser (written in Rust,
    twice as fast as the standard library's on a sealed payload). Text it refuses (an
    escaped lone surrogate, which the standard library reads; a string holding one, which
    it cannot take) goes to `load_json_plain`, so every text gives the value, or the error,
    that `json.loads` gives."""
    try:
        return _from_json(text)
    except (ValueError, TypeError):
        return load_json_plain(text)


def load_json_plain(text: str) -> Any:
    """A JSON value from stored text, through the standard library. The text this store
    writes is compact, so the scanner reads it directly, skipping the whitespace handling
    of `json.loads` (a third of the cost of a small payload); other text falls back to the
    full decoder."""
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


_EVENT_ID: Final = RecordedEvent.__dict__["event_id"]
_METADATA: Final = RecordedEvent.__dict__["metadata"]
_DATA: Final = RecordedEvent.__dict__["data"]
"""The slots the dataclass made for these fields: `RowEvent` fills them when first read."""


class RowEvent(RecordedEvent):
    """A RecordedEvent read from a row of the events table: equal to (and hashing as) the
    RecordedEvent of the same fields, but its `event_id` and `metadata` are parsed from the
    row's text when first read, then kept.

    Two threads reading one of them at once may both parse it; they store equal values."""

    __slots__ = ("_event_id_text", "_metadata_text")
    _event_id_text: str
    _metadata_text: str

    @property
    def event_id(self) -> uuid.UUID:
        try:
            found: uuid.UUID = _EVENT_ID.__get__(self, RowEvent)
        except AttributeError:
            try:
                found = parse_uuid(self._event_id_text)
            except (ValueError, TypeError) as exc:
                raise unreadable(self, "event id", exc) from None
            _EVENT_ID.__set__(self, found)
        return found

    @event_id.setter
    def event_id(self, value: uuid.UUID) -> None:  # the dataclass __init__ (as `replace` runs it)
        _EVENT_ID.__set__(self, value)

    @property
    def metadata(self) -> JsonObject:
        try:
            found: JsonObject = _METADATA.__get__(self, RowEvent)
        except AttributeError:
            try:
                found = load_json(self._metadata_text)
            except (ValueError, TypeError) as exc:
                raise unreadable(self, "metadata", exc) from None
            _METADATA.__set__(self, found)
        return found

    @metadata.setter
    def metadata(self, value: JsonObject) -> None:
        _METADATA.__set__(self, value)

    __eq__ = fields_equal

    __hash__ = RecordedEvent.__hash__


class StreamRowEvent(RowEvent):
    """A RowEvent whose payload (`data`) also stays the row's JSON text until first read,
    then is kept; `peek_data` reads it without keeping it. Equal to (and hashing as) the
    RecordedEvent of the same fields.

    A malformed payload fails (ValueError, as `json.loads` fails) where it is first read,
    as a malformed event id or metadata does."""

    __slots__ = ("_data_text",)
    _data_text: str | None
    """The payload's text until it is parsed and kept (then None)."""

    @property
    def data(self) -> JsonObject:
        text = self._data_text
        if text is None:
            kept: JsonObject = _DATA.__get__(self, StreamRowEvent)
            return kept
        try:
            found: JsonObject = load_json(text)
        except (ValueError, TypeError) as exc:
            raise unreadable(self, "data", exc) from None
        _DATA.__set__(self, found)
        _SET_DATA_TEXT(self, None)  # after the value: a reader seeing None finds it
        return found

    @data.setter
    def data(self, value: JsonObject) -> None:  # the dataclass __init__ (as `replace` runs it)
        _DATA.__set__(self, value)
        _SET_DATA_TEXT(self, None)

    def peek_data(self) -> JsonObject:
        """The payload, equal to `data`, without keeping it if it is not kept yet: for a
        reader that looks at each payload of a long replay once (a fold reading edits in
        place), so the replay does not build payload objects that outlive their turn, which
        the garbage collector would then walk."""
        text = self._data_text
        if text is None:
            kept: JsonObject = _DATA.__get__(self, StreamRowEvent)
            return kept
        try:  # `load_json` inlined: this runs once per event of a replay
            found: JsonObject = _from_json(text)
        except (ValueError, TypeError):
            try:
                found = load_json_plain(text)
            except (ValueError, TypeError) as exc:
                raise unreadable(self, "data", exc) from None
        return found


def unreadable(record: RecordedEvent, part: str, exc: Exception) -> UnreadableEventError:
    """The error for a `part` of `record`'s row that does not parse (`exc` says why)."""
    return _unreadable_row(record.position, record.stream_id, record.version, part, exc)


def _unreadable_row(
    position: int, stream_id: str, version: int, part: str, exc: Exception
) -> UnreadableEventError:
    cause = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return UnreadableEventError(position, stream_id, version, part, cause)


def _setter(cls: type, name: str) -> Any:
    return cls.__dict__[name].__set__


# Each slot set directly: faster than the frozen dataclass's __init__, which goes through
# object.__setattr__ field by field.
_SET_ID, _SET_META = _setter(RowEvent, "_event_id_text"), _setter(RowEvent, "_metadata_text")
_SET_STREAM, _SET_VERSION, _SET_POSITION, _SET_TYPE, _SET_SCHEMA, _SET_AT, _SET_DATA = (
    _setter(RecordedEvent, name)
    for name in (
        "stream_id", "version", "position", "type", "schema_version", "recorded_at", "data"
    )
)  # fmt: skip
_SET_DATA_TEXT = _setter(StreamRowEvent, "_data_text")


def to_records(rows: Iterable[EventRow]) -> list[RecordedEvent]:
    """RecordedEvents (`RowEvent`s) from rows selected with EVENT_COLUMNS, in the rows'
    order. The payload is parsed now: nearly every reader reads it.

    The garbage collector is paused meanwhile (and left as it was found): what is built
    holds no reference cycle, so a collection could free none of it, yet collections kept
    walking the growing list over and over (half the time of a 100,000-event read)."""
    collecting = gc.isenabled()
    if collecting:
        gc.disable()
    try:
        return _to_records(rows)
    finally:
        if collecting:
            gc.enable()


def _to_records(rows: Iterable[EventRow]) -> list[RecordedEvent]:
    times: dict[str, datetime] = {}
    out: list[RecordedEvent] = []
    add = out.append
    when = times.get
    new = object.__new__
    set_id, set_meta, set_stream, set_version = _SET_ID, _SET_META, _SET_STREAM, _SET_VERSION
    set_position, set_type, set_schema, set_at, set_data = (
        _SET_POSITION, _SET_TYPE, _SET_SCHEMA, _SET_AT, _SET_DATA
    )  # fmt: skip
    for event_id, stream_id, version, position, kind, schema, at, data, metadata in rows:
        recorded_at = when(at)
        if recorded_at is None:  # a batch shares one time: parse it once
            recorded_at = _parsed_time(times, at, position, stream_id, version)
        record = new(RowEvent)
        set_id(record, event_id)
        set_stream(record, stream_id)
        set_version(record, version)
        set_position(record, position)
        set_type(record, kind)
        set_schema(record, schema)
        set_at(record, recorded_at)
        try:
            set_data(record, load_json(data))
        except (ValueError, TypeError) as exc:
            raise _unreadable_row(position, stream_id, version, "data", exc) from None
        set_meta(record, metadata)
        add(record)
    return out


def _parsed_time(
    times: dict[str, datetime], at: str, position: int, stream_id: str, version: int
) -> datetime:
    """A row's time parsed and kept in `times` for the rest of its batch; an unreadable one
    refused with the row's place."""
    try:
        recorded_at = times[at] = datetime.fromisoformat(at)
    except (ValueError, TypeError) as exc:
        raise _unreadable_row(position, stream_id, version, "time", exc) from None
    return recorded_at


def to_stream_records(rows: Iterable[StreamEventRow], stream_id: str) -> list[RecordedEvent]:
    """`StreamRowEvent`s of `stream_id` from rows selected with STREAM_EVENT_COLUMNS, in the
    rows' order; nothing of a row is parsed but its time (shared by a batch). The garbage
    collector is paused meanwhile, as in `to_records`."""
    collecting = gc.isenabled()
    if collecting:
        gc.disable()
    try:
        return _to_stream_records(rows, stream_id)
    finally:
        if collecting:
            gc.enable()


def _to_stream_records(rows: Iterable[StreamEventRow], stream_id: str) -> list[RecordedEvent]:
    times: dict[str, datetime] = {}
    out: list[RecordedEvent] = []
    add = out.append
    when = times.get
    new = object.__new__
    set_id, set_meta, set_stream, set_version = _SET_ID, _SET_META, _SET_STREAM, _SET_VERSION
    set_position, set_type, set_schema, set_at, set_text = (
        _SET_POSITION, _SET_TYPE, _SET_SCHEMA, _SET_AT, _SET_DATA_TEXT
    )  # fmt: skip
    for event_id, version, position, kind, schema, at, data, metadata in rows:
        recorded_at = when(at)
        if recorded_at is None:  # a batch shares one time: parse it once
            recorded_at = _parsed_time(times, at, position, stream_id, version)
        record = new(StreamRowEvent)
        set_id(record, event_id)
        set_stream(record, stream_id)
        set_version(record, version)
        set_position(record, position)
        set_type(record, kind)
        set_schema(record, schema)
        set_at(record, recorded_at)
        set_text(record, data)
        set_meta(record, metadata)
        add(record)
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
