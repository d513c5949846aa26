"""The snapshot law, for random histories and policies: latest snapshot + tail == full replay."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.core.aggregate import load, take_snapshot
from domain.core.protocol import EventStore
from domain.core.records import NewEvent, RecordedEvent, Snapshot, SnapshotPolicy
from tests.store.conftest import Backend

State = dict[str, Any]


class RunningList:
    """Keeps every value seen and their sum; counts how many events it applied."""

    state_schema_version = 1

    def __init__(self) -> None:
        self.applied = 0

    def initial(self, stream_id: str) -> State:
        return {"sum": 0, "values": []}

    def evolve(self, state: State, event: RecordedEvent) -> State:
        self.applied += 1
        value = event.data["value"]
        return {"sum": state["sum"] + value, "values": [*state["values"], value]}

    def dump(self, state: State) -> dict[str, Any]:
        return {"sum": state["sum"], "values": list(state["values"])}

    def restore(self, data: dict[str, Any]) -> State:
        return {"sum": data["sum"], "values": list(data["values"])}


def _expected(values: list[int]) -> State:
    return {"sum": sum(values), "values": list(values)}


histories = st.lists(
    st.tuples(
        st.sampled_from(["law-a", "law-b"]),
        st.lists(st.integers(-1000, 1000), min_size=1, max_size=7),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(history=histories, every=st.integers(1, 9), keep=st.integers(1, 4))
def test_latest_snapshot_plus_tail_is_the_full_replay(
    backend: Backend, history: list[tuple[str, list[int]]], every: int, keep: int
) -> None:
    policy = SnapshotPolicy(every=every, keep=keep)
    with tempfile.TemporaryDirectory() as where:
        store = backend.open(Path(where), policy, frozenset())
        try:
            _check_history(store, policy, history)
        finally:
            store.close()


def _check_history(
    store: EventStore, policy: SnapshotPolicy, history: list[tuple[str, list[int]]]
) -> None:
    fold = RunningList()
    values: dict[str, list[int]] = {}
    taken: dict[str, list[Snapshot]] = {}
    for stream_id, batch in history:
        seen = values.setdefault(stream_id, [])
        old = len(seen)
        store.append(stream_id, [NewEvent(type="Valued", data={"value": v}) for v in batch], old)
        seen += batch
        if policy.due(old, len(seen)):
            taken.setdefault(stream_id, []).append(
                take_snapshot(store, fold, load(store, stream_id, fold))
            )

        for name, so_far in values.items():
            kept = store.snapshots(name)
            assert len(kept) <= policy.keep
            assert kept == taken.get(name, [])[-policy.keep :]
            for snap in kept:
                assert snap.state == _expected(so_far[: snap.version])

            fold.applied = 0
            loaded = load(store, name, fold)
            assert loaded.state == _expected(so_far)
            assert loaded.version == len(so_far)
            start = kept[-1].version if kept else 0
            assert fold.applied == len(so_far) - start

            starts: list[Snapshot | None] = [None, *kept]
            for start_at in starts:
                assert load(store, name, fold, snapshot=start_at).state == _expected(so_far)
