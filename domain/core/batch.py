"""What every backend shares for `append_many` and reads with options: checking the call,
recognising a retry of a stored multi-stream batch, and the reference semantics of filtered
and bounded reads (the memory store uses them directly; the contract suite checks the others
against them)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from domain.core.errors import DuplicateEventError, InvalidEventError
from domain.core.records import ExpectedVersion, NewEvent, RecordedEvent
from domain.core.validation import (
    MAX_STREAM_ID,
    check_expected_version,
    check_stream_id,
    normalise_batch,
)

StreamWrite = tuple[str, Sequence[NewEvent], ExpectedVersion]
"""One stream's part of `append_many`: its id, its events and its expected version."""

Tracking = tuple[str, int]
"""A consumer's name and the position of the last event it has handled."""

MAX_TRACKING_NAME: Final = MAX_STREAM_ID


@dataclass(frozen=True, slots=True)
class CheckedWrite:
    """One stream's part of a checked `append_many` call."""

    stream_id: str
    events: list[NewEvent]
    expected: ExpectedVersion
    texts: list[tuple[str, str]]
    """Each event's data and metadata as canonical JSON text."""


def check_writes(writes: Sequence[StreamWrite]) -> list[CheckedWrite]:
    """Validate an `append_many` call: at least one stream, each stream once, every batch as
    `append` checks it, and no event id twice in the whole call. Returns the writes in the
    caller's order, with copies of their events."""
    if isinstance(writes, tuple) and len(writes) == 3 and isinstance(writes[0], str):
        raise InvalidEventError("append_many takes a sequence of (stream_id, events, expected)")
    if not isinstance(writes, Sequence) or isinstance(writes, str) or not writes:
        raise InvalidEventError("append_many needs at least one (stream_id, events, expected)")
    out: list[CheckedWrite] = []
    streams: set[str] = set()
    seen: set[uuid.UUID] = set()
    for write in writes:
        if not isinstance(write, tuple | list) or len(write) != 3:
            raise InvalidEventError("each write must be (stream_id, events, expected_version)")
        stream_id, events, expected = write
        check_stream_id(stream_id)
        if stream_id in streams:
            raise InvalidEventError(f"stream {stream_id!r} appears twice in one append_many")
        streams.add(stream_id)
        want = check_expected_version(expected)
        batch, texts = normalise_batch(events)
        for e in batch:
            if e.event_id in seen:
                raise InvalidEventError(f"event id {e.event_id} appears twice in the batch")
            seen.add(e.event_id)
        out.append(CheckedWrite(stream_id, batch, want, texts))
    return out


def check_tracking(tracking: object) -> Tracking | None:
    """Validate an optional `(name, position)`: a name of 1..200 characters and a position
    >= 1 (positions start at 1)."""
    if tracking is None:
        return None
    if not isinstance(tracking, tuple | list) or len(tracking) != 2:
        raise InvalidEventError("tracking must be (consumer name, position)")
    name, position = tracking
    return check_tracking_name(name), check_position(position)


def check_tracking_name(name: object) -> str:
    """A consumer name: a non-empty string of at most 200 characters."""
    if not isinstance(name, str) or not name or len(name) > MAX_TRACKING_NAME:
        raise InvalidEventError(f"a consumer name must be 1..{MAX_TRACKING_NAME} characters")
    if "\x00" in name:
        raise InvalidEventError("a consumer name contains a NUL character")
    return name


def check_position(position: object) -> int:
    """A tracked position: an int >= 1 that a 64-bit column holds."""
    if isinstance(position, bool) or not isinstance(position, int) or not 1 <= position < 2**63:
        raise InvalidEventError(f"a tracked position must be an int >= 1, got {position!r}")
    return position


def stored_batch(
    writes: Sequence[CheckedWrite], found: Mapping[uuid.UUID, RecordedEvent]
) -> list[RecordedEvent] | None:
    """The stored records, in the call's order, when the whole call is a retry of a stored
    one; None when none of its event ids is stored; DuplicateEventError when only part of it
    is, or with other content."""
    if not found:
        return None
    out: list[RecordedEvent] = []
    for w in writes:
        for new in w.events:
            old = found.get(new.event_id)
            if old is None or not old.same_content(w.stream_id, new):
                raise DuplicateEventError(new.event_id, w.stream_id)
            out.append(old)
    return out


def event_ids(writes: Iterable[CheckedWrite]) -> list[uuid.UUID]:
    """Every event id of a checked call."""
    return [e.event_id for w in writes for e in w.events]


def check_read_bounds(limit: object, backwards: object) -> None:
    """Refuse a limit that is not a non-negative int (or None) and a non-bool direction."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
        raise InvalidEventError(f"limit must be an int or None, got {limit!r}")
    if not isinstance(backwards, bool):
        raise InvalidEventError(f"backwards must be a bool, got {backwards!r}")


def check_types(types: Iterable[str] | None) -> frozenset[str] | None:
    """The event types to keep (None: every type); a bare string is refused, since it would
    read as a set of letters."""
    if types is None:
        return None
    if isinstance(types, str):
        raise InvalidEventError("types must be a collection of event types, not one string")
    kept = frozenset(types)
    if not all(isinstance(t, str) for t in kept):
        raise InvalidEventError("event types must be strings")
    return kept


def prefix_bound(prefix: str) -> str | None:
    """The smallest string above every string starting with `prefix` (None: no bound), so
    a prefix match is a range `prefix <= s < bound` an index can serve."""
    chars = list(prefix)
    while chars:
        code = ord(chars[-1])
        if code < 0x10FFFF and not 0xD7FF <= code < 0xE000:
            chars[-1] = chr(code + 1)
            return "".join(chars)
        chars.pop()
    return None


def matches(record: RecordedEvent, types: frozenset[str] | None, stream_prefix: str | None) -> bool:
    """Whether a record passes a `read_all` filter."""
    return (types is None or record.type in types) and (
        stream_prefix is None or record.stream_id.startswith(stream_prefix)
    )
