"""The bulk generator behind `--demo-events`, written a chunk at a time: the history has the
planned shape on every store for any chunking, and memory does not grow with its length."""

from __future__ import annotations

import gc
import io
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.bootstrap import System, bootstrap, ideas_handler
from domain.core.aggregate import load
from domain.core.records import CAUSATION_ID, RecordedEvent, SnapshotPolicy, StreamStatus
from domain.core.shredding.cipher import SEALED
from domain.ideas.bulk import BulkSummary, generate, plan
from es_tui.ideas.demo_events import fill
from tests.store.test_postgres_helpers import fresh_url

CHUNK = 400
POLICY = SnapshotPolicy(every=10, keep=3)


def open_system(kind: str, where: Path) -> System:
    urls = {"memory": "memory:", "sqlite": f"sqlite:///{where / 'bulk.db'}"}
    url = urls.get(kind) or fresh_url()  # PostgreSQL: skipped locally without a server
    return bootstrap(url, threaded=True, pm_delay=0.0, snapshot_policy=POLICY)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def systems(tmp_path: Path) -> Iterator[list[System]]:
    opened: list[System] = []
    yield opened
    for system in opened:
        system.close()


def generated(kind: str, where: Path, events: int, chunk: int, opened: list[System]) -> System:
    where.mkdir(parents=True, exist_ok=True)
    system = open_system(kind, where)
    opened.append(system)
    view, manager = system.view, system.process_manager
    assert view is not None and manager is not None
    view.pause()
    manager.pause()
    generate(ideas_handler(system), events, chunk=chunk)
    return system


def history(system: System) -> list[RecordedEvent]:
    return system.store.read_all()


# N below a chunk, exactly a chunk, several chunks and a remainder.
SIZES = [CHUNK - 137, CHUNK, 5 * CHUNK + 123]


@pytest.mark.parametrize("events", SIZES)
def test_the_history_has_the_planned_shape(
    kind: str, events: int, tmp_path: Path, systems: list[System]
) -> None:
    system = generated(kind, tmp_path, events, CHUNK, systems)
    lives = plan(events)
    records = history(system)
    by_type = Counter(r.type for r in records)
    forgotten = by_type["IdeaForgotten"]
    live = sum(not life.rejected and not life.deleted for life in lives)
    assert forgotten == min(live // 20, max(1, len(lives) // 2000), 5)
    assert by_type["IdeaDeleted"] == sum(life.deleted for life in lives)
    assert by_type["IdeaCreationRequested"] + forgotten >= len(lives)
    accepted = sum(not life.rejected for life in lives)
    assert by_type["IdeaCreationRejected"] == len(lives) - accepted
    assert by_type["IdeaCreationAccepted"] + forgotten >= accepted
    # Every planned event was written: what is left plus what the forgets erased.
    streams = {info.stream_id: info for info in system.store.list_streams()}
    assert len(streams) == len(lives)
    erased = sum(
        info.version - 1 for info in streams.values() if info.status is StreamStatus.FORGOTTEN
    )
    assert len(records) + erased == events + forgotten == system.store.head_position()
    # Versions contiguous per stream; positions increasing and, with the erased, gapless.
    versions: dict[str, list[int]] = defaultdict(list)
    for r in records:
        versions[r.stream_id].append(r.version)
    for sid, seen in versions.items():
        info = streams[sid]
        expected = [info.version] if info.status is StreamStatus.FORGOTTEN else None
        assert seen == (expected or list(range(1, info.version + 1)))
    positions = [r.position for r in records]
    assert positions == sorted(set(positions)) and positions[-1] == events + forgotten


@pytest.mark.parametrize("events", SIZES)
def test_private_fields_are_sealed_and_snapshots_are_where_the_policy_puts_them(
    kind: str, events: int, tmp_path: Path, systems: list[System]
) -> None:
    system = generated(kind, tmp_path, events, CHUNK, systems)
    store, fold = system.store, system.fold
    records = history(system)
    private = [r for r in records if r.type in ("IdeaUpdated", "IdeaCreationRequested")]
    assert private and all(SEALED in r.data for r in private)
    assert all(r.data.get("title") is None for r in private)
    assert system.codec is not None
    assert all(system.codec.decode(r) for r in private[:50])  # readable with the key
    requests = {str(r.event_id) for r in records if r.type == "IdeaCreationRequested"}
    decisions = [r for r in records if r.type.startswith("IdeaCreation") and r.version == 2]
    assert decisions and all(d.metadata[CAUSATION_ID] in requests for d in decisions)
    for info in store.list_streams():
        snaps = [s.version for s in store.snapshots(info.stream_id)]
        if info.status is StreamStatus.FORGOTTEN:
            assert snaps == []
            continue
        last = info.version // 10
        assert snaps == [10 * m for m in range(max(last - 2, 1), last + 1)]
        if snaps:
            assert load(store, info.stream_id, fold).state == (
                load(store, info.stream_id, fold, snapshot=None).state
            )


def test_chunking_changes_nothing_in_the_history(tmp_path: Path, systems: list[System]) -> None:
    events = 3 * CHUNK + 50
    whole = generated("sqlite", tmp_path / "whole", events, 10 * events, systems)
    chunked = generated("sqlite", tmp_path / "chunked", events, CHUNK, systems)
    in_memory = generated("memory", tmp_path / "memory", events, CHUNK, systems)

    def shape(system: System) -> list[tuple[object, ...]]:
        return [(r.position, r.event_id, r.stream_id, r.version, r.type) for r in history(system)]

    assert shape(chunked) == shape(whole) == shape(in_memory)
    for a, b in zip(history(chunked), history(whole), strict=True):
        assert a.recorded_at == b.recorded_at or a.recorded_at.date() == b.recorded_at.date()


def test_a_durable_store_is_written_in_whole_chunks(tmp_path: Path, systems: list[System]) -> None:
    events = 4 * CHUNK + 77
    system = generated("sqlite", tmp_path, events, CHUNK, systems)
    import sqlite3

    with sqlite3.connect(tmp_path / "bulk.db") as conn:
        commits = conn.execute(
            "SELECT commit_end, COUNT(*) FROM events GROUP BY commit_end ORDER BY commit_end"
        ).fetchall()
    generated_commits = [(end, n) for end, n in commits if end <= events]
    assert [n >= CHUNK for _, n in generated_commits[:-1]] == [True] * 4
    assert generated_commits[-1][0] == events
    assert sum(n for _, n in generated_commits) + len(commits) - len(generated_commits) <= (
        system.store.head_position()
    )


def test_the_read_model_and_the_process_manager_catch_up_afterwards(tmp_path: Path) -> None:
    system = open_system("sqlite", tmp_path)
    try:
        summary = fill(system, 2 * CHUNK + 10, out=io.StringIO())
        assert isinstance(summary, BulkSummary)
        view, manager = system.view, system.process_manager
        assert view is not None and manager is not None
        import time

        deadline = time.monotonic() + 60
        while (view.lag() or manager.lag()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert view.lag() == 0 and manager.lag() == 0
        live = [s for s in system.store.list_streams() if s.status is StreamStatus.ACTIVE]
        assert len(view.list()) >= len(live) > 0
        # The manager found every decision already made: nothing more was written.
        assert system.store.head_position() == summary.events + summary.forgotten + sum(
            info.version - 1
            for info in system.store.list_streams()
            if info.status is StreamStatus.FORGOTTEN
        )
    finally:
        system.close()


def peak_bytes(kind: str, where: Path, events: int, chunk: int) -> int:
    """The most Python memory a fill of `events` takes (the store's own pages aside)."""
    where.mkdir(parents=True)
    system = open_system(kind, where)
    try:
        system.view.pause()  # type: ignore[union-attr]
        system.process_manager.pause()  # type: ignore[union-attr]
        gc.collect()
        tracemalloc.start()
        generate(ideas_handler(system), events, chunk=chunk)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return peak
    finally:
        system.close()


def test_memory_does_not_grow_with_the_length_of_the_history(tmp_path: Path) -> None:
    chunk = 1000
    peak_bytes("sqlite", tmp_path / "warm", 2 * chunk, chunk)  # imports and caches, once
    short = peak_bytes("sqlite", tmp_path / "short", 5 * chunk, chunk)
    long = peak_bytes("sqlite", tmp_path / "long", 25 * chunk, chunk)
    # Five times the events: the same chunk held at a time, only the ideas' small plans
    # (one per hundred events) grow. Holding the history would take about five times more.
    assert long / short < 1.5, (short, long)
