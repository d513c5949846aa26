"""The event-store port. Every backend (memory, SQLite, PostgreSQL) implements it and passes
the same contract suite (`tests/store/`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Protocol, runtime_checkable

from domain.core.batch import StreamWrite, Tracking
from domain.core.records import (
    ExpectedVersion,
    NewEvent,
    RecordedEvent,
    Snapshot,
    SnapshotPolicy,
    StreamInfo,
)

CommitListener = Callable[[Sequence[RecordedEvent]], None]
"""Called once per commit with the events it made visible, in commit order."""

ALL_STREAM = "$all"
"""The name the UI and CLI use for the global log; no real stream may use a `$` prefix."""


class Subscription(Protocol):
    """A handle on a commit listener; `close()` stops delivery."""

    def close(self) -> None: ...


@runtime_checkable
class EventStore(Protocol):
    """Append-only streams of events with a global, commit-ordered log and snapshots."""

    url: str
    snapshot_policy: SnapshotPolicy
    deleted_types: frozenset[str]
    """Event types that mark their stream as deleted (soft delete) in `list_streams`."""

    def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: ExpectedVersion
    ) -> list[RecordedEvent]:
        """Atomically append `events` to `stream_id`: all become visible or none.

        Raises ConcurrencyError when the stream is not at `expected_version`,
        StreamForgottenError for a forgotten stream, InvalidEventError /
        InvalidExpectedVersionError for bad input and DuplicateEventError when an event id is
        stored with other content. Re-appending a batch that is already stored with the same
        content returns the stored records and writes nothing.
        """
        ...

    def append_many(
        self, writes: Sequence[StreamWrite], *, tracking: Tracking | None = None
    ) -> list[RecordedEvent]:
        """Append to several streams in one transaction: each `(stream_id, events,
        expected_version)` is checked as `append` checks it, and all become visible, at
        contiguous positions in the caller's order, as ONE commit, or nothing does.

        A conflict on any stream raises ConcurrencyError naming that stream. `tracking`
        `(name, position)` records in the same transaction that the consumer `name` has
        handled the log up to `position`; TrackingConflictError (and nothing written) when
        its tracking is at or beyond `position` already. Re-sending a stored call returns
        the stored records and writes nothing."""
        ...

    def read_stream(
        self,
        stream_id: str,
        from_version: int = 1,
        to_version: int | None = None,
        *,
        backwards: bool = False,
        limit: int | None = None,
    ) -> list[RecordedEvent]:
        """Events of one stream with `from_version <= version <= to_version`, in version
        order (newest first when `backwards`), at most `limit` of them."""
        ...

    def last_event(self, stream_id: str) -> RecordedEvent | None:
        """The newest event of a stream, or None for a stream with no events."""
        ...

    def read_all(
        self,
        from_position: int = 1,
        limit: int | None = None,
        *,
        to_position: int | None = None,
        types: Collection[str] | None = None,
        stream_prefix: str | None = None,
    ) -> list[RecordedEvent]:
        """The global log from `from_position` to `to_position` (both inclusive), only the
        events of `types` and of streams whose id starts with `stream_prefix` when given, at
        most `limit` events. The cost follows the events that match, not the log."""
        ...

    def tracking_position(self, name: str) -> int:
        """The position the consumer `name` last recorded as handled (0: none)."""
        ...

    def save_tracking(self, name: str, position: int) -> None:
        """Record that the consumer `name` has handled the log up to `position`, for a
        consumer that writes nothing else; TrackingConflictError when its tracking is at or
        beyond `position` already (another consumer of that name got there first)."""
        ...

    def head_position(self) -> int:
        """The position of the last committed event (0 for an empty store)."""
        ...

    def stream_info(self, stream_id: str) -> StreamInfo | None:
        """Version, count and status of one stream, or None if it never existed."""
        ...

    def list_streams(self) -> list[StreamInfo]:
        """Every stream ever written, in order of creation."""
        ...

    def subscribe(self, listener: CommitListener) -> Subscription:
        """Deliver every later commit (appends and forgets) to `listener`, in commit order."""
        ...

    def save_snapshot(self, snapshot: Snapshot) -> None:
        """Keep `snapshot`, dropping the oldest beyond `snapshot_policy.keep`."""
        ...

    def snapshots(self, stream_id: str) -> list[Snapshot]:
        """The kept snapshots of a stream, oldest first."""
        ...

    def latest_snapshot(self, stream_id: str) -> Snapshot | None:
        """The newest kept snapshot of a stream, if any."""
        ...

    def forget(self, stream_id: str, tombstone: NewEvent) -> RecordedEvent:
        """Erase a stream atomically: remove its events and snapshots and store `tombstone`
        as its only event (at the next version). Later appends raise StreamForgottenError."""
        ...

    def import_records(self, records: Sequence[RecordedEvent]) -> None:
        """Load exported records into an empty store, all or nothing, keeping their event
        ids, versions, positions and times (so export → import → export is identical).

        The caller checks the records first (`domain.core.transfer.check_import`); a stream whose
        first record is above version 1 is a forgotten stream's lone tombstone. Raises
        InvalidEventError if the store is not empty."""
        ...

    def close(self) -> None:
        """Release connections and files. The store is unusable afterwards."""
        ...
