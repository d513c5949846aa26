"""An aggregate of an `eventsourcing` store loaded both ways the library can load it: from a
stored snapshot plus the events after it (what its repository does when the application
keeps snapshots), and by a full replay of every event; then the two states compared.

They differ when the snapshot no longer says what the events say — typically the
application's classes changed after the snapshot was taken. Both paths are rebuilt by the
application's own classes (the library's mapper and each object's `mutate`), so the modules
must be importable (`--import package.module`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from domain.backends.eventsourcing.replay import (
    LibraryObjects,
    ReplayError,
    StoredRow,
    state_json,
)
from domain.backends.eventsourcing.store import EventsourcingStore
from domain.core.records import JsonObject


@dataclass(frozen=True, slots=True)
class Absent:
    """A field one of the two states does not have at all."""

    def __str__(self) -> str:
        return "(absent)"


ABSENT: Final = Absent()


@dataclass(frozen=True, slots=True)
class FieldDifference:
    """One field whose value differs between the two loads."""

    name: str
    from_snapshot: object
    """Its value loaded from the snapshot plus the tail (ABSENT: no such field)."""
    full: object
    """Its value from the full replay (ABSENT: no such field)."""


@dataclass(frozen=True, slots=True)
class SnapshotComparison:
    """The two loads of one aggregate at its last version, side by side."""

    stream_id: str
    aggregate: str
    """The aggregate's class as a topic (`module:Class`)."""
    version: int
    """The version both loads reach (the stream's last)."""
    snapshot_version: int | None
    """The snapshot the first load started from (None: the stream has none)."""
    kept: tuple[int, ...]
    """The versions of every stored snapshot of the stream, oldest first."""
    tail_read: int
    """Events the snapshot load read (those after the snapshot)."""
    full_read: int
    """Events the full replay read (all of them)."""
    from_snapshot: JsonObject | None
    """The state loaded from the snapshot plus the tail (None: no snapshot)."""
    full: JsonObject
    """The state a full replay produces."""
    differences: tuple[FieldDifference, ...]

    @property
    def equal(self) -> bool:
        """Both loads give the same state (trivially so without a snapshot)."""
        return not self.differences


def field_differences(left: JsonObject, right: JsonObject) -> tuple[FieldDifference, ...]:
    """The fields of two states whose values differ (or that only one of them has), in the
    order they appear (`left`'s first)."""
    names = [*left, *(k for k in right if k not in left)]
    return tuple(
        FieldDifference(name, left.get(name, ABSENT), right.get(name, ABSENT))
        for name in names
        if name not in left or name not in right or left[name] != right[name]
    )


def _class_topic(aggregate: Any) -> str:
    kind = type(aggregate)
    return f"{kind.__module__}:{kind.__qualname__}"


def compare_with_snapshot(
    store: EventsourcingStore, stream_id: str, snapshot_version: int | None = None
) -> SnapshotComparison:
    """Load `stream_id` from its snapshot at `snapshot_version` (default: its latest, the one
    the library's repository starts from) plus the events after it, and by a full replay;
    compare the two. Raises ReplayError (UnresolvedTopicError without the classes)."""
    full_rows = store.stored_rows(stream_id)
    if not full_rows:
        raise ReplayError(stream_id, "no such stream")
    objects = LibraryObjects(store, stream_id)
    full = objects.project(None, [(r, objects.domain_object(r)) for r in full_rows])
    full_state = state_json(full)
    snapshots = store.stored_snapshot_rows(stream_id)
    chosen = _chosen(stream_id, snapshots, snapshot_version)
    loaded_state: JsonObject | None = None
    tail_read = 0
    if chosen is not None:
        snapshot = objects.domain_object(chosen, "snapshot ")
        try:
            start = snapshot.mutate(None)  # the library's Snapshot makes the aggregate
        except Exception as exc:  # e.g. its aggregate class is gone
            topic = str(getattr(snapshot, "topic", chosen[2]))
            raise objects.failure(exc, topic, "snapshot") from None
        tail_rows = store.stored_rows(stream_id, from_version=chosen[1] + 1)
        tail_read = len(tail_rows)
        loaded = objects.project(start, [(r, objects.domain_object(r)) for r in tail_rows])
        loaded_state = state_json(loaded)
    return SnapshotComparison(
        stream_id=stream_id,
        aggregate=_class_topic(full),
        version=full_rows[-1][1],
        snapshot_version=chosen[1] if chosen else None,
        kept=tuple(row[1] for row in snapshots),
        tail_read=tail_read,
        full_read=len(full_rows),
        from_snapshot=loaded_state,
        full=full_state,
        differences=() if loaded_state is None else field_differences(loaded_state, full_state),
    )


def _chosen(stream_id: str, snapshots: list[StoredRow], version: int | None) -> StoredRow | None:
    if version is None:
        return snapshots[-1] if snapshots else None
    found = next((row for row in snapshots if row[1] == version), None)
    if found is None:
        kept = ", ".join(f"v{row[1]}" for row in snapshots) or "none"
        raise ReplayError(stream_id, f"no snapshot at v{version} (kept: {kept})")
    return found
