"""Several processes on one PostgreSQL store: racing writers win once per round, a reader
tailing the log never misses a slow transaction's events, a writer killed inside its
transaction leaves nothing behind, and commits reach other processes' listeners through
LISTEN/NOTIFY within a second."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import random
import signal
import threading
import time
from collections.abc import Sequence
from typing import Any

import psycopg

from domain.backends.postgres.store import PostgresEventStore
from domain.core.errors import ConcurrencyError
from domain.core.records import ANY, NO_STREAM, NewEvent, RecordedEvent
from tests.store.conftest import wait_for
from tests.store.test_postgres_helpers import fresh_url, server_url


def sessions_waiting_on_a_lock() -> int:
    """How many sessions of the test server wait for a lock another transaction holds."""
    with psycopg.connect(server_url(), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


# Children are started fresh (not forked from a process holding threads and connections).
CTX = multiprocessing.get_context("spawn")


def _report_failure(results: Any, barrier: Any | None, exc: BaseException) -> None:
    if barrier is not None:
        barrier.abort()
    results.put({"error": repr(exc)})


def race(url: str, me: int, rounds: int, barrier: Any, results: Any) -> None:
    """A racing process: every round, all start together at the same expected version."""
    wins, losses = [], []
    try:
        store = PostgresEventStore.open(url, poll_interval=None, pool_size=1)
        for r in range(rounds):
            barrier.wait(timeout=60)
            try:
                (rec,) = store.append("race-1", [NewEvent("Won", {"proc": me, "round": r})], r)
                wins.append((r, str(rec.event_id)))
            except ConcurrencyError as exc:
                losses.append((r, exc.actual, str(exc.last_event_id)))
        store.close()
    except BaseException as exc:  # reported to the test, which would otherwise just wait
        _report_failure(results, barrier, exc)
        raise
    results.put({"wins": wins, "losses": losses})


def dawdling_writer(url: str, me: int, runs: int, barrier: Any, results: Any) -> None:
    """Appends small batches, each transaction sleeping 0-3 ms after taking its positions."""
    rng = random.Random(me)
    written: list[str] = []

    def dawdle(records: Sequence[RecordedEvent]) -> None:
        time.sleep(rng.uniform(0, 0.003))

    try:
        store = PostgresEventStore.open(url, poll_interval=None, before_commit=dawdle)
        for run in range(runs):
            barrier.wait(timeout=60)
            for k in range(2):
                events = [
                    NewEvent("Noted", {"writer": me, "run": run, "k": k, "j": j})
                    for j in range(rng.randint(1, 3))
                ]
                written += [str(r.event_id) for r in store.append(f"w{me}-{run % 7}", events, ANY)]
        store.close()
    except BaseException as exc:
        _report_failure(results, barrier, exc)
        raise
    results.put({"written": written})


def doomed_writer(url: str, inside: Any) -> None:
    """Writes a batch and stalls inside the transaction until it is killed."""

    def stall(records: Sequence[RecordedEvent]) -> None:
        inside.set()
        time.sleep(600)

    store = PostgresEventStore.open(url, poll_interval=None, before_commit=stall)
    store.append("doomed-1", [NewEvent("Noted", {"n": i}) for i in range(10)], ANY)


def timed_writer(url: str, count: int, results: Any) -> None:
    """Appends `count` commits 150 ms apart, reporting when each was acknowledged."""
    try:
        store = PostgresEventStore.open(url, poll_interval=None)
        for i in range(count):
            recs = store.append(
                "remote-1", [NewEvent("Noted", {"i": i}), NewEvent("Noted", {})], ANY
            )
            results.put({"position": recs[-1].position, "at": time.time()})
            time.sleep(0.15)
        store.close()
    except BaseException as exc:
        _report_failure(results, None, exc)
        raise
    results.put({"done": True})


def _collect(results: Any, count: int) -> list[dict[str, Any]]:
    out = [results.get(timeout=120) for _ in range(count)]
    errors = [r["error"] for r in out if "error" in r]
    assert errors == []
    return out


def _join(processes: Sequence[Any]) -> None:
    for p in processes:
        p.join(timeout=60)
        assert p.exitcode == 0


def test_eight_racing_processes_win_exactly_once_per_round() -> None:
    url = fresh_url()
    procs, rounds = 8, 250
    barrier, results = CTX.Barrier(procs), CTX.Queue()
    workers = [
        CTX.Process(target=race, args=(url, i, rounds, barrier, results)) for i in range(procs)
    ]
    for w in workers:
        w.start()
    reports = _collect(results, procs)
    _join(workers)

    wins = [w for r in reports for w in r["wins"]]
    losses = [x for r in reports for x in r["losses"]]
    store = PostgresEventStore.open(url, poll_interval=None)
    stream = store.read_stream("race-1")
    store.close()

    assert sorted(r for r, _ in wins) == list(range(rounds))  # one winner per round
    assert len(losses) == (procs - 1) * rounds
    assert [e.version for e in stream] == list(range(1, rounds + 1))
    assert [e.position for e in stream] == list(range(1, rounds + 1))
    assert [e.data["round"] for e in stream] == list(range(rounds))
    # nothing lost (every acknowledged win is stored), nothing duplicated
    assert {str(e.event_id) for e in stream} == {eid for _, eid in wins}
    winner = {e.data["round"]: str(e.event_id) for e in stream}
    assert all((actual, last) == (r + 1, winner[r]) for r, actual, last in losses)


def test_a_tailing_reader_never_misses_a_slow_transactions_events() -> None:
    url = fresh_url()
    writers, runs = 4, 100
    barrier, results = CTX.Barrier(writers), CTX.Queue()
    procs = [
        CTX.Process(target=dawdling_writer, args=(url, i, runs, barrier, results))
        for i in range(writers)
    ]
    reader = PostgresEventStore.open(url, poll_interval=None)
    for p in procs:
        p.start()
    seen: list[RecordedEvent] = []
    last, pages = 0, 0
    while True:
        finished = not any(p.is_alive() for p in procs)  # decided before the read
        page = reader.read_all(last + 1, 500)
        for event in page:
            assert event.position > last
            last = event.position
        seen += page
        pages += bool(page)
        if finished and not page:
            break
    reports = _collect(results, writers)
    _join(procs)
    log = reader.read_all()
    reader.close()

    written = {eid for r in reports for eid in r["written"]}
    assert len(written) >= writers * runs * 2
    assert [str(e.event_id) for e in seen] == [str(e.event_id) for e in log]
    assert {str(e.event_id) for e in seen} == written
    assert [e.position for e in log] == list(range(1, len(log) + 1))
    assert pages > runs  # it really tailed the log while the writers wrote


def test_a_writer_killed_inside_its_transaction_leaves_nothing_and_the_next_proceeds() -> None:
    url = fresh_url()
    store = PostgresEventStore.open(url, poll_interval=None)
    (first,) = store.append("before-1", [NewEvent("Noted", {})], NO_STREAM)
    inside = CTX.Event()
    doomed = CTX.Process(target=doomed_writer, args=(url, inside))
    doomed.start()
    assert inside.wait(timeout=60)  # its 10 events hold positions 2..11, uncommitted
    after: list[RecordedEvent] = []
    blocked = threading.Thread(
        target=lambda: after.extend(store.append("after-1", [NewEvent("Noted", {})], NO_STREAM))
    )
    waiting_before = sessions_waiting_on_a_lock()
    blocked.start()
    # The next writer waits for the doomed one's positions: the server says it waits on a
    # lock (no race against a clock), and it has stored nothing.
    assert wait_for(lambda: sessions_waiting_on_a_lock() > waiting_before, timeout=60)
    assert blocked.is_alive() and after == []

    os.kill(doomed.pid, signal.SIGKILL)  # type: ignore[arg-type]
    blocked.join(timeout=60)
    doomed.join(timeout=60)

    assert not blocked.is_alive()  # the kill released the positions it held
    (next_one,) = after
    assert next_one.position == 2  # the positions of the rolled-back batch were never seen
    assert store.read_all() == [first, next_one]
    assert store.stream_info("doomed-1") is None
    assert store.head_position() == 2
    store.close()


def test_a_hook_that_raises_rolls_the_whole_batch_back() -> None:
    url = fresh_url()

    def refuse(records: Sequence[RecordedEvent]) -> None:
        assert [r.position for r in records] == [2, 3, 4]
        raise RuntimeError("crash before commit")

    plain = PostgresEventStore.open(url, poll_interval=None)
    plain.append("a-1", [NewEvent("Noted", {})], NO_STREAM)
    failing = PostgresEventStore.open(url, poll_interval=None, before_commit=refuse)
    try:
        failing.append("a-1", [NewEvent("Noted", {"n": n}) for n in range(3)], 1)
    except RuntimeError:
        pass
    else:
        raise AssertionError("the hook's error was swallowed")

    assert [e.version for e in plain.read_stream("a-1")] == [1]
    (next_one,) = plain.append("a-1", [NewEvent("Noted", {})], 1)
    assert (next_one.version, next_one.position) == (2, 2)
    failing.close()
    plain.close()


def test_other_processes_commits_arrive_through_notify() -> None:
    url = fresh_url()
    # A fallback poll only every 10 minutes: within the test's deadlines, only a notification
    # can bring another process's commit.
    store = PostgresEventStore.open(url, poll_interval=600)
    got: list[tuple[list[RecordedEvent], float]] = []
    store.subscribe(lambda events: got.append((list(events), time.time())))
    assert store.wait_listening(10)
    results = CTX.Queue()
    child = CTX.Process(target=timed_writer, args=(url, 5, results))
    child.start()
    mine = [store.append("mine-1", [NewEvent("Noted", {"n": n})], ANY) for n in range(3)]
    reports = _collect(results, 6)
    _join([child])
    remote = {r["position"]: r["at"] for r in reports if "position" in r}

    assert wait_for(lambda: sum(len(c) for c, _ in got) == 13, timeout=60)
    log = store.read_all()
    store.close()
    delivered = [e for commit, _ in got for e in commit]
    assert delivered == log  # every commit once, in position order, ours not twice
    assert all(len(c) == 2 for c, _ in got if c[0].stream_id == "remote-1")  # whole commits
    assert [c for c, _ in got if c[0].stream_id == "mine-1"] == mine
    assert len([c for c, _ in got if c[-1].position in remote]) == 5
    assert all(a < b for a, b in itertools.pairwise(e.position for e in delivered))
