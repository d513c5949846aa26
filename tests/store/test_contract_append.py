"""Appending: atomic batches, expected versions, concurrency errors and idempotent retries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.core.errors import ConcurrencyError, DuplicateEventError
from domain.core.protocol import EventStore
from domain.core.records import ANY, NO_STREAM, NewEvent
from tests.store.conftest import batch, ids, new


def test_a_batch_gets_contiguous_versions_and_positions(store: EventStore) -> None:
    first = store.append("idea-1", batch(3), NO_STREAM)
    second = store.append("idea-1", batch(2, start=4), 3)

    recorded = first + second
    assert [e.version for e in recorded] == [1, 2, 3, 4, 5]
    assert [e.position for e in recorded] == [1, 2, 3, 4, 5]
    assert [e.data["n"] for e in recorded] == [1, 2, 3, 4, 5]
    assert all(e.stream_id == "idea-1" for e in recorded)
    assert store.read_stream("idea-1") == recorded


def test_recorded_event_carries_what_was_sent(store: EventStore) -> None:
    sent = NewEvent(
        type="IdeaCreationRequested",
        data={"title": "Tea", "tags": ["a", "b"], "nested": {"x": 1.5, "none": None}},
        schema_version=2,
        metadata={"correlation_id": "c-1", "command": "publish"},
    )
    (rec,) = store.append("idea-1", [sent], NO_STREAM)

    assert rec.event_id == sent.event_id
    assert rec.type == "IdeaCreationRequested"
    assert rec.schema_version == 2
    assert rec.data == sent.data
    assert rec.metadata == sent.metadata
    assert rec.recorded_at.utcoffset() == timedelta(0)
    assert store.read_stream("idea-1") == [rec]


@pytest.mark.parametrize("expected", [0, NO_STREAM, ANY])
def test_a_new_stream_accepts_zero_no_stream_or_any(store: EventStore, expected: object) -> None:
    (rec,) = store.append("idea-1", [new()], expected)  # type: ignore[arg-type]
    assert rec.version == 1


def test_any_appends_whatever_the_version(store: EventStore) -> None:
    store.append("idea-1", batch(2), NO_STREAM)
    (rec,) = store.append("idea-1", [new()], ANY)
    assert rec.version == 3


@pytest.mark.parametrize("expected", [0, NO_STREAM, 1, 3])
def test_a_wrong_expected_version_names_the_facts_and_writes_nothing(
    store: EventStore, expected: object
) -> None:
    written = store.append("idea-1", batch(2), NO_STREAM)
    head = store.head_position()

    with pytest.raises(ConcurrencyError) as caught:
        store.append("idea-1", batch(3, start=10), expected)  # type: ignore[arg-type]

    err = caught.value
    assert err.stream_id == "idea-1"
    assert err.expected == expected
    assert err.actual == 2
    assert err.last_event_id == written[-1].event_id
    assert "idea-1" in str(err) and "2" in str(err)
    assert store.read_stream("idea-1") == written
    assert store.head_position() == head


def test_an_exact_version_on_a_missing_stream_fails_without_creating_it(store: EventStore) -> None:
    with pytest.raises(ConcurrencyError) as caught:
        store.append("idea-1", [new()], 4)

    assert (caught.value.actual, caught.value.last_event_id) == (0, None)
    assert store.stream_info("idea-1") is None
    assert store.head_position() == 0
    assert store.list_streams() == []


def test_streams_version_independently_but_share_positions(store: EventStore) -> None:
    a1 = store.append("a-1", batch(2), NO_STREAM)
    b1 = store.append("b-1", batch(1), NO_STREAM)
    a2 = store.append("a-1", batch(1), 2)

    assert [e.version for e in a1 + a2] == [1, 2, 3]
    assert [e.version for e in b1] == [1]
    assert [e.position for e in a1 + b1 + a2] == [1, 2, 3, 4]


def test_resending_a_stored_batch_returns_the_stored_records(store: EventStore) -> None:
    sent = batch(3)
    first = store.append("idea-1", sent, NO_STREAM)

    again = store.append("idea-1", sent, NO_STREAM)  # the expected version is stale now

    assert again == first
    assert store.head_position() == 3
    assert store.read_stream("idea-1") == first


def test_a_retry_is_recognised_even_after_later_appends(store: EventStore) -> None:
    sent = batch(2)
    first = store.append("idea-1", sent, 0)
    store.append("idea-1", batch(2, start=3), 2)

    assert store.append("idea-1", sent, 0) == first
    assert store.append("idea-1", sent[1:], ANY) == first[1:]
    assert store.stream_info("idea-1").version == 4  # type: ignore[union-attr]
    assert store.head_position() == 4


def test_a_stored_id_with_other_content_is_refused(store: EventStore) -> None:
    (rec,) = store.append("idea-1", [new(n=1)], NO_STREAM)
    forged = NewEvent(type="Noted", data={"n": 2}, event_id=rec.event_id)

    with pytest.raises(DuplicateEventError) as caught:
        store.append("idea-1", [forged], 1)

    assert caught.value.event_id == rec.event_id
    assert store.read_stream("idea-1") == [rec]
    assert store.head_position() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"type": "Other"},
        {"schema_version": 2},
        {"metadata": {"command": "edit"}},
    ],
)
def test_any_difference_in_content_is_a_duplicate(
    store: EventStore, change: dict[str, object]
) -> None:
    original = new(n=1)
    store.append("idea-1", [original], NO_STREAM)
    fields: dict[str, object] = {
        "type": original.type,
        "data": original.data,
        "schema_version": original.schema_version,
        "metadata": original.metadata,
        "event_id": original.event_id,
    }
    fields.update(change)

    with pytest.raises(DuplicateEventError):
        store.append("idea-1", [NewEvent(**fields)], ANY)  # type: ignore[arg-type]
    assert store.head_position() == 1


def test_a_stored_id_sent_to_another_stream_is_refused(store: EventStore) -> None:
    sent = new(n=1)
    store.append("idea-1", [sent], NO_STREAM)

    with pytest.raises(DuplicateEventError):
        store.append("idea-2", [sent], NO_STREAM)

    assert store.stream_info("idea-2") is None
    assert store.head_position() == 1


def test_a_batch_partly_stored_is_refused_whole(store: EventStore) -> None:
    stored = batch(2)
    store.append("idea-1", stored, NO_STREAM)
    mixed = [stored[1], new(n=3)]

    with pytest.raises(DuplicateEventError):
        store.append("idea-1", mixed, ANY)

    assert ids(store.read_stream("idea-1")) == [e.event_id for e in stored]
    assert store.head_position() == 2


def test_a_large_batch_is_one_commit(store: EventStore) -> None:
    recorded = store.append("idea-1", batch(500), NO_STREAM)

    assert [e.version for e in recorded] == list(range(1, 501))
    assert [e.position for e in recorded] == list(range(1, 501))
    assert store.read_stream("idea-1") == recorded
