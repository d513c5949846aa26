"""The embedded in-memory backend: the default store, and the reference for the contract.

Appends are O(batch) amortized: a stream is a Python list that only grows; the global log is
a list indexed by position, where a forgotten event leaves a `None` hole.
"""

from __future__ import annotations

import threading
import uuid
from collections import deque
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from domain.backends.memory.kept import Keeper, Owned, id_key
from domain.core.batch import (
    CheckedWrite,
    StreamWrite,
    Tracking,
    check_read_bounds,
    check_tracking,
    check_tracking_name,
    check_types,
    check_writes,
    matches,
    stored_batch,
)
from domain.core.errors import (
    ConcurrencyError,
    DuplicateEventError,
    InvalidEventError,
    SnapshotError,
    StoreClosedError,
    StreamForgottenError,
    StreamNotFoundError,
    TrackingConflictError,
)
from domain.core.notify import CommitHub
from domain.core.protocol import CommitListener, Subscription
from domain.core.records import (
    Expect,
    ExpectedVersion,
    NewEvent,
    RecordedEvent,
    Snapshot,
    SnapshotPolicy,
    StreamInfo,
    StreamStatus,
)
from domain.core.validation import (
    check_batch,
    check_expected_version,
    check_import_records,
    check_stream_id,
    normalise_events,
    normalise_snapshot,
)

MAX_POSITION = 2**26
"""The largest position a memory store's log reaches: it keeps one slot per position (8 bytes
each, held or not), so an import whose positions run further is refused rather than fail for
want of memory."""


@dataclass(slots=True)
class _Stream:
    stream_id: str
    events: list[RecordedEvent] = field(default_factory=list)
    version: int = 0
    status: StreamStatus = StreamStatus.ACTIVE
    snapshots: deque[Snapshot] = field(default_factory=deque)
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def check_expected(
    stream_id: str, expected: ExpectedVersion, actual: int, last_event_id: uuid.UUID | None
) -> None:
    """Raise ConcurrencyError unless a stream at `actual` satisfies `expected`."""
    if expected is Expect.ANY:
        return
    want = 0 if expected is Expect.NO_STREAM else expected
    if want != actual:
        raise ConcurrencyError(stream_id, expected, actual, last_event_id)


class MemoryEventStore:
    """A thread-safe event store held in this process's memory."""

    def __init__(
        self,
        snapshot_policy: SnapshotPolicy | None = None,
        deleted_types: Iterable[str] = (),
        url: str = "memory:",
    ) -> None:
        self.url = url
        self.snapshot_policy = snapshot_policy or SnapshotPolicy()
        self.deleted_types = frozenset(deleted_types)
        self._lock = threading.Lock()
        self._streams: dict[str, _Stream] = {}
        self._log: list[RecordedEvent | None] = []
        self._by_id: dict[int, RecordedEvent] = {}
        """Every stored event by the integer of its id."""
        self._keeper = Keeper()
        self._tracking: dict[str, int] = {}
        self._hub = CommitHub()
        self._closed = False

    # -- writing -------------------------------------------------------------------------

    def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: ExpectedVersion
    ) -> list[RecordedEvent]:
        check_stream_id(stream_id)
        expected = check_expected_version(expected_version)
        keeper = self._keeper
        # The payloads are copied once, straight into the form the store keeps them in.
        batch = check_batch(events, keeper.own)
        with self._lock:
            self._check_open()
            by_id = self._by_id
            for owned in batch:
                if owned[0].event_id.int in by_id:
                    return self._already_stored(stream_id, batch)
            stream = self._streams.get(stream_id)
            if stream is not None and stream.status is StreamStatus.FORGOTTEN:
                raise StreamForgottenError(stream_id)
            actual = stream.version if stream is not None else 0
            if (
                expected is not Expect.ANY
                and (0 if expected is Expect.NO_STREAM else expected) != actual
            ):
                last_id = stream.events[-1].event_id if stream and stream.events else None
                check_expected(stream_id, expected, actual, last_id)
            if stream is None:
                stream = self._stream(stream_id)
            keep, kept_id = keeper.record_owned, stream.stream_id
            now = datetime.now(UTC)
            position = len(self._log)
            recorded: list[RecordedEvent] = [
                keep(owned, kept_id, actual + i, position + i, now)
                for i, owned in enumerate(batch, start=1)
            ]
            self._keep(stream, recorded, now)
            self._hub.enqueue(recorded)
        self._hub.deliver()
        return list(recorded)

    def _already_stored(self, stream_id: str, batch: list[Owned]) -> list[RecordedEvent]:
        """The stored records if the whole batch (some of it stored) is a retry."""
        found = [self._by_id.get(new.event_id.int) for new, _, _ in batch]
        for owned, old in zip(batch, found, strict=True):
            copied = self._keeper.owned_event(owned)
            if old is None or not old.same_content(stream_id, copied):
                raise DuplicateEventError(copied.event_id, stream_id)
        return [r for r in found if r is not None]

    def append_many(
        self, writes: Sequence[StreamWrite], *, tracking: Tracking | None = None
    ) -> list[RecordedEvent]:
        checked = check_writes(writes)
        track = check_tracking(tracking)
        with self._lock:
            self._check_open()
            found = {
                e.event_id: r
                for w in checked
                for e in w.events
                if (r := self._by_id.get(e.event_id.int)) is not None
            }
            stored = stored_batch(checked, found)
            if stored is not None:
                return stored
            starts = [self._check_write(w) for w in checked]
            if track is not None:
                self._check_tracking(*track)
            now = datetime.now(UTC)
            position = len(self._log)
            recorded: list[RecordedEvent] = []
            keep = self._keeper.record
            for w, actual in zip(checked, starts, strict=True):
                stream = self._stream(w.stream_id)
                start = position + len(recorded)
                part: list[RecordedEvent] = [
                    keep(e, stream.stream_id, actual + i, start + i, now)
                    for i, e in enumerate(w.events, start=1)
                ]
                self._keep(stream, part, now)
                recorded += part
            if track is not None:
                self._tracking[track[0]] = track[1]
            self._hub.enqueue(recorded)
        self._hub.deliver()
        return list(recorded)

    def _check_write(self, write: CheckedWrite) -> int:
        """The version the stream is at, if `write` may go on it."""
        stream = self._streams.get(write.stream_id)
        if stream is not None and stream.status is StreamStatus.FORGOTTEN:
            raise StreamForgottenError(write.stream_id)
        actual = stream.version if stream else 0
        last_id = stream.events[-1].event_id if stream and stream.events else None
        check_expected(write.stream_id, write.expected, actual, last_id)
        return actual

    def _stream(self, stream_id: str) -> _Stream:
        """The stream `stream_id`, created empty if it does not exist yet."""
        stream = self._streams.get(stream_id)
        if stream is None:
            stream = self._streams[stream_id] = _Stream(self._keeper.sharing.text(stream_id))
        return stream

    def _keep(self, stream: _Stream, recorded: list[RecordedEvent], now: datetime) -> None:
        stream.events.extend(recorded)
        stream.version = recorded[-1].version
        stream.updated_at = now
        deleted, by_id = self.deleted_types, self._by_id
        for r in recorded:
            if r.type in deleted:
                stream.status = StreamStatus.DELETED
            by_id[id_key(r)] = r
        self._log.extend(recorded)

    def _check_tracking(self, name: str, position: int) -> None:
        stored = self._tracking.get(name, 0)
        if position <= stored:
            raise TrackingConflictError(name, position, stored)

    def tracking_position(self, name: str) -> int:
        check_tracking_name(name)
        with self._lock:
            self._check_open()
            return self._tracking.get(name, 0)

    def save_tracking(self, name: str, position: int) -> None:
        name, position = check_tracking((name, position)) or (name, position)
        with self._lock:
            self._check_open()
            self._check_tracking(name, position)
            self._tracking[name] = position

    def forget(self, stream_id: str, tombstone: NewEvent) -> RecordedEvent:
        check_stream_id(stream_id)
        (stone,) = normalise_events([tombstone])
        with self._lock:
            self._check_open()
            stream = self._streams.get(stream_id)
            if stream is None:
                raise StreamNotFoundError(stream_id)
            if stream.status is StreamStatus.FORGOTTEN:
                raise StreamForgottenError(stream_id)
            if stone.event_id.int in self._by_id:
                raise DuplicateEventError(stone.event_id, stream_id)
            for old in stream.events:
                self._log[old.position - 1] = None
                del self._by_id[id_key(old)]
            now = datetime.now(UTC)
            record = self._keeper.record(
                stone, stream.stream_id, stream.version + 1, len(self._log) + 1, now
            )
            stream.events = [record]
            stream.snapshots.clear()
            stream.version = record.version
            stream.status = StreamStatus.FORGOTTEN
            stream.updated_at = now
            self._log.append(record)
            self._by_id[id_key(record)] = record
            self._hub.enqueue([record])
        self._hub.deliver()
        return record

    # -- reading -------------------------------------------------------------------------

    def read_stream(
        self,
        stream_id: str,
        from_version: int = 1,
        to_version: int | None = None,
        *,
        backwards: bool = False,
        limit: int | None = None,
    ) -> list[RecordedEvent]:
        check_read_bounds(limit, backwards)
        with self._lock:
            self._check_open()
            stream = self._streams.get(stream_id)
            if stream is None or (limit is not None and limit <= 0):
                return []
            events = stream.events
            if stream.status is StreamStatus.FORGOTTEN:
                found = [
                    e
                    for e in events
                    if e.version >= from_version and (to_version is None or e.version <= to_version)
                ]
            else:
                # versions are contiguous from 1, so a version is an index
                start = max(from_version, 1) - 1
                stop = len(events) if to_version is None else max(min(to_version, len(events)), 0)
                if not backwards:
                    return events[start:stop] if limit is None else events[start:stop][:limit]
                found = events[start:stop]
            if backwards:
                found = found[::-1]
            return found if limit is None else found[:limit]

    def last_event(self, stream_id: str) -> RecordedEvent | None:
        with self._lock:
            self._check_open()
            stream = self._streams.get(stream_id)
            return stream.events[-1] if stream and stream.events else None

    def read_all(
        self,
        from_position: int = 1,
        limit: int | None = None,
        *,
        to_position: int | None = None,
        types: Collection[str] | None = None,
        stream_prefix: str | None = None,
    ) -> list[RecordedEvent]:
        check_read_bounds(limit, False)
        kinds = check_types(types)
        with self._lock:
            self._check_open()
            if limit is not None and limit <= 0:
                return []
            start = max(from_position, 1) - 1
            log = self._log
            end = len(log) if to_position is None else max(min(to_position, len(log)), 0)
            if kinds is not None or stream_prefix is not None:
                found = [
                    e for e in log[start:end] if e is not None and matches(e, kinds, stream_prefix)
                ]
                return found if limit is None else found[:limit]
            if limit is None:
                return [e for e in log[start:end] if e is not None]
            out: list[RecordedEvent] = []
            # Read a window at a time; holes (forgotten events) make windows come up short.
            while len(out) < limit and start < end:
                window = log[start : min(start + (limit - len(out)) * 2, end)]
                start += len(window)
                for e in window:
                    if e is not None:
                        out.append(e)
                        if len(out) == limit:
                            break
            return out

    def head_position(self) -> int:
        with self._lock:
            self._check_open()
            return len(self._log)

    def stream_info(self, stream_id: str) -> StreamInfo | None:
        with self._lock:
            self._check_open()
            stream = self._streams.get(stream_id)
            return self._info(stream) if stream else None

    def list_streams(self) -> list[StreamInfo]:
        with self._lock:
            self._check_open()
            return [self._info(s) for s in self._streams.values()]

    @staticmethod
    def _info(stream: _Stream) -> StreamInfo:
        return StreamInfo(
            stream_id=stream.stream_id,
            version=stream.version,
            event_count=len(stream.events),
            status=stream.status,
            last_position=stream.events[-1].position if stream.events else 0,
            updated_at=stream.updated_at,
        )

    # -- snapshots -----------------------------------------------------------------------

    def save_snapshot(self, snapshot: Snapshot) -> None:
        snap = normalise_snapshot(snapshot, self._keeper.payload)
        with self._lock:
            self._check_open()
            stream = self._streams.get(snap.stream_id)
            if stream is None:
                raise SnapshotError(f"cannot snapshot {snap.stream_id}: no such stream")
            if stream.status is StreamStatus.FORGOTTEN:
                raise StreamForgottenError(snap.stream_id)
            if snap.version > stream.version:
                raise SnapshotError(
                    f"snapshot of {snap.stream_id} at v{snap.version} is ahead of the stream "
                    f"(v{stream.version})"
                )
            event = stream.events[snap.version - 1]
            if id_key(event) != snap.last_event_id.int:
                raise SnapshotError(
                    f"snapshot of {snap.stream_id} at v{snap.version} names event "
                    f"{snap.last_event_id}, but that version is event {event.event_id}"
                )
            snapshots, keep = stream.snapshots, self.snapshot_policy.keep
            if not snapshots or snap.version > snapshots[-1].version:  # the usual: the newest
                snapshots.append(snap)
                while len(snapshots) > keep:
                    snapshots.popleft()
                return
            kept = [s for s in snapshots if s.version != snap.version]
            kept.append(snap)
            kept.sort(key=lambda s: s.version)
            stream.snapshots = deque(kept[-keep:])

    def snapshots(self, stream_id: str) -> list[Snapshot]:
        with self._lock:
            self._check_open()
            stream = self._streams.get(stream_id)
            return list(stream.snapshots) if stream else []

    def latest_snapshot(self, stream_id: str) -> Snapshot | None:
        with self._lock:
            self._check_open()
            stream = self._streams.get(stream_id)
            return stream.snapshots[-1] if stream and stream.snapshots else None

    # -- import ------------------------------------------------------------------------

    def import_records(self, records: Sequence[RecordedEvent]) -> None:
        checked = check_import_records(records)
        with self._lock:
            self._check_open()
            if self._log:
                raise InvalidEventError("import needs an empty store")
            if checked and checked[-1].position > MAX_POSITION:
                raise InvalidEventError(
                    f"position {checked[-1].position:,} is beyond what a memory store keeps "
                    f"({MAX_POSITION:,}: a slot for each position); import into an SQLite "
                    "or PostgreSQL store",
                    field="position",
                    index=len(checked) - 1,
                )
            streams: dict[str, _Stream] = {}
            log: list[RecordedEvent | None] = [None] * (checked[-1].position if checked else 0)
            kept: list[RecordedEvent] = []
            copy = self._keeper.copy
            for record in checked:
                stream = streams.get(record.stream_id)
                if stream is None:
                    stream_id = self._keeper.sharing.text(record.stream_id)
                    stream = streams[stream_id] = _Stream(stream_id)
                    if record.version > 1:
                        stream.status = StreamStatus.FORGOTTEN
                record = copy(record, stream.stream_id)
                kept.append(record)
                stream.events.append(record)
                stream.version = record.version
                stream.updated_at = record.recorded_at
                if record.type in self.deleted_types and stream.status is StreamStatus.ACTIVE:
                    stream.status = StreamStatus.DELETED
                log[record.position - 1] = record
            self._streams = streams
            self._log = log
            self._by_id = {id_key(r): r for r in kept}
            if kept:
                self._hub.enqueue(kept)
        self._hub.deliver()

    # -- lifecycle -----------------------------------------------------------------------

    def subscribe(self, listener: CommitListener) -> Subscription:
        with self._lock:
            self._check_open()
        return self._hub.subscribe(listener)

    def close(self) -> None:
        with self._lock:
            self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosedError(self.url)
