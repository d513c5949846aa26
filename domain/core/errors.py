"""Errors an event store raises. Each carries the facts, never just a string."""

from __future__ import annotations

import uuid
from typing import Any


class EventStoreError(Exception):
    """Base class of every store error."""


class ConcurrencyError(EventStoreError):
    """The stream is not at the expected version; nothing was written."""

    def __init__(
        self,
        stream_id: str,
        expected: object,
        actual: int,
        last_event_id: uuid.UUID | None,
    ) -> None:
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual
        self.last_event_id = last_event_id
        shown = getattr(expected, "value", expected)
        super().__init__(
            f"concurrency conflict on {stream_id}: expected version {shown}, "
            f"actual version {actual} (last event {last_event_id or 'none'})"
        )


class StreamForgottenError(EventStoreError):
    """The stream was forgotten (GDPR erasure): it accepts no more events and its id is
    never reused."""

    def __init__(self, stream_id: str) -> None:
        self.stream_id = stream_id
        super().__init__(f"stream {stream_id} was forgotten: it accepts no more events")


class StreamNotFoundError(EventStoreError):
    """The stream has no events."""

    def __init__(self, stream_id: str) -> None:
        self.stream_id = stream_id
        super().__init__(f"stream {stream_id} does not exist")


class DuplicateEventError(EventStoreError):
    """An event id is already stored with different content (or in another stream)."""

    def __init__(self, event_id: uuid.UUID, stream_id: str) -> None:
        self.event_id = event_id
        self.stream_id = stream_id
        super().__init__(
            f"event {event_id} is already stored with different content; "
            f"refusing to append it to {stream_id}"
        )


class InvalidEventError(EventStoreError):
    """An event (or snapshot) to store is malformed: wrong types, non-JSON data, bad ids."""

    def __init__(self, reason: str, *, field: str | None = None, index: int | None = None) -> None:
        self.reason = reason
        self.field = field
        self.index = index
        where = ""
        if index is not None:
            where += f"event #{index}"
        if field is not None:
            where += f"{' ' if where else ''}field {field!r}"
        super().__init__(f"{where}: {reason}" if where else reason)


class InvalidExpectedVersionError(EventStoreError, ValueError):
    """The expected version is not an int >= 0, NO_STREAM or ANY."""

    def __init__(self, value: Any) -> None:
        self.value = value
        super().__init__(
            f"expected version must be a non-negative int, NO_STREAM or ANY; got {value!r}"
        )


class SnapshotError(EventStoreError):
    """A snapshot does not match its stream (unknown stream, wrong version or event id)."""


class StoreClosedError(EventStoreError):
    """The store was closed."""

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(f"the store {url} is closed")


class StoreUrlError(EventStoreError, ValueError):
    """A store URL that cannot be opened."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"cannot open store {url!r}: {reason}")


class StoreUnavailableError(EventStoreError):
    """The database cannot be reached right now (a restart, a dropped connection, a network
    fault). The call that failed may or may not have taken effect; retrying it with the same
    event ids is safe (a stored batch is recognised and not applied twice). `url` has its
    password masked; `cause` is the driver's reason."""

    def __init__(self, url: str, cause: str) -> None:
        self.url = url
        self.cause = cause
        super().__init__(f"the database {url} is unavailable ({cause}); try again shortly")


class StoreDamagedError(EventStoreError):
    """The store's file is damaged (an integrity check failed, or a read met a malformed
    page): writes are refused so nothing more goes into it; what is readable stays readable."""

    def __init__(self, url: str, path: str, detail: str) -> None:
        self.url = url
        self.path = path
        self.detail = detail
        super().__init__(
            f"the store file {path} is damaged ({detail}); writes are refused. Restore it "
            f"from a backup, or export what is readable and import it into a new store"
        )


class UnreadableEventError(EventStoreError, ValueError):
    """A stored event whose row cannot be read back: its data, metadata or id is not what the
    store writes (the file was changed outside the store, or damaged where no integrity
    check looks). Raised where that part is first read; the rest of the store stays
    readable."""

    def __init__(self, position: int, stream_id: str, version: int, part: str, cause: str) -> None:
        self.position = position
        self.stream_id = stream_id
        self.version = version
        self.part = part
        self.cause = cause
        super().__init__(
            f"the event at position {position} ({stream_id} v{version}) cannot be read: its "
            f"{part} is not valid ({cause}); the store file was changed outside es-tui or is "
            f"damaged"
        )


class StorageFullError(EventStoreError):
    """A write failed because the disk holding the store is full; nothing was written."""

    def __init__(self, url: str, path: str, detail: str) -> None:
        self.url = url
        self.path = path
        self.detail = detail
        super().__init__(
            f"no space left on the disk holding {path} ({detail}); nothing was written. "
            f"Free some space and try again (reading still works)"
        )


class LogFullError(StorageFullError):
    """A write would pass the largest position a store keeps (2**63-1, reached only by an
    import that placed an event there); nothing was written."""

    def __init__(self, url: str, head: int) -> None:
        self.url = url
        self.path = url
        self.detail = f"the log's last position is {head}"
        self.head = head
        EventStoreError.__init__(
            self,
            f"the store {url} takes no more events: its log ends at position {head}, the "
            f"largest it keeps; nothing was written",
        )


class StoreReadOnlyError(EventStoreError):
    """The store was opened read-only (a reading command, a read-only file or directory, or
    a full disk): it refuses writes."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"the store {url} is open read-only ({reason}): nothing was written")


class ReadOnlyStoreError(StoreReadOnlyError):
    """A write to a store that is only ever read (another library's database, shown as it
    is); nothing was written."""

    def __init__(self, url: str, operation: str) -> None:
        self.operation = operation
        super().__init__(
            url, f"another application's database, shown as it is; {operation} is refused"
        )


class TrackingConflictError(EventStoreError):
    """A consumer's tracking position would not move forward (another consumer of the same
    name recorded `stored` already, at or beyond `position`); nothing was written."""

    def __init__(self, name: str, position: int, stored: int) -> None:
        self.name = name
        self.position = position
        self.stored = stored
        super().__init__(
            f"tracking of {name!r} is at {stored}; recording {position} would not move it "
            f"forward: nothing was written"
        )
