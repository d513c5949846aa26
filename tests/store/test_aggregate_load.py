"""Which snapshot a load starts from, on every backend: the latest one the fold can read that
is not past the requested version; an older one when the latest cannot serve."""

from __future__ import annotations

from domain.core.aggregate import load, take_snapshot
from domain.core.protocol import EventStore
from domain.core.records import NO_STREAM, SnapshotPolicy
from tests.store.conftest import MakeStore, new
from tests.store.test_properties import RunningList


def history(store: EventStore, values: list[int]) -> None:
    store.append("s", [new(value=v) for v in values], NO_STREAM)


def snapshot_at(store: EventStore, version: int, schema: int = 1) -> None:
    fold = RunningList()
    loaded = load(store, "s", fold, snapshot=None, to_version=version)
    if schema == 1:
        take_snapshot(store, fold, loaded)
        return
    # As a fold of another state schema would have written it.
    fold.state_schema_version = schema
    take_snapshot(store, fold, loaded)


def test_a_load_starts_from_the_latest_snapshot(make_store: MakeStore) -> None:
    store = make_store(SnapshotPolicy(every=1000, keep=5))
    history(store, list(range(1, 21)))
    for version in (5, 10, 15):
        snapshot_at(store, version)
    loaded = load(store, "s", RunningList())
    assert loaded.snapshot is not None and loaded.snapshot.version == 15
    assert loaded.events_applied == 5
    assert loaded.state == load(store, "s", RunningList(), snapshot=None).state


def test_a_load_up_to_a_version_starts_from_a_snapshot_not_past_it(make_store: MakeStore) -> None:
    store = make_store(SnapshotPolicy(every=1000, keep=5))
    history(store, list(range(1, 21)))
    for version in (5, 10, 15):
        snapshot_at(store, version)
    for to_version, start in ((4, None), (5, 5), (12, 10), (15, 15), (20, 15)):
        loaded = load(store, "s", RunningList(), to_version=to_version)
        assert (loaded.snapshot.version if loaded.snapshot else None) == start
        full = load(store, "s", RunningList(), snapshot=None, to_version=to_version)
        assert (loaded.state, loaded.version) == (full.state, full.version)


def test_a_latest_snapshot_of_another_state_schema_is_passed_over(make_store: MakeStore) -> None:
    store = make_store(SnapshotPolicy(every=1000, keep=5))
    history(store, list(range(1, 21)))
    snapshot_at(store, 8)
    snapshot_at(store, 15, schema=2)  # the latest, unreadable by this fold
    loaded = load(store, "s", RunningList())
    assert loaded.snapshot is not None and loaded.snapshot.version == 8
    assert loaded.state == load(store, "s", RunningList(), snapshot=None).state
