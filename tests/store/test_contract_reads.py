"""Reading: one stream by version range, the global log by position, and the head position."""

from __future__ import annotations

import pytest

from domain.core.protocol import EventStore
from domain.core.records import NO_STREAM, RecordedEvent
from tests.store.conftest import batch, new


def _interleaved(store: EventStore) -> list[RecordedEvent]:
    """Three streams written in turns; returns every record in commit order."""
    out: list[RecordedEvent] = []
    for round_ in range(4):
        for name in ("a-1", "b-1", "c-1"):
            out += store.append(name, batch(2, start=2 * round_ + 1), 2 * round_)
    return out


def test_an_empty_store(store: EventStore) -> None:
    assert store.head_position() == 0
    assert store.read_all() == []
    assert store.read_stream("idea-1") == []
    assert store.list_streams() == []
    assert store.stream_info("idea-1") is None


@pytest.mark.parametrize(
    ("from_version", "to_version", "expected"),
    [
        (1, None, [1, 2, 3, 4, 5, 6]),
        (4, None, [4, 5, 6]),
        (6, None, [6]),
        (7, None, []),
        (2, 4, [2, 3, 4]),
        (3, 3, [3]),
        (1, 0, []),
        (5, 2, []),
        (1, 100, [1, 2, 3, 4, 5, 6]),
        (0, 2, [1, 2]),
    ],
)
def test_read_stream_by_version_range(
    store: EventStore, from_version: int, to_version: int | None, expected: list[int]
) -> None:
    store.append("idea-1", batch(6), NO_STREAM)
    store.append("idea-2", batch(3), NO_STREAM)

    events = store.read_stream("idea-1", from_version, to_version)

    assert [e.version for e in events] == expected
    assert [e.data["n"] for e in events] == expected
    assert {e.stream_id for e in events} <= {"idea-1"}


def test_read_all_is_every_event_in_commit_order(store: EventStore) -> None:
    written = _interleaved(store)

    log = store.read_all()

    assert log == written
    assert [e.position for e in log] == list(range(1, 25))
    assert store.head_position() == 24


@pytest.mark.parametrize(
    ("from_position", "limit", "expected"),
    [
        (1, None, list(range(1, 25))),
        (10, None, list(range(10, 25))),
        (1, 5, [1, 2, 3, 4, 5]),
        (20, 10, [20, 21, 22, 23, 24]),
        (24, 1, [24]),
        (25, None, []),
        (25, 3, []),
        (3, 0, []),
        (0, 2, [1, 2]),
    ],
)
def test_read_all_from_a_position_with_a_limit(
    store: EventStore, from_position: int, limit: int | None, expected: list[int]
) -> None:
    _interleaved(store)

    page = store.read_all(from_position, limit)

    assert [e.position for e in page] == expected


def test_paging_through_the_log_sees_each_event_once(store: EventStore) -> None:
    written = _interleaved(store)
    seen: list[RecordedEvent] = []
    checkpoint = 0
    while page := store.read_all(checkpoint + 1, 5):
        seen += page
        checkpoint = page[-1].position
    assert seen == written


def test_reading_the_log_skips_forgotten_holes(store: EventStore) -> None:
    written = _interleaved(store)
    tombstone = store.forget("b-1", new("Forgotten"))
    kept = [e for e in written if e.stream_id != "b-1"] + [tombstone]

    assert store.read_all() == kept
    # a limit counts events returned, not positions skipped
    assert store.read_all(1, 3) == kept[:3]
    assert store.read_all(3, 4) == [e for e in kept if e.position >= 3][:4]
    assert store.read_all(kept[-2].position + 1, 10) == [tombstone]
    assert store.head_position() == tombstone.position == 25


def test_positions_strictly_increase_in_commit_order(store: EventStore) -> None:
    positions: list[int] = []
    for i in range(30):
        name = f"s-{i % 4}"
        info = store.stream_info(name)
        positions += [
            e.position for e in store.append(name, batch(1 + i % 3), info.version if info else 0)
        ]

    assert positions == sorted(set(positions))
    assert [e.position for e in store.read_all()] == positions
    assert store.head_position() == positions[-1]


def test_reads_return_equal_records_each_time(store: EventStore) -> None:
    store.append("idea-1", batch(3), NO_STREAM)
    assert store.read_stream("idea-1") == store.read_stream("idea-1")
    assert store.read_all() == store.read_stream("idea-1")
