"""Checks shared by every backend, so each refuses bad input the same way, before writing."""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from json.scanner import make_scanner
from typing import Any, TypeVar, cast

from domain.core.errors import InvalidEventError, InvalidExpectedVersionError
from domain.core.records import (
    Expect,
    ExpectedVersion,
    JsonObject,
    NewEvent,
    RecordedEvent,
    Snapshot,
    StreamStatus,
    slot_builder,
)

MAX_STREAM_ID = 200
MAX_TYPE = 200

T = TypeVar("T")
_snapshot = slot_builder(Snapshot)

_CONTROL = re.compile("[\x00-\x1f\x7f]")


_IDS_KEPT = 4096
_valid_ids: set[str] = set()
"""Stream ids found valid, so the streams a process writes again and again are checked by
one set lookup (a str subclass is checked in full: it may compare equal to a kept id)."""


def check_stream_id(stream_id: object) -> str:
    """A stream id is a non-empty string without control characters or a `$` prefix."""
    if type(stream_id) is str and stream_id in _valid_ids:
        return stream_id
    _check_stream_id(stream_id)
    if type(stream_id) is str:
        if len(_valid_ids) >= _IDS_KEPT:
            _valid_ids.clear()
        _valid_ids.add(stream_id)
    return cast(str, stream_id)


def _check_stream_id(stream_id: object) -> str:
    if not isinstance(stream_id, str):
        raise InvalidEventError(f"stream id must be a string, got {type(stream_id).__name__}")
    if not stream_id or len(stream_id) > MAX_STREAM_ID:
        raise InvalidEventError(f"stream id must be 1..{MAX_STREAM_ID} characters")
    if stream_id.startswith("$"):
        raise InvalidEventError(f"stream id {stream_id!r}: names starting with '$' are reserved")
    if _CONTROL.search(stream_id) or stream_id.strip() != stream_id:
        raise InvalidEventError(f"stream id {stream_id!r} has control or surrounding blank chars")
    return stream_id


def check_expected_version(expected: object) -> ExpectedVersion:
    """Accept an int >= 0 (0 means "no stream"), NO_STREAM or ANY; refuse anything else."""
    if isinstance(expected, Expect):
        return expected
    if isinstance(expected, bool) or not isinstance(expected, int) or expected < 0:
        raise InvalidExpectedVersionError(expected)
    return expected


# One encoder and decoder for every payload: json.dumps/loads with options build new ones per
# call, which was a third of an append's cost. The text is compact and keeps non-ASCII
# characters as they are: the SQLite store keeps this very text.
_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
_DECODER = json.JSONDecoder()
# The C scanner `json.loads` itself runs: the text is our own compact encoding (no NaN, no
# whitespace), so the decoder's whitespace handling can be skipped.
_SCAN = make_scanner(cast(Any, _DECODER))


def json_copy(value: object, *, field: str, index: int | None = None) -> JsonObject:
    """A deep copy of a JSON object through its canonical text, refusing anything JSON can't
    carry exactly (non-str keys, NaN, sets, objects...)."""
    return json_copy_text(value, field=field, index=index)[0]


def json_copy_text(
    value: object, *, field: str, index: int | None = None
) -> tuple[JsonObject, str]:
    """`json_copy`, and the canonical text the copy was made from (compact separators,
    the caller's key order, non-ASCII characters as they are)."""
    if not isinstance(value, dict):
        raise InvalidEventError(
            f"must be a JSON object (dict), got {type(value).__name__}", field=field, index=index
        )
    if not value:
        return {}, "{}"
    try:
        text = _ENCODE(value)
        copied: JsonObject = _SCAN(text, 0)[0]
        # Equal to the original: every key was a string (JSON would have turned 1 into "1").
        # Otherwise look closer; tuples, which become lists, are the innocent case.
        if copied != value:
            _check_keys(value, field, index)
    except RecursionError as exc:
        # Deep nesting must be refused like any other bad payload, not crash the caller.
        raise InvalidEventError("nested too deeply", field=field, index=index) from exc
    except (TypeError, ValueError) as exc:
        raise InvalidEventError(f"not JSON-serialisable: {exc}", field=field, index=index) from exc
    return copied, text


PLAIN_LEAVES = frozenset({str, int, bool, type(None)})
PLAIN_DEPTH = 32
"""Nesting beyond which `plain_copy` leaves a payload to the full check (which refuses
circular and too deep values with its own messages)."""


class NotPlain(Exception):
    """A payload holds something `plain_copy` leaves to the full check."""


def plain_copy(value: object) -> JsonObject | None:
    """A deep copy of `value` if it is built of the types a JSON round trip gives back
    unchanged (dict with str keys, list, str, int, bool, None, finite float), else None.

    The copy equals what `json_copy` gives for such a value, in a fraction of its time (no
    text is written and parsed); anything else (a tuple, a str or int subclass, NaN, a non-str
    key, deep nesting) returns None, and the caller takes `json_copy`'s path, which copies or
    refuses it exactly as before."""
    if type(value) is not dict:
        return None
    try:
        return _plain_object(value, 0)
    except NotPlain:
        return None


def _plain_object(value: dict[Any, Any], depth: int) -> JsonObject:
    if depth > PLAIN_DEPTH:
        raise NotPlain
    out: JsonObject = {}
    leaves = PLAIN_LEAVES
    for key, item in value.items():
        kind = type(item)
        if type(key) is not str:
            raise NotPlain
        if kind in leaves:
            out[key] = item
        elif kind is dict:  # the usual nesting (a sealed envelope): no extra call
            out[key] = _plain_object(item, depth + 1)
        else:
            out[key] = _plain_value(item, kind, depth)
    return out


def _plain_value(item: object, kind: type, depth: int) -> object:
    if kind is dict:
        return _plain_object(cast(dict[Any, Any], item), depth + 1)
    if kind is list:
        if depth >= PLAIN_DEPTH:
            raise NotPlain
        leaves = PLAIN_LEAVES
        return [
            x if type(x) in leaves else _plain_value(x, type(x), depth + 1)
            for x in cast(list[object], item)
        ]
    if kind in PLAIN_LEAVES or (kind is float and math.isfinite(cast(float, item))):
        return item
    raise NotPlain


def _check_keys(value: object, field: str, index: int | None) -> None:
    # json.dumps silently turns int/float/bool/None keys into strings; that would change the
    # payload on a round trip, so refuse them.
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidEventError(
                    f"object keys must be strings, got {key!r}", field=field, index=index
                )
            _check_keys(item, field, index)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_keys(item, field, index)
    elif isinstance(value, float) and not math.isfinite(value):
        raise InvalidEventError("NaN and infinities are not JSON", field=field, index=index)


def normalise_events(events: Sequence[NewEvent]) -> list[NewEvent]:
    """Validate a batch and return copies whose payloads the caller can no longer mutate
    (the same copies `normalise_batch` gives, without writing the texts)."""
    return check_batch(events, _private_event)


def normalise_batch(events: Sequence[NewEvent]) -> tuple[list[NewEvent], list[tuple[str, str]]]:
    """`normalise_events`, and each event's data and metadata as canonical JSON text (see
    `json_copy_text`), for a backend that stores the text."""
    both = check_batch(events, _event_and_texts)
    return [event for event, _ in both], [texts for _, texts in both]


def check_batch(events: Sequence[NewEvent], own: Callable[[NewEvent, int], T]) -> list[T]:
    """Validate a batch, event by event, and give what `own(event, index)` makes of each
    valid event: a private copy of its payloads in the form a backend keeps, refusing with
    InvalidEventError a payload JSON cannot carry (see `private_copy`). An event's fields
    are checked, then `own` copies its payloads, then the next event's turn comes: a bad
    batch is refused with the same first error whatever form the copies take."""
    # A list, the usual batch, skips the abstract Sequence check.
    if type(events) is not list and (
        isinstance(events, NewEvent) or not isinstance(events, Sequence)
    ):
        raise InvalidEventError("events must be a sequence of NewEvent")
    if not events:
        raise InvalidEventError("a batch must hold at least one event")
    out: list[T] = []
    seen: set[uuid.UUID] = set()
    several = len(events) > 1  # one event cannot repeat an id
    for i, event in enumerate(events):
        if not (
            type(event) is NewEvent
            and type(event.type) is str
            and 0 < len(event.type) <= MAX_TYPE
            and type(event.schema_version) is int
            and event.schema_version >= 1
            and type(event.event_id) is uuid.UUID
        ):  # not the usual event (exact types, in range): check it in full
            _check_event(event, i)
        if several:
            if event.event_id in seen:
                raise InvalidEventError(f"event id {event.event_id} appears twice in the batch")
            seen.add(event.event_id)
        out.append(own(event, i))
    return out


def _check_event(event: object, i: int) -> None:
    """Refuse an event (the `i`-th of its batch) whose fields are not of the record's types."""
    if not isinstance(event, NewEvent):
        raise InvalidEventError(f"expected NewEvent, got {type(event).__name__}", index=i)
    if not isinstance(event.type, str) or not event.type or len(event.type) > MAX_TYPE:
        raise InvalidEventError(f"must be 1..{MAX_TYPE} characters", field="type", index=i)
    sv = event.schema_version
    if isinstance(sv, bool) or not isinstance(sv, int) or sv < 1:
        raise InvalidEventError(
            f"must be a positive int, got {sv!r}", field="schema_version", index=i
        )
    if not isinstance(event.event_id, uuid.UUID):
        raise InvalidEventError(
            f"must be a UUID, got {type(event.event_id).__name__}", field="event_id", index=i
        )


def _private_event(event: NewEvent, index: int) -> NewEvent:
    data = private_copy(event.data, "data", index)
    metadata = private_copy(event.metadata, "metadata", index)
    return NewEvent(event.type, data, event.schema_version, metadata, event.event_id)


def _event_and_texts(event: NewEvent, index: int) -> tuple[NewEvent, tuple[str, str]]:
    data, data_text = json_copy_text(event.data, field="data", index=index)
    metadata, metadata_text = json_copy_text(event.metadata, field="metadata", index=index)
    copied = NewEvent(event.type, data, event.schema_version, metadata, event.event_id)
    return copied, (data_text, metadata_text)


def private_copy(value: object, field: str, index: int | None) -> JsonObject:
    """A copy of the payload `value` sharing nothing with it (`plain_copy`'s fast path,
    else `json_copy`'s full check, which refuses what JSON cannot carry)."""
    copied = plain_copy(value)
    return copied if copied is not None else json_copy(value, field=field, index=index)


def normalise_snapshot(
    snapshot: Snapshot, copy: Callable[[object, str, int | None], JsonObject] = private_copy
) -> Snapshot:
    """Validate a snapshot's shape and copy its state (with `copy`: `private_copy`, or a
    backend's own copy that refuses what it refuses)."""
    if not isinstance(snapshot, Snapshot):
        raise InvalidEventError(f"expected Snapshot, got {type(snapshot).__name__}")
    check_stream_id(snapshot.stream_id)
    if isinstance(snapshot.version, bool) or not isinstance(snapshot.version, int):
        raise InvalidEventError("snapshot version must be an int", field="version")
    if snapshot.version < 1:
        raise InvalidEventError("snapshot version must be >= 1", field="version")
    sv = snapshot.state_schema_version
    if isinstance(sv, bool) or not isinstance(sv, int) or sv < 1:
        raise InvalidEventError("must be a positive int", field="state_schema_version")
    if not isinstance(snapshot.last_event_id, uuid.UUID):
        raise InvalidEventError("must be a UUID", field="last_event_id")
    taken = snapshot.taken_at
    if not isinstance(taken, datetime) or taken.utcoffset() is None:
        raise InvalidEventError("must be a timezone-aware datetime", field="taken_at")
    state = copy(snapshot.state, "state", None)
    return _snapshot(snapshot.stream_id, snapshot.version, snapshot.last_event_id, state, sv, taken)


def check_import_records(records: Sequence[RecordedEvent]) -> list[RecordedEvent]:
    """Check records to import: positions strictly increasing, event ids unique, versions
    contiguous per stream (a stream may start above v1 only with a lone tombstone, which the
    caller has checked), payloads JSON objects. Returns copies the caller cannot mutate."""
    out: list[RecordedEvent] = []
    last_position = 0
    seen: set[uuid.UUID] = set()
    versions: dict[str, int] = {}
    for i, r in enumerate(records):
        if not isinstance(r, RecordedEvent):
            raise InvalidEventError(f"expected RecordedEvent, got {type(r).__name__}", index=i)
        check_stream_id(r.stream_id)
        if r.position <= last_position:
            raise InvalidEventError(f"position {r.position} is not increasing", index=i)
        if r.event_id in seen:
            raise InvalidEventError(f"duplicate event id {r.event_id}", index=i)
        previous = versions.get(r.stream_id)
        if previous is not None and r.version != previous + 1:
            raise InvalidEventError(
                f"{r.stream_id}: version {r.version} follows {previous}", index=i
            )
        if r.recorded_at.tzinfo is None:
            raise InvalidEventError("recorded_at must carry a time zone", index=i)
        versions[r.stream_id] = r.version
        seen.add(r.event_id)
        last_position = r.position
        out.append(
            replace(
                r,
                data=json_copy(r.data, field="data", index=i),
                metadata=json_copy(r.metadata, field="metadata", index=i),
            )
        )
    return out


def check_imported_record(r: RecordedEvent, index: int) -> None:
    """What a durable store checks of each record it imports, beyond `check_import_records`:
    a non-empty type, a UUID event id, and positive int version, position and schema
    version."""
    if not isinstance(r.type, str) or not r.type:
        raise InvalidEventError("must be a non-empty string", field="type", index=index)
    if not isinstance(r.event_id, uuid.UUID):
        raise InvalidEventError("must be a UUID", field="event_id", index=index)
    for name in ("version", "position", "schema_version"):
        value = getattr(r, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidEventError("must be a positive int", field=name, index=index)


def continued_stream(
    r: RecordedEvent, index: int, stored: tuple[int, str] | None
) -> tuple[int, StreamStatus]:
    """The version and status of `r`'s stream before `r`, its first record in an import: a
    new stream (version 0; forgotten if `r` is above v1, a lone tombstone) or the stored one
    (`stored`: its version and status), which `r` must continue."""
    if stored is None:
        return 0, StreamStatus.ACTIVE if r.version == 1 else StreamStatus.FORGOTTEN
    version, status = stored
    if status == StreamStatus.FORGOTTEN.value:
        raise InvalidEventError(f"{r.stream_id} was forgotten: nothing may follow", index=index)
    if r.version != version + 1:
        raise InvalidEventError(
            f"{r.stream_id}: version {r.version} follows {version}, as stored", index=index
        )
    return version, StreamStatus(status)
