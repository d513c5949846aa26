"""Listing streams: version, event count, status (active / deleted / forgotten), last position."""

from __future__ import annotations

import pytest

from domain.core.errors import ConcurrencyError
from domain.core.protocol import EventStore
from domain.core.records import ANY, NO_STREAM, SnapshotPolicy, StreamInfo, StreamStatus
from tests.store.conftest import DELETED, MakeStore, batch, new


def _row(info: StreamInfo | None) -> tuple[object, ...]:
    assert info is not None
    return (info.stream_id, info.version, info.event_count, info.status, info.last_position)


def test_streams_are_listed_in_order_of_creation(store: EventStore) -> None:
    store.append("b-1", batch(2), NO_STREAM)
    store.append("a-1", batch(3), NO_STREAM)
    store.append("b-1", batch(1), 2)

    rows = [_row(info) for info in store.list_streams()]

    assert rows == [
        ("b-1", 3, 3, StreamStatus.ACTIVE, 6),
        ("a-1", 3, 3, StreamStatus.ACTIVE, 5),
    ]


def test_stream_info_matches_the_listing(store: EventStore) -> None:
    store.append("a-1", batch(2), NO_STREAM)
    store.append("b-1", batch(4), NO_STREAM)

    for info in store.list_streams():
        assert store.stream_info(info.stream_id) == info
    assert store.stream_info("c-1") is None


def test_updated_at_moves_with_the_last_commit(store: EventStore) -> None:
    (first,) = store.append("a-1", [new()], NO_STREAM)
    before = store.stream_info("a-1")
    (second,) = store.append("a-1", [new()], 1)
    after = store.stream_info("a-1")

    assert before is not None and after is not None
    assert before.updated_at >= first.recorded_at
    assert after.updated_at >= second.recorded_at >= before.updated_at


def test_a_deletion_type_marks_the_stream_deleted(store: EventStore) -> None:
    store.append("idea-1", batch(2), NO_STREAM)
    store.append("idea-2", batch(1), NO_STREAM)

    store.append("idea-1", [new(DELETED)], 2)

    assert _row(store.stream_info("idea-1")) == ("idea-1", 3, 3, StreamStatus.DELETED, 4)
    assert store.stream_info("idea-2").status is StreamStatus.ACTIVE  # type: ignore[union-attr]


def test_a_deleted_stream_still_accepts_events_and_stays_deleted(store: EventStore) -> None:
    store.append("idea-1", [new(), new(DELETED)], NO_STREAM)
    store.append("idea-1", [new()], ANY)

    assert _row(store.stream_info("idea-1")) == ("idea-1", 3, 3, StreamStatus.DELETED, 3)


def test_deletion_types_are_the_stores_choice(make_store: MakeStore) -> None:
    store = make_store(SnapshotPolicy(), frozenset({"IdeaDeleted", "Retired"}))
    store.append("a-1", [new("IdeaDeleted")], NO_STREAM)
    store.append("b-1", [new("Retired")], NO_STREAM)
    store.append("c-1", [new(DELETED)], NO_STREAM)

    statuses = {i.stream_id: i.status for i in store.list_streams()}

    assert statuses == {
        "a-1": StreamStatus.DELETED,
        "b-1": StreamStatus.DELETED,
        "c-1": StreamStatus.ACTIVE,
    }
    assert store.deleted_types == frozenset({"IdeaDeleted", "Retired"})


def test_a_forgotten_stream_lists_as_forgotten_with_only_its_tombstone(
    store: EventStore,
) -> None:
    store.append("idea-1", batch(5), NO_STREAM)
    store.append("idea-2", batch(1), NO_STREAM)

    tombstone = store.forget("idea-1", new("Forgotten"))

    assert _row(store.stream_info("idea-1")) == (
        "idea-1",
        6,
        1,
        StreamStatus.FORGOTTEN,
        tombstone.position,
    )
    assert [i.stream_id for i in store.list_streams()] == ["idea-1", "idea-2"]


def test_a_deleted_then_forgotten_stream_is_forgotten(store: EventStore) -> None:
    store.append("idea-1", [new(), new(DELETED)], NO_STREAM)
    store.forget("idea-1", new("Forgotten"))

    assert store.stream_info("idea-1").status is StreamStatus.FORGOTTEN  # type: ignore[union-attr]


def test_a_refused_append_does_not_list_a_stream(store: EventStore) -> None:
    store.append("a-1", [new()], NO_STREAM)
    for expected in (5, 1):
        with pytest.raises(ConcurrencyError):
            store.append("b-1", [new()], expected)

    assert [i.stream_id for i in store.list_streams()] == ["a-1"]
