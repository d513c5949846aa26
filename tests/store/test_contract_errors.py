"""Bad input is refused with a specific error and writes nothing; a closed store refuses."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.core.errors import InvalidEventError, InvalidExpectedVersionError, StoreClosedError
from domain.core.protocol import EventStore
from domain.core.records import ANY, NO_STREAM, NewEvent, Snapshot
from tests.store.conftest import batch, new


@pytest.fixture
def filled(store: EventStore) -> EventStore:
    """A store holding idea-1 at version 2, with a snapshot."""
    written = store.append("idea-1", batch(2), NO_STREAM)
    store.save_snapshot(Snapshot("idea-1", 2, written[-1].event_id, {}, 1, datetime.now(UTC)))
    return store


def _unchanged(store: EventStore, before: tuple[object, ...]) -> None:
    assert _state(store) == before


def _state(store: EventStore) -> tuple[object, ...]:
    return (
        store.head_position(),
        store.read_all(),
        store.list_streams(),
        store.snapshots("idea-1"),
    )


def _circular() -> dict[str, Any]:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    return loop


def _deep(depth: int) -> dict[str, Any]:
    top: dict[str, Any] = {}
    inner = top
    for _ in range(depth):
        inner["k"] = {}
        inner = inner["k"]
    return top


NOT_JSON: list[Any] = [
    _circular(),
    _deep(100_000),
    {"tags": {"a", "b"}},
    {"x": float("nan")},
    {"x": float("inf")},
    {"deep": [{"x": -float("inf")}]},
    {"when": datetime.now(UTC)},
    {"obj": object()},
    {"raw": b"bytes"},
    {"price": Decimal("1.5")},
    {1: "int key"},
    {"nested": {None: 1}},
    {"nested": [{(1, 2): "tuple key"}]},
    {"flag": {True: 1}},
]


@pytest.mark.parametrize("data", NOT_JSON, ids=range(len(NOT_JSON)))
@pytest.mark.parametrize("where", ["data", "metadata"])
def test_payloads_that_are_not_json_are_refused(filled: EventStore, data: Any, where: str) -> None:
    before = _state(filled)
    bad = NewEvent(type="Noted", **{"data": {}, where: data})

    with pytest.raises(InvalidEventError) as caught:
        filled.append("idea-1", [bad], 2)

    assert caught.value.field == where
    _unchanged(filled, before)


BAD_FIELDS: list[dict[str, Any]] = [
    {"type": 1},
    {"type": None},
    {"type": ""},
    {"type": "x" * 201},
    {"schema_version": 0},
    {"schema_version": -1},
    {"schema_version": True},
    {"schema_version": 1.0},
    {"schema_version": "1"},
    {"event_id": "6f1f6b1e-8f8a-4d6c-9a59-1d7c9a1b2c3d"},
    {"event_id": 7},
    {"event_id": None},
    {"data": [1, 2]},
    {"data": None},
    {"data": "text"},
    {"metadata": ["m"]},
]


@pytest.mark.parametrize("change", BAD_FIELDS, ids=[repr(c)[:40] for c in BAD_FIELDS])
def test_events_of_the_wrong_shape_are_refused(filled: EventStore, change: dict[str, Any]) -> None:
    before = _state(filled)
    fields: dict[str, Any] = {"type": "Noted", "data": {"n": 1}}
    fields.update(change)

    with pytest.raises(InvalidEventError) as caught:
        filled.append("idea-1", [NewEvent(**fields)], 2)

    assert caught.value.field == next(iter(change))
    _unchanged(filled, before)


def test_one_bad_event_in_the_middle_writes_nothing_of_the_batch(filled: EventStore) -> None:
    before = _state(filled)
    events = [new(n=1), new(n=2), new(tags={"not", "json"}), new(n=4)]

    with pytest.raises(InvalidEventError) as caught:
        filled.append("idea-1", events, 2)

    assert caught.value.index == 2
    _unchanged(filled, before)
    assert filled.append("idea-1", [events[0]], 2)[0].version == 3


@pytest.mark.parametrize(
    "events",
    [
        [],
        (),
        NewEvent(type="Noted", data={}),
        "Noted",
        [{"type": "Noted", "data": {}}],
        [None],
    ],
    ids=["empty list", "empty tuple", "bare event", "string", "dict", "None"],
)
def test_a_batch_must_be_a_non_empty_sequence_of_events(filled: EventStore, events: Any) -> None:
    before = _state(filled)

    with pytest.raises(InvalidEventError):
        filled.append("idea-1", events, 2)

    _unchanged(filled, before)


def test_a_generator_is_not_a_batch(filled: EventStore) -> None:
    before = _state(filled)
    with pytest.raises(InvalidEventError):
        filled.append("idea-1", (e for e in batch(2)), 2)  # type: ignore[arg-type]
    _unchanged(filled, before)


def test_an_event_id_twice_in_one_batch_is_refused(filled: EventStore) -> None:
    before = _state(filled)
    twin = new(n=1)

    with pytest.raises(InvalidEventError):
        filled.append("idea-1", [twin, new(n=2), twin], 2)

    _unchanged(filled, before)


@pytest.mark.parametrize("expected", [-1, True, False, 1.0, "1", None, "any", 2**70 * -1])
def test_a_bad_expected_version_is_refused(filled: EventStore, expected: Any) -> None:
    before = _state(filled)

    with pytest.raises(InvalidExpectedVersionError) as caught:
        filled.append("idea-1", [new()], expected)

    assert caught.value.value is expected
    _unchanged(filled, before)


BAD_STREAM_IDS: list[Any] = [
    "",
    "$all",
    "$idea-1",
    "idea\n1",
    "idea\x00",
    "tab\there",
    "del\x7f",
    " idea-1",
    "idea-1 ",
    "x" * 201,
    None,
    7,
    b"idea-1",
]


@pytest.mark.parametrize("stream_id", BAD_STREAM_IDS, ids=[repr(s)[:20] for s in BAD_STREAM_IDS])
def test_a_bad_stream_id_is_refused(filled: EventStore, stream_id: Any) -> None:
    before = _state(filled)

    with pytest.raises(InvalidEventError):
        filled.append(stream_id, [new()], ANY)
    with pytest.raises(InvalidEventError):
        filled.forget(stream_id, new("Forgotten"))

    _unchanged(filled, before)


def test_a_bad_tombstone_erases_nothing(filled: EventStore) -> None:
    before = _state(filled)

    with pytest.raises(InvalidEventError):
        filled.forget("idea-1", NewEvent(type="Forgotten", data={"when": {1, 2}}))
    with pytest.raises(InvalidEventError):
        filled.forget("idea-1", NewEvent(type="", data={}))

    _unchanged(filled, before)


def test_the_store_keeps_no_reference_to_the_callers_dicts(store: EventStore) -> None:
    data: dict[str, Any] = {"title": "Tea", "tags": ["a"], "nested": {"k": 1}}
    metadata: dict[str, Any] = {"command": "publish"}
    store.append("idea-1", [NewEvent(type="Noted", data=data, metadata=metadata)], NO_STREAM)

    data["title"] = "Coffee"
    data["tags"].append("b")
    data["nested"]["k"] = 2
    metadata["command"] = "edit"

    (stored,) = store.read_stream("idea-1")
    assert stored.data == {"title": "Tea", "tags": ["a"], "nested": {"k": 1}}
    assert stored.metadata == {"command": "publish"}
    assert store.read_all()[0].data == stored.data


def test_a_valid_unicode_and_number_payload_round_trips(store: EventStore) -> None:
    data = {"text": 'naïve 😀 \u2028 \\ "q"', "big": 2**62, "neg": -1.25e-10, "n": None}
    store.append("idée-1", [NewEvent(type="Noted", data=data)], NO_STREAM)

    (stored,) = store.read_stream("idée-1")

    assert stored.data == data
    assert isinstance(stored.data["big"], int)


CALLS: list[tuple[str, Callable[[EventStore, uuid.UUID], object]]] = [
    ("append", lambda s, _: s.append("idea-1", [new()], ANY)),
    ("forget", lambda s, _: s.forget("idea-1", new("Forgotten"))),
    (
        "save_snapshot",
        lambda s, last: s.save_snapshot(Snapshot("idea-1", 2, last, {}, 1, datetime.now(UTC))),
    ),
    ("read_stream", lambda s, _: s.read_stream("idea-1")),
    ("read_all", lambda s, _: s.read_all()),
    ("head_position", lambda s, _: s.head_position()),
    ("stream_info", lambda s, _: s.stream_info("idea-1")),
    ("list_streams", lambda s, _: s.list_streams()),
    ("snapshots", lambda s, _: s.snapshots("idea-1")),
    ("latest_snapshot", lambda s, _: s.latest_snapshot("idea-1")),
    ("subscribe", lambda s, _: s.subscribe(lambda events: None)),
]


@pytest.mark.parametrize("call", [c for _, c in CALLS], ids=[n for n, _ in CALLS])
def test_a_closed_store_refuses_everything(
    store: EventStore, call: Callable[[EventStore, uuid.UUID], object]
) -> None:
    last = store.append("idea-1", batch(2), NO_STREAM)[-1].event_id
    store.close()
    store.close()  # closing twice is harmless

    with pytest.raises(StoreClosedError):
        call(store, last)
