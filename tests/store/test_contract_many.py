"""Appending to several streams at once: all or nothing, one commit, idempotent retries."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from domain.core.errors import (
    ConcurrencyError,
    DuplicateEventError,
    InvalidEventError,
    StreamForgottenError,
)
from domain.core.protocol import EventStore
from domain.core.records import ANY, NO_STREAM, RecordedEvent
from tests.store.conftest import batch, ids, new, wait_for


def test_several_streams_get_contiguous_positions_in_the_callers_order(store: EventStore) -> None:
    store.append("b-1", batch(2), NO_STREAM)
    recorded = store.append_many(
        [("b-1", batch(2, start=3), 2), ("a-1", batch(1), NO_STREAM), ("c-1", [new()], ANY)]
    )

    assert [(e.stream_id, e.version) for e in recorded] == [
        ("b-1", 3),
        ("b-1", 4),
        ("a-1", 1),
        ("c-1", 1),
    ]
    assert [e.position for e in recorded] == [3, 4, 5, 6]
    assert store.read_all(3) == recorded
    assert store.read_stream("b-1")[2:] == recorded[:2]
    assert store.stream_info("a-1").version == 1  # type: ignore[union-attr]
    assert store.head_position() == 6


@pytest.mark.parametrize("bad", [0, 1, 2])
def test_a_conflict_on_any_stream_refuses_the_whole_call(store: EventStore, bad: int) -> None:
    store.append("s-0", batch(1), NO_STREAM)
    store.append("s-1", batch(2), NO_STREAM)
    store.append("s-2", batch(3), NO_STREAM)
    expected = [1, 2, 3]
    expected[bad] = 7
    head = store.head_position()

    with pytest.raises(ConcurrencyError) as caught:
        store.append_many([(f"s-{i}", [new()], expected[i]) for i in range(3)])

    assert caught.value.stream_id == f"s-{bad}"
    assert caught.value.expected == 7
    assert caught.value.actual == bad + 1
    assert store.head_position() == head
    assert [store.stream_info(f"s-{i}").version for i in range(3)] == [1, 2, 3]  # type: ignore[union-attr]


def test_no_stream_refuses_an_existing_stream_and_names_it(store: EventStore) -> None:
    store.append("taken", batch(1), NO_STREAM)
    with pytest.raises(ConcurrencyError) as caught:
        store.append_many([("fresh", [new()], NO_STREAM), ("taken", [new()], NO_STREAM)])
    assert caught.value.stream_id == "taken"
    assert store.stream_info("fresh") is None
    assert store.read_all() == store.read_stream("taken")


def test_a_forgotten_stream_refuses_the_whole_call(store: EventStore) -> None:
    store.append("gone", batch(1), NO_STREAM)
    store.forget("gone", new("Forgotten"))
    with pytest.raises(StreamForgottenError):
        store.append_many([("other", [new()], ANY), ("gone", [new()], ANY)])
    assert store.stream_info("other") is None


def test_listeners_get_one_commit(store: EventStore) -> None:
    commits: list[Sequence[RecordedEvent]] = []
    store.subscribe(commits.append)
    recorded = store.append_many([("x-1", batch(2), NO_STREAM), ("y-1", batch(1), NO_STREAM)])
    assert wait_for(lambda: len(commits) >= 1)
    assert [list(c) for c in commits] == [recorded]


def test_a_resent_call_returns_the_stored_records(store: EventStore) -> None:
    writes = [("x-1", batch(2), NO_STREAM), ("y-1", batch(1), NO_STREAM)]
    first = store.append_many(writes)
    store.append("y-1", [new()], 1)
    again = store.append_many(writes)  # stale expected versions: still a retry
    assert again == first
    assert store.head_position() == 4
    assert store.append_many([(s, e, ANY) for s, e, _ in writes]) == first


def test_a_partly_stored_call_is_a_duplicate(store: EventStore) -> None:
    events = batch(2)
    store.append("x-1", events[:1], NO_STREAM)
    with pytest.raises(DuplicateEventError):
        store.append_many([("x-1", events, ANY), ("y-1", [new()], ANY)])
    with pytest.raises(DuplicateEventError):  # same id, other stream
        store.append_many([("y-1", events[:1], ANY)])
    assert store.head_position() == 1


@pytest.mark.parametrize(
    "writes",
    [
        [],
        [("a-1", [new()], ANY), ("a-1", [new()], ANY)],
        [("a-1", [], ANY)],
        [("$a", [new()], ANY)],
        [("a-1", [new()], -1)],
        [("a-1", [new()])],
    ],
    ids=["empty", "stream-twice", "no-events", "reserved", "bad-expected", "short"],
)
def test_bad_calls_are_refused_before_writing(store: EventStore, writes: list[object]) -> None:
    with pytest.raises((InvalidEventError, ValueError)):
        store.append_many(writes)  # type: ignore[arg-type]
    assert store.head_position() == 0


def test_an_event_id_twice_in_one_call_is_refused(store: EventStore) -> None:
    event = new()
    with pytest.raises(InvalidEventError):
        store.append_many([("a-1", [event], ANY), ("b-1", [event], ANY)])
    assert store.head_position() == 0


def test_a_single_write_equals_append(store: EventStore) -> None:
    (rec,) = store.append_many([("one", [new()], NO_STREAM)])
    assert store.read_all() == [rec]
    assert ids(store.read_stream("one")) == [rec.event_id]
