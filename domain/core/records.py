"""The records an event store keeps: new events going in, recorded events and snapshots coming out.

Records are frozen, slotted dataclasses rather than pydantic models: a store hands out millions
of them and rehydration speed matters. Payloads (`data`, `metadata`, `state`) are plain JSON
objects; treat them as read-only — a store may hand the same object to several readers.
"""

from __future__ import annotations

import dataclasses
import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, TypeVar, cast

JsonObject = dict[str, Any]
T = TypeVar("T")


class Expect(enum.Enum):
    """Symbolic expected versions for `append`; an exact version is a plain `int`."""

    NO_STREAM = "no_stream"
    """The stream must not exist yet (same as the exact version 0)."""
    ANY = "any"
    """No concurrency check."""


ExpectedVersion = int | Expect

NO_STREAM: Final = Expect.NO_STREAM
ANY: Final = Expect.ANY


class StreamStatus(enum.StrEnum):
    """Lifecycle of a stream as the store sees it."""

    ACTIVE = "active"
    DELETED = "deleted"
    """Soft-deleted: an event of one of the store's deletion types was appended."""
    FORGOTTEN = "forgotten"
    """Erased: only a tombstone remains and every later append is refused."""


# Metadata keys the system writes; other keys are allowed and kept.
CORRELATION_ID: Final = "correlation_id"
CAUSATION_ID: Final = "causation_id"
COMMAND: Final = "command"


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to append. `event_id` is the idempotency key: re-sending it is a no-op."""

    type: str
    data: JsonObject
    schema_version: int = 1
    metadata: JsonObject = field(default_factory=dict)
    event_id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as stored: the new event plus the facts the store assigned to it."""

    event_id: uuid.UUID
    stream_id: str
    version: int
    """1-based, contiguous within the stream."""
    position: int
    """Global, strictly increasing in commit order across all streams (the "$all" log)."""
    type: str
    schema_version: int
    recorded_at: datetime
    data: JsonObject
    metadata: JsonObject

    def same_content(self, stream_id: str, new: NewEvent) -> bool:
        """True when `new`, appended to `stream_id`, is a retry of this stored event."""
        return (
            self.stream_id == stream_id
            and self.type == new.type
            and self.schema_version == new.schema_version
            and self.data == new.data
            and self.metadata == new.metadata
        )


def fields_equal(self: RecordedEvent, other: object) -> bool:
    """`==` for a subclass of RecordedEvent that keeps some fields in another form (read
    back on access): equal to any record, of either class, with the same field values (the
    dataclass's own `__eq__` compares records of one class only)."""
    if not isinstance(other, RecordedEvent):
        return cast(bool, NotImplemented)  # Python then asks `other`
    same: bool = _record_fields(self) == _record_fields(other)
    return same


def _record_fields(r: RecordedEvent) -> tuple[Any, ...]:
    return (
        r.event_id, r.stream_id, r.version, r.position, r.type, r.schema_version,
        r.recorded_at, r.data, r.metadata,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The state of a stream's aggregate as of `version` (the event `last_event_id`)."""

    stream_id: str
    version: int
    last_event_id: uuid.UUID
    state: JsonObject
    state_schema_version: int
    taken_at: datetime


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """One row of `list_streams`."""

    stream_id: str
    version: int
    """The version of the stream's last event (a forgotten stream keeps counting)."""
    event_count: int
    """Events actually stored now (1 for a forgotten stream: its tombstone)."""
    status: StreamStatus
    last_position: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SnapshotPolicy:
    """Take a snapshot every `every` events; keep the latest `keep` per stream."""

    every: int = 10
    keep: int = 3

    def __post_init__(self) -> None:
        if isinstance(self.every, bool) or not isinstance(self.every, int) or self.every < 1:
            raise ValueError(f"snapshot interval must be a positive integer, got {self.every!r}")
        if isinstance(self.keep, bool) or not isinstance(self.keep, int) or self.keep < 1:
            raise ValueError(f"snapshots kept must be a positive integer, got {self.keep!r}")

    def due(self, old_version: int, new_version: int) -> bool:
        """True when a batch moving a stream from `old_version` to `new_version` crosses a
        multiple of `every` (a batch may jump over the exact multiple)."""
        return new_version // self.every > old_version // self.every


def slot_builder(cls: type[T]) -> Callable[..., T]:
    """A constructor of the frozen, slotted dataclass `cls` that takes every field, in order,
    positionally, and fills the slots directly: a frozen dataclass's `__init__` sets each
    field through `object.__setattr__`, which finds the slot again by name, twice the time
    for a record built on every command. For hot paths that give every field (no defaults
    are applied); `cls` must have no `__post_init__`."""
    if not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} is not a dataclass without __post_init__")
    names = [f.name for f in dataclasses.fields(cls)]
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls}
    for i, name in enumerate(names):
        scope[f"set{i}"] = getattr(cls, name).__set__  # the slot's own descriptor
    args = ", ".join(f"a{i}" for i in range(len(names)))
    sets = "".join(f"    set{i}(o, a{i})\n" for i in range(len(names)))
    exec(f"def build({args}):\n    o = new(cls)\n{sets}    return o\n", scope)
    build: Callable[..., T] = scope["build"]
    build.__qualname__ = f"slot_builder({cls.__name__})"
    return build
