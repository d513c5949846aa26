"""Export and import of a store as JSON lines: one stored event per line, in position order.

Import goes into an empty store only, and checks the whole file before writing anything: a
malformed line, an unknown event type, a gap in a stream's versions or a duplicate event id
refuses the file with the line number, and the store stays untouched.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from domain.core.errors import InvalidEventError
from domain.core.protocol import EventStore
from domain.core.records import JsonObject, RecordedEvent
from domain.core.validation import check_stream_id, json_copy
from domain.core.versioning import VersioningError

FIELDS = (
    "position",
    "stream_id",
    "version",
    "event_id",
    "type",
    "schema_version",
    "recorded_at",
    "data",
    "metadata",
)


class TransferError(ValueError):
    """An import file is malformed; `line` is 1-based (0: the file as a whole)."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {reason}")


def record_to_dict(record: RecordedEvent) -> JsonObject:
    """A stored event as a JSON object (the export line format)."""
    return {
        "position": record.position,
        "stream_id": record.stream_id,
        "version": record.version,
        "event_id": str(record.event_id),
        "type": record.type,
        "schema_version": record.schema_version,
        "recorded_at": record.recorded_at.isoformat(),
        "data": record.data,
        "metadata": record.metadata,
    }


def record_to_line(record: RecordedEvent) -> str:
    """One export line (no newline), keys in a fixed order so files compare byte for byte."""
    return json.dumps(record_to_dict(record), ensure_ascii=False, separators=(",", ":"))


def iter_log(store: EventStore, page: int = 5000) -> Iterator[RecordedEvent]:
    """Every stored event in position order, read a page at a time."""
    position = 1
    while True:
        events = store.read_all(position, page)
        if not events:
            return
        yield from events
        position = events[-1].position + 1


def export_events(store: EventStore, out: IO[str]) -> int:
    """Write every stored event to `out` as JSON lines; returns how many."""
    count = 0
    for record in iter_log(store):
        out.write(record_to_line(record))
        out.write("\n")
        count += 1
    return count


INT_MAX = 2**63 - 1
"""The largest integer a line may hold: what every store (and most JSON readers) keep
exactly, and the range of an SQLite or PostgreSQL integer column."""

MAX_DEPTH = 64
"""How deeply a line's objects and arrays may nest (an event is a few levels deep)."""

MAX_LINE_BYTES = 1 << 20
"""The longest line read: an event is a few kilobytes; a longer line is not an export's."""


def _parse_int(text: str) -> int:
    # Checked on the digits, before Python converts them (a huge literal costs time).
    if len(text.lstrip("-")) > 19 or not -INT_MAX - 1 <= int(text) <= INT_MAX:
        raise ValueError(f"integer {text[:24]}{'…' if len(text) > 24 else ''} is out of range")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:24]} is out of range")
    return value


def _parse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


_decode_line = json.JSONDecoder(
    parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant
).decode


def _check_depth(value: object) -> None:
    """Refuse nesting deeper than MAX_DEPTH (walked without recursion)."""
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        if children and depth >= MAX_DEPTH:
            raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
        pending.extend((child, depth + 1) for child in children)


def parse_line(line: str) -> object:
    """One export line as JSON: strict (no NaN or infinities, integers within 64 bits, at
    most MAX_DEPTH levels deep); ValueError with the reason otherwise."""
    try:
        value = _decode_line(line)
    except RecursionError:
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep") from None
    _check_depth(value)
    return value


def _int(obj: JsonObject, key: str, minimum: int) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= INT_MAX:
        raise ValueError(f"{key!r} must be an integer from {minimum} to {INT_MAX}, got {value!r}")
    return value


def record_from_dict(obj: Any) -> RecordedEvent:
    """Parse one export line's object; ValueError with the reason if it is malformed."""
    if not isinstance(obj, dict):
        raise ValueError("a line must be a JSON object")
    missing = [k for k in FIELDS if k not in obj]
    if missing:
        raise ValueError(f"missing field(s): {', '.join(missing)}")
    extra = sorted(set(obj) - set(FIELDS))
    if extra:
        raise ValueError(f"unknown field(s): {', '.join(extra)}")
    try:
        event_id = uuid.UUID(str(obj["event_id"]))
    except ValueError:
        raise ValueError(f"'event_id' is not a UUID: {obj['event_id']!r}") from None
    stream_id = obj["stream_id"]
    check_stream_id(stream_id)
    if not isinstance(obj["type"], str) or not obj["type"]:
        raise ValueError("'type' must be a non-empty string")
    try:
        recorded_at = datetime.fromisoformat(str(obj["recorded_at"]))
    except ValueError:
        raise ValueError(f"'recorded_at' is not an ISO-8601 time: {obj['recorded_at']!r}") from None
    if recorded_at.tzinfo is None:
        raise ValueError("'recorded_at' must carry a time zone")
    return RecordedEvent(
        event_id=event_id,
        stream_id=stream_id,
        version=_int(obj, "version", 1),
        position=_int(obj, "position", 1),
        type=obj["type"],
        schema_version=_int(obj, "schema_version", 1),
        recorded_at=recorded_at,
        data=json_copy(obj["data"], field="data"),
        metadata=json_copy(obj["metadata"], field="metadata"),
    )


Decode = Callable[[RecordedEvent], object]
"""Reads one record as the domain would; raises VersioningError or TypeError if it cannot."""


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """A checked import file, ready to load."""

    records: list[RecordedEvent]
    streams: int


def check_import(
    lines: Iterable[str],
    decode: Decode,
    tombstone_types: frozenset[str],
    path: str = "<input>",
) -> ImportPlan:
    """Parse and check a whole export file; raise TransferError at the first problem.

    `decode` reads an event as the domain would (through the registry, and opening sealed
    fields — or marking them unreadable, as they are without the export's key store); a line
    it refuses is refused. A forgotten stream is its tombstone (a type in `tombstone_types`)
    alone, above v1."""
    records: list[RecordedEvent] = []
    versions: dict[str, int] = {}
    seen_ids: set[uuid.UUID] = set()
    forgotten: set[str] = set()
    last_position = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = record_from_dict(parse_line(line))
        # JSONDecodeError is a ValueError; the store's own checks raise InvalidEventError
        except (ValueError, TypeError, InvalidEventError) as exc:
            raise TransferError(path, number, str(exc)) from None
        if record.position <= last_position:
            raise TransferError(path, number, f"position {record.position} is not increasing")
        if record.event_id in seen_ids:
            raise TransferError(path, number, f"duplicate event id {record.event_id}")
        try:
            decode(record)
        except (VersioningError, TypeError, ValueError) as exc:
            raise TransferError(path, number, str(exc)) from None
        problem = _order_problem(
            record, versions.get(record.stream_id), record.stream_id in forgotten, tombstone_types
        )
        if problem is not None:
            raise TransferError(path, number, problem)
        if record.type in tombstone_types:
            forgotten.add(record.stream_id)
        versions[record.stream_id] = record.version
        seen_ids.add(record.event_id)
        last_position = record.position
        records.append(record)
    return ImportPlan(records, len(versions))


def _order_problem(
    record: RecordedEvent, previous: int | None, forgotten: bool, tombstone_types: frozenset[str]
) -> str | None:
    """Why `record` cannot come next in its stream (last at `previous`), or None."""
    stream_id, version = record.stream_id, record.version
    if forgotten:
        return f"{stream_id} was forgotten: nothing may follow its tombstone"
    if record.type in tombstone_types:
        # forget erases every earlier event, so the tombstone is all that is left
        if previous is not None:
            return f"{stream_id}: a forgotten stream keeps only its tombstone (found v{previous})"
        if version == 1:
            return f"{stream_id}: a tombstone replaces erased events, so it cannot be v1"
        return None
    if previous is None and version != 1:
        return f"{stream_id}: first event has version {version}"
    if previous is not None and version != previous + 1:
        return f"{stream_id}: version {version} follows {previous} (a gap)"
    return None


def read_lines(handle: IO[bytes], path: str) -> Iterator[str]:
    """The file's lines as text; a line that is not UTF-8 (e.g. a database file given by
    mistake) or longer than MAX_LINE_BYTES is refused with its number, without reading the
    rest of it."""
    number = 0
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) > MAX_LINE_BYTES:
            reason = f"line longer than {MAX_LINE_BYTES:,} bytes: is this an export file?"
            raise TransferError(path, number, reason)
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            reason = f"not UTF-8 text (byte {exc.start}): is this an export file?"
            raise TransferError(path, number, reason) from None


def import_file(
    store: EventStore,
    path: Path,
    decode: Decode,
    tombstone_types: frozenset[str],
    prepare: Callable[[RecordedEvent], RecordedEvent] = lambda record: record,
) -> int:
    """Check `path` completely, then load it into the empty `store`, each record passed
    through `prepare` (e.g. sealing private fields found in clear); returns the count."""
    if store.head_position() != 0:
        raise TransferError(str(path), 0, "import needs an empty store")
    with path.open("rb") as handle:
        plan = check_import(read_lines(handle, str(path)), decode, tombstone_types, str(path))
    records = [prepare(record) for record in plan.records]
    store.import_records(records)
    return len(records)
