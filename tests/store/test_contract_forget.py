"""Forgetting a stream (right to be forgotten): a lone tombstone, and the id is never reused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.core.errors import DuplicateEventError, StreamForgottenError, StreamNotFoundError
from domain.core.protocol import EventStore
from domain.core.records import ANY, NO_STREAM, NewEvent, RecordedEvent, Snapshot, StreamStatus
from tests.store.conftest import batch, ids, new

SECRET = "my home address"


def _forgettable(store: EventStore) -> list[RecordedEvent]:
    written = store.append("idea-1", [new(title=SECRET, n=i) for i in range(1, 6)], NO_STREAM)
    store.append("idea-2", batch(2), NO_STREAM)
    store.save_snapshot(
        Snapshot("idea-1", 5, written[-1].event_id, {"title": SECRET}, 1, datetime.now(UTC))
    )
    return written


def test_forget_leaves_only_a_tombstone_at_the_next_version(store: EventStore) -> None:
    _forgettable(store)
    stone = NewEvent(type="IdeaForgotten", data={"reason": "request"}, metadata={"command": "f"})

    tombstone = store.forget("idea-1", stone)

    assert tombstone.event_id == stone.event_id
    assert (tombstone.stream_id, tombstone.version, tombstone.position) == ("idea-1", 6, 8)
    assert (tombstone.type, tombstone.data) == ("IdeaForgotten", {"reason": "request"})
    assert store.read_stream("idea-1") == [tombstone]
    assert store.read_stream("idea-1", 1, 5) == []
    assert store.read_stream("idea-1", 6) == [tombstone]
    assert store.snapshots("idea-1") == []
    assert store.latest_snapshot("idea-1") is None
    info = store.stream_info("idea-1")
    assert info is not None
    assert (info.version, info.event_count, info.status) == (6, 1, StreamStatus.FORGOTTEN)


def test_the_erased_events_leave_the_global_log(store: EventStore) -> None:
    written = _forgettable(store)

    tombstone = store.forget("idea-1", new("IdeaForgotten"))

    log = store.read_all()
    assert not set(ids(written)) & set(ids(log))
    assert SECRET not in repr(log)
    assert [e.stream_id for e in log] == ["idea-2", "idea-2", "idea-1"]
    assert log[-1] == tombstone
    assert store.head_position() == tombstone.position


def test_other_streams_are_untouched(store: EventStore) -> None:
    _forgettable(store)
    before = store.read_stream("idea-2")

    store.forget("idea-1", new("IdeaForgotten"))

    assert store.read_stream("idea-2") == before
    assert store.stream_info("idea-2").status is StreamStatus.ACTIVE  # type: ignore[union-attr]
    (rec,) = store.append("idea-2", [new()], 2)
    assert rec.position == 9


@pytest.mark.parametrize("expected", [6, 5, 0, NO_STREAM, ANY])
def test_a_forgotten_stream_refuses_every_append(store: EventStore, expected: object) -> None:
    _forgettable(store)
    tombstone = store.forget("idea-1", new("IdeaForgotten"))

    with pytest.raises(StreamForgottenError) as caught:
        store.append("idea-1", [new()], expected)  # type: ignore[arg-type]

    assert caught.value.stream_id == "idea-1"
    assert "forgotten" in str(caught.value)
    assert store.read_stream("idea-1") == [tombstone]
    assert store.head_position() == tombstone.position


def test_resending_an_erased_event_does_not_bring_it_back(store: EventStore) -> None:
    written = _forgettable(store)
    tombstone = store.forget("idea-1", new("IdeaForgotten"))
    resent = [
        NewEvent(type=e.type, data=e.data, metadata=e.metadata, event_id=e.event_id)
        for e in written
    ]

    with pytest.raises(StreamForgottenError):
        store.append("idea-1", resent, ANY)

    assert store.read_stream("idea-1") == [tombstone]


def test_a_second_forget_fails(store: EventStore) -> None:
    _forgettable(store)
    tombstone = store.forget("idea-1", new("IdeaForgotten"))

    with pytest.raises(StreamForgottenError):
        store.forget("idea-1", new("IdeaForgotten"))

    assert store.read_stream("idea-1") == [tombstone]
    assert store.head_position() == tombstone.position


def test_an_unknown_stream_cannot_be_forgotten(store: EventStore) -> None:
    with pytest.raises(StreamNotFoundError):
        store.forget("nobody", new("IdeaForgotten"))

    assert store.stream_info("nobody") is None
    assert store.head_position() == 0


def test_a_tombstone_must_have_a_new_event_id(store: EventStore) -> None:
    written = _forgettable(store)
    reused = NewEvent(type="IdeaForgotten", data={}, event_id=written[0].event_id)

    with pytest.raises(DuplicateEventError):
        store.forget("idea-1", reused)

    assert store.read_stream("idea-1") == written
    assert store.stream_info("idea-1").status is StreamStatus.ACTIVE  # type: ignore[union-attr]
    assert len(store.snapshots("idea-1")) == 1


def test_a_forgotten_stream_keeps_its_place_and_the_log_goes_on(store: EventStore) -> None:
    _forgettable(store)
    tombstone = store.forget("idea-1", new("IdeaForgotten"))

    (later,) = store.append("idea-3", [new()], NO_STREAM)

    assert later.position == tombstone.position + 1
    assert [i.stream_id for i in store.list_streams()] == ["idea-1", "idea-2", "idea-3"]
    assert store.read_all(tombstone.position) == [tombstone, later]
