"""How commits of other handles reach a PostgreSQL handle's listeners: on NOTIFY, by `poll()`,
never out of order with the handle's own writes, and not before it subscribed."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import pytest

from domain.backends.postgres.store import PostgresEventStore
from domain.core.records import ANY, NO_STREAM, NewEvent, RecordedEvent
from tests.store.conftest import wait_for
from tests.store.test_postgres_helpers import fresh_url


@pytest.fixture
def url() -> str:
    return fresh_url()


@pytest.fixture
def other(url: str) -> Iterator[PostgresEventStore]:
    """Another handle on the same store: its commits are "someone else's"."""
    store = PostgresEventStore.open(url, poll_interval=None)
    yield store
    store.close()


def note(store: PostgresEventStore, stream_id: str = "x-1") -> RecordedEvent:
    (event,) = store.append(stream_id, [NewEvent("Noted", {})], ANY)
    return event


def test_a_poll_during_a_write_is_left_to_the_write(url: str, other: PostgresEventStore) -> None:
    polled: list[int] = []
    store: PostgresEventStore

    def poll_inside(records: Sequence[RecordedEvent]) -> None:
        polled.append(store.poll())  # on the listener thread, this could race the write

    store = PostgresEventStore.open(url, poll_interval=None, before_commit=poll_inside)
    got: list[RecordedEvent] = []
    store.subscribe(got.extend)
    theirs = note(other)

    (mine,) = store.append("mine-1", [NewEvent("Noted", {})], NO_STREAM)

    assert polled == [0]  # deferred to the write...
    assert got == [theirs, mine]  # ...which handed theirs over first, before returning
    store.close()


def test_notify_brings_commits_and_poll_works_without_the_thread(
    url: str, other: PostgresEventStore
) -> None:
    store = PostgresEventStore.open(url, poll_interval=60)
    got: list[RecordedEvent] = []
    store.subscribe(got.extend)
    assert store.wait_listening(10)
    first = note(other)
    assert wait_for(lambda: got == [first], timeout=30)

    store.stop_polling()
    assert not store.wait_listening(0)  # the listener thread has ended: nobody listens now
    second = note(other)
    assert got == [first]
    assert store.poll() == 1  # not delivered before: only this poll brings it
    assert got == [first, second]

    store.start_polling(60)
    assert store.wait_listening(10)
    third = note(other)
    assert wait_for(lambda: got == [first, second, third], timeout=30)
    store.close()


def test_a_subscriber_gets_only_commits_made_after_it_subscribed(
    url: str, other: PostgresEventStore
) -> None:
    store = PostgresEventStore.open(url, poll_interval=None)
    note(other)
    assert store.poll() == 0  # no listeners: the mark just moves
    note(other)
    got: list[RecordedEvent] = []
    store.subscribe(got.extend)

    later = note(other)
    store.poll()

    assert got == [later]
    store.close()


def _listening_threads() -> int:
    return sum(t.name == "es-tui-pg-listen" for t in threading.enumerate())


def test_a_closed_handle_stops_its_listener_thread(url: str, other: PostgresEventStore) -> None:
    before = _listening_threads()
    store = PostgresEventStore.open(url, poll_interval=0.05)
    store.subscribe(lambda events: None)
    assert store.wait_listening(10)
    assert _listening_threads() == before + 1

    store.close()

    assert _listening_threads() == before
    note(other)  # nothing breaks on the other side
