"""Reads with options: backwards, limits, the last event, and the global log bounded and
filtered by event type and stream prefix. Each law compares against a plain full read."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime

import pytest

from domain.core.errors import InvalidEventError, LogFullError, StorageFullError
from domain.core.protocol import EventStore
from domain.core.records import ANY, NO_STREAM, RecordedEvent
from domain.core.transfer import INT_MAX
from tests.store.conftest import Backend, batch, new

STREAMS = ("idea-1", "idea-10", "idea-2", "bank-1", "ideas", "idéa-1", "idea-1x")
TYPES = ("Requested", "Accepted", "Noted")


def _fill(store: EventStore) -> None:
    """Interleaved commits over several streams and types, one stream forgotten."""
    for i, stream in enumerate(itertools.islice(itertools.cycle(STREAMS), 40)):
        kind = TYPES[i % len(TYPES)]
        store.append(stream, [new(kind, i=i), new(TYPES[(i + 1) % 3], i=i)], ANY)
    store.forget("idea-2", new("Forgotten"))
    store.append_many([("idea-1", [new("Accepted")], ANY), ("zeta", [new("Noted")], ANY)])


def test_backwards_is_forwards_reversed_and_limits_cut_the_front(store: EventStore) -> None:
    _fill(store)
    for stream in (*STREAMS, "missing"):
        forwards = store.read_stream(stream)
        for lo, hi in ((1, None), (3, 9), (2, 2), (5, 1), (0, 100)):
            part = store.read_stream(stream, lo, hi)
            assert part == [
                e for e in forwards if e.version >= lo and (hi is None or e.version <= hi)
            ]
            assert store.read_stream(stream, lo, hi, backwards=True) == part[::-1]
            for limit in (0, 1, 3, 1000):
                assert store.read_stream(stream, lo, hi, limit=limit) == part[:limit]
                assert (
                    store.read_stream(stream, lo, hi, backwards=True, limit=limit)
                    == (part[::-1][:limit])
                )


def test_last_event_is_the_newest_of_the_stream(store: EventStore) -> None:
    _fill(store)
    for stream in STREAMS:
        assert store.last_event(stream) == store.read_stream(stream)[-1]
    assert store.last_event("missing") is None
    (tombstone,) = store.read_stream("idea-2")
    assert store.last_event("idea-2") == tombstone


KINDS: tuple[tuple[str, ...] | None, ...] = (
    None,
    ("Requested",),
    ("Accepted", "Noted"),
    (),
    ("Forgotten",),
    ("Unknown",),
)


@pytest.mark.parametrize("prefix", [None, "", "idea-1", "idea", "idé", "bank-", "z", "nope"])
def test_a_filtered_read_equals_filtering_a_full_read(
    store: EventStore, prefix: str | None
) -> None:
    _fill(store)
    everything = store.read_all()
    head = store.head_position()
    bounds = ((1, None), (10, 60), (30, 30), (50, 10), (1, head + 5))
    for types, (lo, hi) in itertools.product(KINDS, bounds):
        expected = [
            e
            for e in everything
            if e.position >= lo
            and (hi is None or e.position <= hi)
            and (types is None or e.type in types)
            and (prefix is None or e.stream_id.startswith(prefix))
        ]
        got = store.read_all(lo, to_position=hi, types=types, stream_prefix=prefix)
        assert got == expected
        for limit in (1, 7):
            assert (
                store.read_all(lo, limit, to_position=hi, types=types, stream_prefix=prefix)
                == expected[:limit]
            )


def test_to_position_bounds_a_plain_read(store: EventStore) -> None:
    store.append("a-1", batch(10), NO_STREAM)
    everything = store.read_all()
    assert store.read_all(to_position=4) == everything[:4]
    assert store.read_all(3, 2, to_position=4) == everything[2:4]
    assert store.read_all(to_position=0) == []


def test_bad_read_options_are_refused(store: EventStore) -> None:
    with pytest.raises(InvalidEventError):
        store.read_all(types="Noted")
    with pytest.raises(InvalidEventError):
        store.read_stream("a-1", backwards="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidEventError):
        store.read_all(limit=1.5)  # type: ignore[arg-type]


def _record(position: int, version: int) -> RecordedEvent:
    return RecordedEvent(
        event_id=uuid.uuid4(),
        stream_id="a-1",
        version=version,
        position=position,
        type="Noted",
        schema_version=1,
        recorded_at=datetime.now(UTC),
        data={"n": version},
        metadata={},
    )


def test_reads_from_beyond_the_largest_position_find_nothing(
    store: EventStore, backend: Backend
) -> None:
    if not backend.durable:
        pytest.skip("the memory store's log is a list indexed by position: no largest one")
    # An import may place the last event at the largest position a store keeps; a reader
    # that has handled it asks for the next one, which cannot exist (it must not be handed
    # that last event again, or a consumer catching up reads it for ever).
    store.import_records([_record(1, 1), _record(INT_MAX, 2)])

    assert [r.position for r in store.read_all(INT_MAX)] == [INT_MAX]
    assert [r.position for r in store.read_all(INT_MAX - 1, 5)] == [INT_MAX]
    for beyond in (INT_MAX + 1, INT_MAX + 2, 2**64, 10**30):
        assert store.read_all(beyond) == []
        assert store.read_all(beyond, 10) == []
        assert store.read_all(beyond, types=["Noted"]) == []
        assert store.read_stream("a-1", from_version=beyond) == []


def test_a_write_past_the_largest_position_is_refused_and_writes_nothing(
    store: EventStore, backend: Backend
) -> None:
    if not backend.durable:
        pytest.skip("the memory store's log is a list indexed by position: no largest one")
    store.import_records([_record(1, 1), _record(INT_MAX, 2)])
    before = store.read_all()

    for write in (
        lambda: store.append("a-1", [new("Noted")], ANY),
        lambda: store.append("b-1", [new("Noted")], NO_STREAM),
        lambda: store.append_many([("a-1", [new("Noted")], 2), ("c-1", batch(2), NO_STREAM)]),
    ):
        with pytest.raises(LogFullError) as refused:
            write()
        assert refused.value.head == INT_MAX
        assert isinstance(refused.value, StorageFullError)  # the store cannot take the write
    assert store.read_all() == before
    assert store.stream_info("b-1") is None
