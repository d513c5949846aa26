"""Loading an aggregate: latest snapshot + the events after it, and taking snapshots.

The snapshot's own last event is never applied again (the origin's bug): the tail starts at
`snapshot.version + 1`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, Literal, Protocol, TypeVar

from domain.core.errors import SnapshotError
from domain.core.protocol import EventStore
from domain.core.records import JsonObject, RecordedEvent, Snapshot

S = TypeVar("S")

LATEST: Literal["latest"] = "latest"


class Fold(Protocol[S]):
    """How to compute a state from events and to (de)serialise it for snapshots."""

    state_schema_version: int

    def initial(self, stream_id: str) -> S: ...

    def evolve(self, state: S, event: RecordedEvent) -> S: ...

    def dump(self, state: S) -> JsonObject: ...

    def restore(self, data: JsonObject) -> S: ...


class BatchFold(Fold[S], Protocol[S]):
    """A fold that can also apply many events at once, faster than one `evolve` each.

    `evolve_all(state, events)` must give the state that applying `evolve` to each event in
    turn gives; `replay` (so every load) uses it when a fold has it."""

    def evolve_all(self, state: S, events: Sequence[RecordedEvent]) -> S: ...


@dataclass(frozen=True, slots=True)
class Loaded(Generic[S]):
    """An aggregate's state and how it was computed."""

    stream_id: str
    state: S
    version: int
    last_event_id: uuid.UUID | None
    snapshot: Snapshot | None
    """The snapshot the load started from, or None for a replay from version 1."""
    events_applied: int

    def how(self) -> str:
        """A one-line account, e.g. "snapshot v20 + 3 events"."""
        noun = "event" if self.events_applied == 1 else "events"
        if self.snapshot is None:
            # The first version replayed: v1, or the tombstone of a forgotten stream (its
            # only event, at the version the stream had reached).
            first = self.version - self.events_applied + 1 if self.events_applied else 1
            return f"replayed {self.events_applied} {noun} from v{first}"
        return f"snapshot v{self.snapshot.version} + {self.events_applied} {noun}"


def replay(
    fold: Fold[S],
    stream_id: str,
    events: list[RecordedEvent],
    start: Snapshot | None = None,
) -> Loaded[S]:
    """Fold `events` (which must follow `start`, if given) into a Loaded state."""
    state = fold.restore(start.state) if start is not None else fold.initial(stream_id)
    version = start.version if start is not None else 0
    last_id = start.last_event_id if start is not None else None
    # Looked up rather than isinstance(fold, BatchFold): a runtime protocol check costs more
    # than a short load.
    evolve_all = getattr(fold, "evolve_all", None)
    if evolve_all is not None:
        state = evolve_all(state, events)
    else:
        evolve = fold.evolve
        for event in events:
            state = evolve(state, event)
    if events:
        version = events[-1].version
        last_id = events[-1].event_id
    return Loaded(stream_id, state, version, last_id, start, len(events))


def load(
    store: EventStore,
    stream_id: str,
    fold: Fold[S],
    *,
    snapshot: Snapshot | Literal["latest"] | None = LATEST,
    to_version: int | None = None,
) -> Loaded[S]:
    """Load a stream's aggregate from `snapshot` (default: the latest usable one) plus the
    events after it, up to `to_version` (default: the end)."""
    start: Snapshot | None
    if snapshot == LATEST:
        start = _latest_usable(store, stream_id, fold, to_version)
    else:
        start = snapshot if isinstance(snapshot, Snapshot) else None
        if start is not None:
            _check_start(stream_id, fold, start, to_version)
    from_version = start.version + 1 if start is not None else 1
    events = store.read_stream(stream_id, from_version, to_version)
    return replay(fold, stream_id, events, start)


def _latest_usable(
    store: EventStore, stream_id: str, fold: Fold[S], to_version: int | None
) -> Snapshot | None:
    def usable(snap: Snapshot) -> bool:
        schema_ok = snap.state_schema_version == fold.state_schema_version
        return schema_ok and (to_version is None or snap.version <= to_version)

    # The latest alone is read first: it is the one nearly every load starts from, and
    # reading every kept snapshot to pick it cost a load a tenth of its time.
    latest = store.latest_snapshot(stream_id)
    if latest is None or usable(latest):
        return latest
    for candidate in reversed(store.snapshots(stream_id)):
        if usable(candidate):
            return candidate
    return None


def _check_start(stream_id: str, fold: Fold[S], start: Snapshot, to_version: int | None) -> None:
    # A chosen snapshot past `to_version` would yield a state later than asked for, and one
    # of another stream or state schema would yield a wrong state without any error.
    if start.stream_id != stream_id:
        raise SnapshotError(f"snapshot of {start.stream_id} cannot start a load of {stream_id}")
    if to_version is not None and start.version > to_version:
        raise SnapshotError(
            f"snapshot of {stream_id} at v{start.version} is past the requested v{to_version}"
        )
    if start.state_schema_version != fold.state_schema_version:
        raise SnapshotError(
            f"snapshot of {stream_id} at v{start.version} has state schema "
            f"v{start.state_schema_version}; this fold reads v{fold.state_schema_version}"
        )


def snapshot_of(fold: Fold[S], loaded: Loaded[S]) -> Snapshot:
    """A snapshot of `loaded` (which must be at a stored version), taken now."""
    if loaded.last_event_id is None:
        raise ValueError(f"cannot snapshot {loaded.stream_id}: it has no events")
    return Snapshot(
        stream_id=loaded.stream_id,
        version=loaded.version,
        last_event_id=loaded.last_event_id,
        state=fold.dump(loaded.state),
        state_schema_version=fold.state_schema_version,
        taken_at=datetime.now(UTC),
    )


def take_snapshot(store: EventStore, fold: Fold[S], loaded: Loaded[S]) -> Snapshot:
    """Store a snapshot of `loaded` (which must be at a stored version)."""
    snap = snapshot_of(fold, loaded)
    store.save_snapshot(snap)
    return snap
