"""Consumers' tracking positions: kept by the store, moved forward only, and recorded in the
same transaction as a consumer's reactions."""

from __future__ import annotations

import threading

import pytest

from domain.core.errors import ConcurrencyError, InvalidEventError, TrackingConflictError
from domain.core.protocol import EventStore
from domain.core.records import ANY, NO_STREAM
from tests.store.conftest import MakeStore, batch, new


def test_a_new_consumer_starts_at_zero_and_saves_forward(store: EventStore) -> None:
    assert store.tracking_position("ideas.creation") == 0
    store.save_tracking("ideas.creation", 5)
    store.save_tracking("ideas.creation", 9)
    assert store.tracking_position("ideas.creation") == 9
    assert store.tracking_position("other") == 0


@pytest.mark.parametrize("position", [3, 9])
def test_a_tracking_position_never_goes_back(store: EventStore, position: int) -> None:
    store.save_tracking("c", 9)
    with pytest.raises(TrackingConflictError) as caught:
        store.save_tracking("c", position)
    assert (caught.value.name, caught.value.position, caught.value.stored) == ("c", position, 9)
    assert store.tracking_position("c") == 9


def test_reactions_and_tracking_commit_together(store: EventStore) -> None:
    (trigger,) = store.append("req-1", [new("Requested")], NO_STREAM)
    recorded = store.append_many(
        [("idea-1", [new("Accepted")], NO_STREAM)], tracking=("pm", trigger.position)
    )
    assert store.tracking_position("pm") == trigger.position
    assert store.read_stream("idea-1") == recorded


def test_a_refused_tracking_writes_no_reaction(store: EventStore) -> None:
    store.save_tracking("pm", 4)
    with pytest.raises(TrackingConflictError):
        store.append_many([("idea-1", [new("Accepted")], ANY)], tracking=("pm", 4))
    assert store.stream_info("idea-1") is None
    assert store.head_position() == 0


def test_a_conflicting_reaction_records_no_tracking(store: EventStore) -> None:
    store.append("idea-1", batch(2), NO_STREAM)
    with pytest.raises(ConcurrencyError):
        store.append_many([("idea-1", [new("Accepted")], 1)], tracking=("pm", 2))
    assert store.tracking_position("pm") == 0


def test_a_resent_reaction_returns_the_stored_records(store: EventStore) -> None:
    writes = [("idea-1", [new("Accepted")], NO_STREAM)]
    first = store.append_many(writes, tracking=("pm", 1))
    assert store.append_many(writes, tracking=("pm", 1)) == first
    assert store.tracking_position("pm") == 1


@pytest.mark.parametrize(
    "bad", [("", 1), ("pm", 0), ("pm", -2), ("pm", True), (None, 1), ("x" * 201, 1), ("pm",)]
)
def test_bad_tracking_is_refused(store: EventStore, bad: tuple[object, ...]) -> None:
    with pytest.raises(InvalidEventError):
        store.append_many([("s-1", [new()], ANY)], tracking=bad)  # type: ignore[arg-type]
    if len(bad) == 2:
        with pytest.raises(InvalidEventError):
            store.save_tracking(*bad)  # type: ignore[arg-type]
    assert store.head_position() == 0


def test_racing_consumers_one_wins_each_position(store: EventStore) -> None:
    wins: list[tuple[int, int]] = []
    refusals: list[TrackingConflictError] = []
    barrier = threading.Barrier(4)

    def consumer(me: int) -> None:
        for position in range(1, 31):
            barrier.wait(timeout=60)
            try:
                store.append_many(
                    [(f"reaction-{position}", [new(by=me)], ANY)], tracking=("pm", position)
                )
                wins.append((position, me))
            except TrackingConflictError as exc:
                refusals.append(exc)

    threads = [threading.Thread(target=consumer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(p for p, _ in wins) == list(range(1, 31))
    assert len(refusals) == 3 * 30
    assert all(r.stored >= r.position for r in refusals)
    assert all(len(store.read_stream(f"reaction-{p}")) == 1 for p in range(1, 31))
    assert store.tracking_position("pm") == 30


@pytest.mark.durable
def test_tracking_survives_a_reopen(make_store: MakeStore) -> None:
    store = make_store()
    store.save_tracking("pm", 12)
    store.close()
    assert make_store().tracking_position("pm") == 12
