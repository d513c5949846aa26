"""Concurrency, atomicity and idempotency under load, on every backend."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence

import pytest

from domain.core.errors import ConcurrencyError, InvalidEventError
from domain.core.protocol import EventStore
from domain.core.records import ANY, NO_STREAM, NewEvent, RecordedEvent
from tests.store.conftest import Backend, batch, new, wait_for

WRITERS = 8


def _run(workers: int, work: Callable[[int], None]) -> None:
    """Run `work(i)` on `workers` threads and re-raise the first failure."""
    failures: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            work(i)
        except BaseException as exc:  # reported below, on the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]


@pytest.mark.slow
def test_racing_writers_at_the_same_version_win_exactly_once_per_round(
    store: EventStore, backend: Backend
) -> None:
    rounds = backend.race_rounds
    barrier = threading.Barrier(WRITERS)  # cyclic: every round starts together
    wins: list[list[RecordedEvent]] = [[] for _ in range(WRITERS)]
    losses: list[list[tuple[int, ConcurrencyError]]] = [[] for _ in range(WRITERS)]
    commits: list[Sequence[RecordedEvent]] = []
    store.subscribe(commits.append)

    def writer(i: int) -> None:
        for r in range(rounds):
            barrier.wait(timeout=60)
            try:
                wins[i] += store.append("race-1", [new(writer=i, round=r)], r)
            except ConcurrencyError as exc:
                losses[i].append((r, exc))

    _run(WRITERS, writer)

    won = sorted((e for w in wins for e in w), key=lambda e: e.version)
    lost = [x for w in losses for x in w]
    assert len(won) == rounds
    assert len(lost) == (WRITERS - 1) * rounds
    assert sorted(e.data["round"] for e in won) == list(range(rounds))

    stream = store.read_stream("race-1")
    assert stream == won
    assert [e.version for e in stream] == list(range(1, rounds + 1))
    assert len({e.event_id for e in stream}) == rounds
    positions = [e.position for e in stream]
    assert all(a < b for a, b in itertools.pairwise(positions))
    assert store.head_position() == positions[-1]
    assert store.read_all() == stream

    # every loser of round r saw the round's winner: version r + 1 and its event id
    winner_of = {e.data["round"]: e for e in won}
    for r, exc in lost:
        assert (exc.stream_id, exc.expected, exc.actual) == ("race-1", r, r + 1)
        assert exc.last_event_id == winner_of[r].event_id

    assert wait_for(lambda: len(commits) == rounds)
    assert [e for c in commits for e in c] == stream


def test_racing_retries_of_one_batch_store_it_once(store: EventStore, backend: Backend) -> None:
    rounds = max(backend.race_rounds // 10, 10)
    barrier = threading.Barrier(WRITERS)
    batches = [batch(3, start=3 * r + 1) for r in range(rounds)]
    answers: list[list[list[RecordedEvent]]] = [[] for _ in range(WRITERS)]

    def sender(i: int) -> None:
        for r, events in enumerate(batches):
            barrier.wait(timeout=60)
            answers[i].append(store.append("retry-1", events, 3 * r))

    _run(WRITERS, sender)

    stream = store.read_stream("retry-1")
    assert len(stream) == 3 * rounds
    assert [e.data["n"] for e in stream] == list(range(1, 3 * rounds + 1))
    for mine in answers:
        assert [e for answer in mine for e in answer] == stream


def test_concurrent_readers_never_see_part_of_a_batch(store: EventStore) -> None:
    size, count = 10, 150
    done = threading.Event()
    torn: list[str] = []

    def write() -> None:
        for k in range(count):
            store.append("batches-1", batch(size, start=k * size + 1), k * size)
        done.set()

    def read() -> None:
        while not done.is_set():
            events = store.read_stream("batches-1")
            log = store.read_all()
            info = store.stream_info("batches-1")
            if len(events) % size or len(log) % size:
                torn.append(f"read {len(events)} / {len(log)} events")
            if info is not None and info.version % size:
                torn.append(f"stream at version {info.version}")

    writer = threading.Thread(target=write)
    writer.start()
    _run(3, lambda _: read())
    writer.join()

    assert torn == []
    assert len(store.read_stream("batches-1")) == size * count


def test_a_batch_with_one_invalid_event_writes_nothing(store: EventStore) -> None:
    store.append("idea-1", batch(3), NO_STREAM)
    commits: list[Sequence[RecordedEvent]] = []
    store.subscribe(commits.append)
    head = store.head_position()
    before = store.read_stream("idea-1")
    middle = NewEvent(type="Noted", data={"when": {"not", "json"}})
    events = [*batch(4, start=10), middle, *batch(4, start=20)]

    with pytest.raises(InvalidEventError):
        store.append("idea-1", events, 3)

    assert store.head_position() == head
    assert store.read_stream("idea-1") == before
    assert store.read_all() == before
    # the valid events of the refused batch were not kept either: they append as new
    (sentinel,) = store.append("idea-1", [events[0]], 3)
    assert sentinel.version == 4
    assert wait_for(lambda: len(commits) == 1)
    assert commits == [[sentinel]]


@pytest.mark.slow
def test_resending_a_thousand_acknowledged_batches_adds_nothing(store: EventStore) -> None:
    sent: list[tuple[str, list[NewEvent], int]] = []
    acknowledged: list[list[RecordedEvent]] = []
    for k in range(1000):
        stream_id = f"idem-{k % 17}"
        info = store.stream_info(stream_id)
        version = info.version if info else 0
        events = batch(1 + k % 3, start=k * 10)
        acknowledged.append(store.append(stream_id, events, version))
        sent.append((stream_id, events, version))
    head = store.head_position()
    log = store.read_all()
    streams = store.list_streams()
    commits: list[Sequence[RecordedEvent]] = []
    store.subscribe(commits.append)

    # a client that lost every acknowledgement resends everything, some with ANY
    for k, (stream_id, events, version) in enumerate(sent):
        expected = ANY if k % 2 else version
        assert store.append(stream_id, events, expected) == acknowledged[k]

    assert store.head_position() == head
    assert store.read_all() == log
    assert store.list_streams() == streams
    (probe,) = store.append("probe-1", [new()], NO_STREAM)
    assert wait_for(lambda: len(commits) == 1)
    assert commits == [[probe]]
