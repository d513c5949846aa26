"""Subscribing: every commit once, in commit order, to every listener.

A backend may deliver on another thread shortly after `append` returns, so tests wait for the
commits they expect; "nothing else arrived" is checked by a later sentinel commit that must
arrive right after the previous one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import pytest

from domain.core.errors import ConcurrencyError
from domain.core.protocol import CommitListener, EventStore
from domain.core.records import ANY, NO_STREAM, RecordedEvent
from tests.store.conftest import batch, new, wait_for

Commits = list[list[RecordedEvent]]


def _recorder(into: Commits) -> CommitListener:
    def listener(events: Sequence[RecordedEvent]) -> None:
        into.append(list(events))

    return listener


def _sentinel(store: EventStore, got: Commits) -> list[RecordedEvent]:
    commit = store.append("sentinel", [new("Sentinel")], ANY)
    assert wait_for(lambda: bool(got) and got[-1] == commit), got
    return commit


def test_each_commit_arrives_once_as_one_call(store: EventStore) -> None:
    got: Commits = []
    store.subscribe(_recorder(got))

    first = store.append("a-1", batch(3), NO_STREAM)
    second = store.append("b-1", batch(1), NO_STREAM)
    third = store.append("a-1", batch(500), 3)
    last = _sentinel(store, got)

    assert got == [first, second, third, last]


def test_refused_and_retried_appends_are_not_commits(store: EventStore) -> None:
    sent = batch(2)
    first = store.append("a-1", sent, NO_STREAM)
    got: Commits = []
    store.subscribe(_recorder(got))

    with pytest.raises(ConcurrencyError):
        store.append("a-1", [new()], 0)
    store.append("a-1", sent, NO_STREAM)  # an idempotent retry writes nothing
    last = _sentinel(store, got)

    assert got == [last]
    assert store.read_stream("a-1") == first


def test_subscribers_receive_the_tombstone(store: EventStore) -> None:
    store.append("a-1", batch(3), NO_STREAM)
    got: Commits = []
    store.subscribe(_recorder(got))

    tombstone = store.forget("a-1", new("Forgotten"))
    last = _sentinel(store, got)

    assert got == [[tombstone], last]


def test_every_listener_gets_every_commit(store: EventStore) -> None:
    one: Commits = []
    two: Commits = []
    store.subscribe(_recorder(one))
    store.subscribe(_recorder(two))

    written = [store.append(f"s-{i}", batch(2), NO_STREAM) for i in range(5)]
    written.append(_sentinel(store, one))

    assert wait_for(lambda: len(two) == len(written))
    assert one == two == written


def test_close_stops_delivery(store: EventStore) -> None:
    got: Commits = []
    other: Commits = []
    sub = store.subscribe(_recorder(got))
    store.subscribe(_recorder(other))
    first = store.append("a-1", [new()], NO_STREAM)
    assert wait_for(lambda: got == [first])

    sub.close()
    second = store.append("a-1", [new()], 1)
    last = _sentinel(store, other)

    assert other == [first, second, last]
    assert got == [first]


def test_a_failing_listener_breaks_neither_the_writer_nor_other_listeners(
    store: EventStore, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(events: Sequence[RecordedEvent]) -> None:
        raise RuntimeError("listener bug")

    got: Commits = []
    store.subscribe(broken)
    store.subscribe(_recorder(got))

    with caplog.at_level(logging.ERROR):
        first = store.append("a-1", batch(2), NO_STREAM)
        second = store.append("a-1", batch(2), 2)
        last = _sentinel(store, got)

    assert got == [first, second, last]
    assert store.read_stream("a-1") == first + second
    assert "listener bug" in caplog.text


def test_a_listener_may_append_and_order_is_kept(store: EventStore) -> None:
    """A process-manager shape: on each `Requested`, append an `Accepted` elsewhere."""
    seen: list[RecordedEvent] = []

    def react(events: Sequence[RecordedEvent]) -> None:
        for e in events:
            seen.append(e)
            if e.type == "Requested":
                store.append(f"pm-{e.stream_id}", [new("Accepted", of=e.position)], NO_STREAM)

    store.subscribe(react)
    for i in range(3):
        store.append(f"idea-{i}", [new("Requested")], NO_STREAM)

    assert wait_for(lambda: len(seen) == 6)
    log = store.read_all()
    assert seen == log
    requested = {e.position for e in log if e.type == "Requested"}
    accepted = [e for e in log if e.type == "Accepted"]
    assert len(requested) == len(accepted) == 3
    assert {e.data["of"] for e in accepted} == requested
    assert all(e.data["of"] < e.position for e in accepted)


def test_writers_on_many_threads_deliver_in_position_order(store: EventStore) -> None:
    got: list[RecordedEvent] = []
    store.subscribe(got.extend)

    def write(name: str) -> None:
        for _ in range(200):
            store.append(name, [new()], ANY)

    threads = [threading.Thread(target=write, args=(f"s-{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert wait_for(lambda: len(got) == 800)
    assert [e.position for e in got] == list(range(1, 801))
    assert got == store.read_all()


def test_a_listener_subscribed_after_a_commit_does_not_receive_it(store: EventStore) -> None:
    """A commit made before `subscribe` returns is not "later", even if its delivery to other
    listeners has not happened yet (here: it is queued behind the commit being delivered)."""
    late: Commits = []
    earlier: list[RecordedEvent] = []

    def first(events: Sequence[RecordedEvent]) -> None:
        if events[0].stream_id == "a-1":
            earlier.extend(store.append("b-1", [new()], NO_STREAM))
            store.subscribe(_recorder(late))

    store.subscribe(first)
    store.append("a-1", [new()], NO_STREAM)
    last = _sentinel(store, late)

    assert earlier and late == [last]


def test_no_call_after_close_returns_even_for_queued_commits(store: EventStore) -> None:
    closed = threading.Event()
    after_close: list[RecordedEvent] = []
    got: Commits = []

    def closer(events: Sequence[RecordedEvent]) -> None:
        if events[0].stream_id == "a-1":
            store.append("b-1", [new()], NO_STREAM)  # queued behind this commit
            sub.close()
            closed.set()

    def watched(events: Sequence[RecordedEvent]) -> None:
        if closed.is_set():
            after_close.extend(events)

    store.subscribe(closer)
    sub = store.subscribe(watched)
    store.subscribe(_recorder(got))
    store.append("a-1", [new()], NO_STREAM)
    _sentinel(store, got)

    assert closed.is_set()
    assert after_close == []
