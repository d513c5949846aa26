"""Several processes on one SQLite store: their commits reach this process's listeners through
`poll()` (each once, in position order, never our own twice), and racing writers in separate
processes (started together each round) win exactly once per round."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from domain.backends.sqlite.store import SQLiteEventStore
from domain.core.errors import ConcurrencyError
from domain.core.records import NO_STREAM, NewEvent, RecordedEvent
from tests.store.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]

APPEND = """
import sys
from domain.core.records import ANY, NewEvent
from domain.backends import open_store
url, stream_id, sizes = sys.argv[1], sys.argv[2], sys.argv[3]
store = open_store(url)
for size in map(int, sizes.split(",")):
    store.append(stream_id, [NewEvent("Noted", {"n": i}) for i in range(size)], ANY)
store.close()
"""


def race(url: str, me: int, rounds: int, barrier: Any, results: Any) -> None:
    """One racing process: every round, all start together at the same expected version."""
    wins, losses = [], []
    try:
        store = SQLiteEventStore.open(url, poll_interval=None)
        for r in range(rounds):
            barrier.wait(timeout=60)
            try:
                (rec,) = store.append("race-1", [NewEvent("Won", {"proc": me, "round": r})], r)
                wins.append((r, str(rec.event_id), rec.version, rec.position))
            except ConcurrencyError as exc:
                losses.append((r, exc.actual, str(exc.last_event_id)))
        store.close()
    except BaseException as exc:  # reported to the test, which would otherwise just wait
        barrier.abort()
        results.put({"error": repr(exc)})
        raise
    results.put({"wins": wins, "losses": losses})


def run_child_appends(url: str, stream_id: str, sizes: Sequence[int]) -> None:
    child = subprocess.run(
        [sys.executable, "-c", APPEND, url, stream_id, ",".join(map(str, sizes))],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == 0, child.stderr


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'events.db'}"


def recorder(store: SQLiteEventStore) -> list[list[RecordedEvent]]:
    got: list[list[RecordedEvent]] = []
    store.subscribe(lambda events: got.append(list(events)))
    return got


def test_poll_delivers_another_processs_commits_once(url: str) -> None:
    store = SQLiteEventStore.open(url, poll_interval=None)
    store.append("mine-1", [NewEvent("Noted", {})], NO_STREAM)  # before subscribing
    got = recorder(store)

    run_child_appends(url, "child-1", [3, 1])
    assert got == []  # nothing arrives until this process looks

    assert store.poll() == 4
    log = store.read_all()
    assert [e.stream_id for e in log] == ["mine-1"] + ["child-1"] * 4
    assert got == [log[1:4], log[4:5]]
    assert store.poll() == 0
    assert len(got) == 2

    own = store.append("mine-1", [NewEvent("Noted", {})], 1)
    assert got[-1] == own
    assert store.poll() == 0  # our own commit is never handed over a second time
    assert len(got) == 3
    store.close()


def test_an_append_hands_over_earlier_commits_of_others_first(url: str) -> None:
    store = SQLiteEventStore.open(url, poll_interval=None)
    got = recorder(store)

    run_child_appends(url, "child-1", [2])
    own = store.append("mine-1", [NewEvent("Noted", {})], NO_STREAM)

    assert got == [store.read_stream("child-1"), own]
    assert [e.position for c in got for e in c] == [1, 2, 3]
    assert store.poll() == 0
    store.close()


def test_a_large_backlog_arrives_in_order_one_commit_per_call(url: str) -> None:
    store = SQLiteEventStore.open(url, poll_interval=None)
    got = recorder(store)

    # more events than an append reads inside its transaction (so it catches up first,
    # outside it), starting with one commit bigger than a read chunk (never split)
    run_child_appends(url, "child-1", [2500, 1, 1, 1])
    own = store.append("mine-1", [NewEvent("Noted", {})], NO_STREAM)

    assert [len(c) for c in got] == [2500, 1, 1, 1, 1]
    assert got[-1] == own
    assert [e for c in got for e in c] == store.read_all()
    assert store.poll() == 0
    store.close()


def test_the_background_poller_delivers_another_process_commit(url: str) -> None:
    def pollers() -> int:
        return sum(t.name == "es-tui-sqlite-poll" for t in threading.enumerate())

    before = pollers()
    store = SQLiteEventStore.open(url)  # polls every 0.2 s once someone listens
    got = recorder(store)
    assert pollers() == before + 1

    run_child_appends(url, "child-1", [2])

    assert wait_for(lambda: len(got) == 1, timeout=30.0)
    assert got == [store.read_stream("child-1")]
    store.close()
    assert pollers() == before


def test_processes_racing_at_the_same_version_win_exactly_once_per_round(url: str) -> None:
    rounds, processes = 250, 4
    SQLiteEventStore.open(url).close()  # created once, not by four racing processes
    spawn = multiprocessing.get_context("spawn")
    barrier, results = spawn.Barrier(processes), spawn.Queue()
    children = [
        spawn.Process(target=race, args=(url, i, rounds, barrier, results))
        for i in range(processes)
    ]
    for child in children:
        child.start()
    reports = [results.get(timeout=120) for _ in children]
    assert [r["error"] for r in reports if "error" in r] == []
    for child in children:
        child.join(timeout=30)
        assert child.exitcode == 0

    wins = sorted(tuple(w) for r in reports for w in r["wins"])
    losses = [tuple(x) for r in reports for x in r["losses"]]
    assert [w[0] for w in wins] == list(range(rounds))  # exactly one winner per round
    assert len(losses) == (processes - 1) * rounds  # everyone else lost every round...
    winner = {w[0]: w[1] for w in wins}
    assert all(actual == r + 1 and last == winner[r] for r, actual, last in losses)  # ...to it
    store = SQLiteEventStore.open(url, poll_interval=None)
    stream = store.read_stream("race-1")
    store.close()
    assert [(e.data["round"], str(e.event_id), e.version, e.position) for e in stream] == wins
    assert [e.version for e in stream] == list(range(1, rounds + 1))  # none lost, none twice
    assert [e.position for e in stream] == list(range(1, rounds + 1))
