"""A writer killed at random moments never leaves half a batch behind.

A child process appends 100-event batches to one SQLite store file in a loop and reports
each batch on its stdout once `append` has returned. The test SIGKILLs it at random moments
(seeded), fifty times, starting a fresh child on the same file each time; a few kills land
while the child is still opening the file. Afterwards the file passes `integrity_check`,
every batch a child saw committed is there in full, no batch is there in part, versions and
positions have no gap, and the store reopens and takes more appends.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from domain.backends.sqlite.store import SQLiteEventStore
from domain.core.records import NewEvent

ROOT = Path(__file__).resolve().parents[2]
SEED = 20_240_917
KILLS = 50
BATCH = 100
STREAMS = 3
EARLY_EVERY = 10
"""Every tenth child is killed without waiting for it to open the store."""

# Imports only the SQLite backend, so a child is appending ~0.1 s after it starts.
WRITER = """
import sys
from domain.core.records import NewEvent
from domain.backends.sqlite.store import SQLiteEventStore
url, run, streams, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
store = SQLiteEventStore.open(url, poll_interval=None)
versions = [0] * streams
for info in store.list_streams():
    versions[int(info.stream_id.rsplit("-", 1)[1])] = info.version
print("ready", flush=True)
n = 0
while True:
    k = n % streams
    batch = [NewEvent("Filled", {"run": run, "batch": n, "i": i}) for i in range(size)]
    first = store.append(f"crash-{k}", batch, versions[k])[0]
    versions[k] += size
    print(run, n, first.stream_id, first.version, first.position, first.event_id, flush=True)
    n += 1
"""


@dataclass(frozen=True)
class Report:
    """A batch a child saw committed: `append` returned these facts for its first event."""

    run: int
    batch: int
    stream_id: str
    version: int
    position: int
    event_id: str


def parse(out: bytes) -> list[Report]:
    """The complete report lines of a child's output (a kill may cut the last one)."""
    reports = []
    for line in out.decode().splitlines(keepends=True):
        if not line.endswith("\n") or line == "ready\n":
            continue
        run, batch, stream_id, version, position, event_id = line.split()
        reports.append(
            Report(int(run), int(batch), stream_id, int(version), int(position), event_id)
        )
    return reports


def run_and_kill(url: str, run: int, rng: random.Random) -> list[Report]:
    """Start a writer, SIGKILL it after a random delay, return what it reported."""
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, str(run), str(STREAMS), str(BATCH)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,  # readline must not read ahead: communicate() reads the pipe, not a buffer
    )
    try:
        assert child.stdout is not None
        if run % EARLY_EVERY == EARLY_EVERY - 1:
            time.sleep(rng.uniform(0.0, 0.15))  # maybe while it opens (and recovers) the file
        else:
            ready, _, _ = select.select([child.stdout], [], [], 30)
            assert ready, "the writer did not start within 30 s"
            assert child.stdout.readline() == b"ready\n", (
                child.stderr.read() if child.stderr else ""
            )
            time.sleep(rng.uniform(0.02, 0.2))
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL, f"the writer stopped on its own:\n{err.decode()}"
    return parse(out)


def test_batches_are_all_or_nothing_across_fifty_kills(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    url = f"sqlite:///{path}"
    rng = random.Random(SEED)
    reported: list[Report] = []
    for run in range(KILLS):
        reported += run_and_kill(url, run, rng)
    assert len(reported) >= KILLS, f"too few batches committed to test much (seed {SEED})"

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = conn.execute(
            "SELECT position, commit_end, event_id, stream_id, version, data"
            " FROM events ORDER BY position"
        ).fetchall()
        streams = conn.execute(
            "SELECT stream_id, version, event_count, last_position FROM streams"
        ).fetchall()
    finally:
        conn.close()

    # Positions run 1..head without a gap (nothing is ever forgotten here).
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert len(rows) % BATCH == 0, "a batch is stored in part"

    # Each stored batch: 100 events in one commit, in order, contiguous in its stream.
    batches: dict[tuple[int, int], list[tuple[int, int, str, str, int, int]]] = defaultdict(list)
    for position, end, event_id, stream_id, version, data in rows:
        tag = json.loads(data)
        batches[tag["run"], tag["batch"]].append(
            (position, end, event_id, stream_id, version, tag["i"])
        )
    for (run, n), events in batches.items():
        where = f"run {run} batch {n} (seed {SEED})"
        assert len(events) == BATCH, f"{where}: {len(events)} of {BATCH} events stored"
        first_position, _, _, stream_id, first_version, _ = events[0]
        assert [e[5] for e in events] == list(range(BATCH)), where
        assert [e[0] for e in events] == list(range(first_position, first_position + BATCH))
        assert {e[1] for e in events} == {first_position + BATCH - 1}, f"{where}: two commits"
        assert {e[3] for e in events} == {stream_id}, where
        assert [e[4] for e in events] == list(range(first_version, first_version + BATCH))

    # Every batch a child saw committed is stored, exactly as append described it.
    by_id = {r[2]: r for r in rows}
    for rep in reported:
        stored = by_id.get(rep.event_id)
        assert stored is not None, f"{rep} was reported committed but is lost (seed {SEED})"
        assert (stored[0], stored[3], stored[4]) == (rep.position, rep.stream_id, rep.version)
        assert json.loads(stored[5]) == {"run": rep.run, "batch": rep.batch, "i": 0}
    # A child commits its batches in turn: it stored the ones it reported, and at most one
    # more (committed, then killed before it could say so).
    reported_per_run: dict[int, int] = defaultdict(int)
    for rep in reported:
        reported_per_run[rep.run] += 1
    stored_per_run: dict[int, list[int]] = defaultdict(list)
    for run, n in sorted(batches):
        stored_per_run[run].append(n)
    for run in range(KILLS):
        got, said = stored_per_run.get(run, []), reported_per_run.get(run, 0)
        assert got == list(range(len(got))), f"run {run}: batches {got}"
        assert len(got) - said in (0, 1), f"run {run}: {len(got)} stored, {said} reported"

    # Versions per stream run 1..N, and the stream rows agree with the events.
    per_stream: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for position, _, _, stream_id, version, _ in rows:
        per_stream[stream_id].append((version, position))
    assert {s[0] for s in streams} == set(per_stream)
    for stream_id, version, count, last_position in streams:
        events = per_stream[stream_id]
        assert [v for v, _ in events] == list(range(1, len(events) + 1)), stream_id
        assert (version, count, last_position) == (len(events), len(events), events[-1][1])

    # The store opens again, agrees, and takes another batch at the exact next version.
    store = SQLiteEventStore.open(url, poll_interval=None)
    try:
        log = store.read_all()
        assert [e.position for e in log] == [r[0] for r in rows]
        info = store.stream_info("crash-0")
        assert info is not None
        more = store.append(
            "crash-0", [NewEvent("Filled", {"after": i}) for i in range(BATCH)], info.version
        )
        assert [e.position for e in more] == list(range(len(rows) + 1, len(rows) + BATCH + 1))
        assert store.read_stream("crash-0", info.version + 1) == more
    finally:
        store.close()
