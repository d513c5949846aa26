"""Racing multi-stream appends on overlapping pairs of streams: no partial commit is ever
visible, nobody deadlocks, every refusal is a clean ConcurrencyError. Threads on every
backend; separate processes on the durable ones."""

from __future__ import annotations

import itertools
import multiprocessing
import threading

import pytest

from domain.core.protocol import EventStore
from tests.store.conftest import Backend
from tests.store.many_race import check_log, process_writer, write_pairs

WRITERS = 6
ATTEMPTS = 40


def _watch(store: EventStore, stop: threading.Event, seen: list[int]) -> None:
    while not stop.is_set():
        seen.append(check_log(store.read_all()))


@pytest.mark.slow
def test_threads_racing_on_overlapping_pairs_commit_whole_or_not_at_all(
    store: EventStore,
) -> None:
    outcomes: list[tuple[int, int]] = []
    failures: list[BaseException] = []

    def writer(me: int) -> None:
        try:
            outcomes.append(write_pairs(store, me, ATTEMPTS))
        except BaseException as exc:
            failures.append(exc)

    stop = threading.Event()
    seen: list[int] = []
    reader = threading.Thread(target=_watch, args=(store, stop, seen))
    reader.start()
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    stop.set()
    reader.join(timeout=60)
    assert not failures, failures
    assert not any(t.is_alive() for t in threads), "a writer is stuck"
    assert all(a <= b for a, b in itertools.pairwise(seen))
    committed = sum(done for done, _ in outcomes)
    assert committed + sum(refused for _, refused in outcomes) == WRITERS * ATTEMPTS
    assert committed >= 1
    assert check_log(store.read_all()) == committed


@pytest.mark.slow
@pytest.mark.durable
def test_processes_racing_on_overlapping_pairs_commit_whole_or_not_at_all(
    store: EventStore, backend: Backend
) -> None:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    procs = [
        context.Process(target=process_writer, args=(store.url, 100 + i, ATTEMPTS, results))
        for i in range(4)
    ]
    for p in procs:
        p.start()
    seen = []
    while any(p.is_alive() for p in procs):
        seen.append(check_log(store.read_all()))  # never a partial commit, at any moment
        for p in procs:
            p.join(timeout=0.05)
    outcomes = [results.get(timeout=60) for _ in procs]
    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    assert all(p.exitcode == 0 for p in procs)
    committed = sum(done for done, _ in outcomes)
    assert committed + sum(refused for _, refused in outcomes) == 4 * ATTEMPTS
    assert check_log(store.read_all()) == committed
    del backend
