"""Snapshots (kept per stream, validated on save) and aggregate loading (snapshot + tail)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.core.aggregate import Loaded, load, replay, take_snapshot
from domain.core.errors import InvalidEventError, SnapshotError, StreamForgottenError
from domain.core.protocol import EventStore
from domain.core.records import NO_STREAM, RecordedEvent, Snapshot, SnapshotPolicy
from tests.store.conftest import MakeStore, batch, new

State = dict[str, Any]


class CountingFold:
    """Sums `n` and records every version applied; counts calls to `evolve`."""

    def __init__(self, state_schema_version: int = 1) -> None:
        self.state_schema_version = state_schema_version
        self.applied = 0

    def initial(self, stream_id: str) -> State:
        return {"sum": 0, "versions": []}

    def evolve(self, state: State, event: RecordedEvent) -> State:
        self.applied += 1
        return {
            "sum": state["sum"] + event.data["n"],
            "versions": [*state["versions"], event.version],
        }

    def dump(self, state: State) -> dict[str, Any]:
        return dict(state)

    def restore(self, data: dict[str, Any]) -> State:
        return {"sum": data["sum"], "versions": list(data["versions"])}


def _full(count: int) -> State:
    return {"sum": count * (count + 1) // 2, "versions": list(range(1, count + 1))}


def _snap_at(store: EventStore, stream_id: str, version: int, fold: CountingFold) -> Snapshot:
    return take_snapshot(
        store, fold, load(store, stream_id, fold, snapshot=None, to_version=version)
    )


def _snapshot(stream_id: str, version: int, last_event_id: uuid.UUID, **state: Any) -> Snapshot:
    return Snapshot(stream_id, version, last_event_id, dict(state), 1, datetime.now(UTC))


def test_only_the_last_m_snapshots_are_kept(make_store: MakeStore) -> None:
    store = make_store(SnapshotPolicy(every=1, keep=3))
    store.append("idea-1", batch(6), NO_STREAM)
    fold = CountingFold()

    taken = [_snap_at(store, "idea-1", v, fold) for v in range(1, 7)]

    assert store.snapshots("idea-1") == taken[-3:]
    assert [s.version for s in store.snapshots("idea-1")] == [4, 5, 6]
    assert store.latest_snapshot("idea-1") == taken[-1]


def test_snapshots_are_per_stream(store: EventStore) -> None:
    store.append("a-1", batch(3), NO_STREAM)
    store.append("b-1", batch(2), NO_STREAM)
    fold = CountingFold()

    a = _snap_at(store, "a-1", 3, fold)

    assert store.snapshots("a-1") == [a]
    assert store.snapshots("b-1") == []
    assert store.latest_snapshot("b-1") is None
    assert store.snapshots("nobody") == []
    assert store.latest_snapshot("nobody") is None


def test_a_snapshot_round_trips_its_fields(store: EventStore) -> None:
    (rec,) = store.append("idea-1", [new(n=1)], NO_STREAM)
    snap = Snapshot("idea-1", 1, rec.event_id, {"k": [1, "x", None]}, 4, datetime.now(UTC))

    store.save_snapshot(snap)

    assert store.snapshots("idea-1") == [snap]


def test_a_snapshot_at_the_same_version_replaces_the_older_one(store: EventStore) -> None:
    written = store.append("idea-1", batch(2), NO_STREAM)
    store.save_snapshot(_snapshot("idea-1", 2, written[1].event_id, sum=1))
    store.save_snapshot(_snapshot("idea-1", 2, written[1].event_id, sum=3))

    assert [s.state for s in store.snapshots("idea-1")] == [{"sum": 3}]


def test_saving_a_snapshot_copies_its_state(store: EventStore) -> None:
    (rec,) = store.append("idea-1", [new(n=1)], NO_STREAM)
    state: dict[str, Any] = {"items": [1]}
    store.save_snapshot(Snapshot("idea-1", 1, rec.event_id, state, 1, datetime.now(UTC)))

    state["items"].append(2)
    state["extra"] = True

    assert store.snapshots("idea-1")[0].state == {"items": [1]}


@pytest.mark.parametrize(
    ("stream_id", "version", "which"),
    [
        ("nobody", 1, 0),  # unknown stream
        ("idea-1", 4, 2),  # ahead of the stream
        ("idea-1", 2, 0),  # version 2 is not event #0
    ],
)
def test_a_snapshot_that_does_not_match_its_stream_is_refused(
    store: EventStore, stream_id: str, version: int, which: int
) -> None:
    written = store.append("idea-1", batch(3), NO_STREAM)

    with pytest.raises(SnapshotError):
        store.save_snapshot(_snapshot(stream_id, version, written[which].event_id))

    assert store.snapshots("idea-1") == []
    assert store.snapshots(stream_id) == []


@pytest.mark.parametrize(
    "change",
    [
        {"version": 0},
        {"version": True},
        {"state": {"bad": {1, 2}}},
        {"state": {"nan": float("nan")}},
        {"state": [1, 2]},
        {"state_schema_version": 0},
        {"stream_id": "$all"},
        {"last_event_id": "not-a-uuid"},
        {"taken_at": "now"},
        {"taken_at": datetime(2024, 1, 1)},  # naive: no time zone
    ],
)
def test_a_malformed_snapshot_is_refused(store: EventStore, change: dict[str, Any]) -> None:
    (rec,) = store.append("idea-1", [new(n=1)], NO_STREAM)
    snap = dataclasses.replace(_snapshot("idea-1", 1, rec.event_id), **change)

    with pytest.raises(InvalidEventError):
        store.save_snapshot(snap)

    assert store.snapshots("idea-1") == []


def test_a_forgotten_stream_takes_no_snapshot(store: EventStore) -> None:
    written = store.append("idea-1", batch(2), NO_STREAM)
    tombstone = store.forget("idea-1", new("Forgotten"))

    with pytest.raises(StreamForgottenError):
        store.save_snapshot(_snapshot("idea-1", 1, written[0].event_id))
    with pytest.raises(StreamForgottenError):
        store.save_snapshot(_snapshot("idea-1", tombstone.version, tombstone.event_id))
    assert store.snapshots("idea-1") == []


def test_without_a_snapshot_a_load_replays_from_version_one(store: EventStore) -> None:
    store.append("idea-1", batch(7), NO_STREAM)
    fold = CountingFold()

    loaded = load(store, "idea-1", fold)

    assert loaded.state == _full(7)
    assert (loaded.version, loaded.snapshot, loaded.events_applied) == (7, None, 7)
    assert fold.applied == 7
    assert loaded.how() == "replayed 7 events from v1"


def test_a_load_is_the_latest_snapshot_plus_the_events_after_it(store: EventStore) -> None:
    written = store.append("idea-1", batch(23), NO_STREAM)
    fold = CountingFold()
    _snap_at(store, "idea-1", 10, fold)
    latest = _snap_at(store, "idea-1", 20, fold)
    fold.applied = 0

    loaded = load(store, "idea-1", fold)

    # the snapshot's own last event (v20) is not applied a second time
    assert fold.applied == 3
    assert loaded.state == _full(23)
    assert loaded.snapshot == latest
    assert (loaded.version, loaded.last_event_id) == (23, written[-1].event_id)
    assert loaded.how() == "snapshot v20 + 3 events"


def test_a_snapshot_at_the_head_applies_nothing(store: EventStore) -> None:
    written = store.append("idea-1", batch(5), NO_STREAM)
    fold = CountingFold()
    _snap_at(store, "idea-1", 5, fold)
    fold.applied = 0

    loaded = load(store, "idea-1", fold)

    assert fold.applied == 0
    assert loaded.state == _full(5)
    assert (loaded.version, loaded.last_event_id) == (5, written[-1].event_id)
    assert loaded.how() == "snapshot v5 + 0 events"


def test_any_kept_snapshot_or_none_gives_the_full_replay(make_store: MakeStore) -> None:
    store = make_store(SnapshotPolicy(every=4, keep=3))
    store.append("idea-1", batch(14), NO_STREAM)
    fold = CountingFold()
    for v in (4, 8, 12):
        _snap_at(store, "idea-1", v, fold)
    starts: list[Snapshot | None] = [None, *store.snapshots("idea-1")]

    for start in starts:
        fold.applied = 0
        loaded: Loaded[State] = load(store, "idea-1", fold, snapshot=start)
        assert loaded.state == _full(14)
        assert loaded.snapshot == start
        assert fold.applied == 14 - (start.version if start else 0)


def test_a_load_up_to_a_version_uses_the_newest_snapshot_not_past_it(
    store: EventStore,
) -> None:
    store.append("idea-1", batch(30), NO_STREAM)
    fold = CountingFold()
    for v in (10, 20, 30):
        _snap_at(store, "idea-1", v, fold)

    for to_version, start_at in [(25, 20), (20, 20), (19, 10), (5, None)]:
        loaded = load(store, "idea-1", fold, to_version=to_version)
        assert loaded.state == _full(to_version)
        assert loaded.version == to_version
        assert (loaded.snapshot.version if loaded.snapshot else None) == start_at


def test_snapshots_of_another_state_schema_are_skipped(store: EventStore) -> None:
    store.append("idea-1", batch(12), NO_STREAM)
    _snap_at(store, "idea-1", 5, CountingFold(state_schema_version=2))
    _snap_at(store, "idea-1", 10, CountingFold(state_schema_version=1))
    fold = CountingFold(state_schema_version=2)

    loaded = load(store, "idea-1", fold)

    assert loaded.snapshot is not None and loaded.snapshot.version == 5
    assert loaded.state == _full(12)
    newer = CountingFold(state_schema_version=3)
    assert load(store, "idea-1", newer).snapshot is None
    assert newer.applied == 12


@pytest.mark.parametrize("problem", ["past to_version", "other stream", "other schema"])
def test_a_chosen_snapshot_that_cannot_start_the_load_is_refused(
    store: EventStore, problem: str
) -> None:
    store.append("idea-1", batch(10), NO_STREAM)
    store.append("idea-2", batch(10), NO_STREAM)
    snap = _snap_at(store, "idea-1", 8, CountingFold())
    stream, to_version, fold = "idea-1", None, CountingFold()
    if problem == "past to_version":
        to_version = 5
    elif problem == "other stream":
        stream = "idea-2"
    else:
        fold = CountingFold(state_schema_version=9)

    with pytest.raises(SnapshotError):
        load(store, stream, fold, snapshot=snap, to_version=to_version)


def test_replay_folds_given_events_after_a_start(store: EventStore) -> None:
    written = store.append("idea-1", batch(6), NO_STREAM)
    snap = _snap_at(store, "idea-1", 4, CountingFold())

    loaded = replay(CountingFold(), "idea-1", written[4:], snap)

    assert loaded.state == _full(6)
    assert (loaded.version, loaded.events_applied) == (6, 2)


def test_an_empty_stream_cannot_be_snapshotted(store: EventStore) -> None:
    fold = CountingFold()
    loaded = load(store, "nobody", fold)

    assert (loaded.version, loaded.last_event_id, loaded.state) == (0, None, _full(0))
    with pytest.raises(ValueError, match="no events"):
        take_snapshot(store, fold, loaded)
