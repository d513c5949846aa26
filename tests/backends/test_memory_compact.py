"""The memory store keeps events small and hands out what a plain record would hold.

What a million-event history costs rests on this: repeated strings (keys, names, ids),
short name lists and metadata shapes are kept once, and the event id and metadata are
packed. These tests hold the store to that by measuring it, and check the records it hands
out behave as plain `RecordedEvent`s do (equality both ways, `replace`, copies)."""

from __future__ import annotations

import base64
import copy
import dataclasses
import gc
import tracemalloc
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.backends import open_store
from domain.core.codec import payload_view
from domain.core.errors import DuplicateEventError, InvalidEventError
from domain.core.records import ANY, NO_STREAM, NewEvent, RecordedEvent
from domain.core.shredding.cipher import seal
from domain.core.shredding.packed import PackedEnvelope, pack_envelope
from domain.core.validation import private_copy
from tests.core.test_packed_envelope import envelopes

EVENTS = 2_000
KEY = bytes(range(32))


def _edit(stream: str, n: int) -> NewEvent:
    """An edit as the ideas domain writes it: clear fields and a sealed envelope."""
    data = seal(
        KEY,
        f"{stream}/{n}".encode(),
        {"idea_id": stream, "title": None, "minor": False, "description": f"text {n} " * 8},
        frozenset({"title", "description"}),
    )
    metadata = {"correlation_id": str(uuid.uuid4()), "command": "EditIdea"}
    return NewEvent("IdeaUpdated", data, schema_version=2, metadata=metadata)


def test_an_event_of_a_long_history_costs_what_its_own_values_need() -> None:
    store = open_store("memory:")
    batches = [[_edit(f"s{n % 10}", n)] for n in range(EVENTS)]
    # What is unique to each event: its sealed text and nonce, its correlation id and id.
    own = sum(
        len(b[0].data["$sealed"]["ct"]) + len(b[0].data["$sealed"]["nonce"]) + 36 + 16
        for b in batches
    )
    gc.collect()
    tracemalloc.start()
    try:
        for n, batch in enumerate(batches):
            store.append(f"s{n % 10}", batch, n // 10 or NO_STREAM)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    per_event = (held - own) / EVENTS
    # Beyond its own values (counted as their base64 texts), a plain copy (new strings for
    # every key and name, a UUID object, a metadata dictionary) cost about 1,830 bytes an
    # event; kept, about 500 (the payload dictionary, the record, the indexes, the packed
    # envelope's header). An unpacked envelope (a dictionary and two texts) took it to 850;
    # unshared strings, or an unpacked id and metadata, would each take it over 1,000.
    assert per_event < 700, f"{per_event:.0f} bytes an event beyond its own values"


def test_stored_events_share_their_repeated_strings() -> None:
    store = open_store("memory:")
    store.append("s-1", [_edit("s-1", 1), _edit("s-1", 2)], NO_STREAM)
    first, second = store.read_stream("s-1")
    for key_a, key_b in zip(first.data, second.data, strict=True):
        assert key_a is key_b
    assert first.data["idea_id"] is second.data["idea_id"]
    assert first.type is second.type
    assert first.stream_id is second.stream_id


def test_a_sealed_envelope_is_kept_packed_and_handed_out_as_sent() -> None:
    store = open_store("memory:")
    sent = [_edit("s-1", n) for n in range(1, 4)]
    store.append("s-1", sent, NO_STREAM)
    for record, event in zip(store.read_stream("s-1"), sent, strict=True):
        view = payload_view(type(record))
        assert view is not None and type(view(record)["$sealed"]) is PackedEnvelope
        assert record.data == event.data and list(record.data) == list(event.data)
        assert type(record.data["$sealed"]) is dict
        assert list(record.data["$sealed"]) == ["alg", "fields", "nonce", "ct"]
        # Each read is the reader's own: changing it changes nothing kept.
        record.data["$sealed"]["fields"].append("mine")
        record.data["$sealed"]["ct"] = "changed"
        assert record.data == event.data


def test_a_kept_record_behaves_as_a_plain_one() -> None:
    store = open_store("memory:")
    sent = _edit("s-1", 1)
    (kept,) = store.append("s-1", [sent], NO_STREAM)
    plain = RecordedEvent(*(getattr(kept, f.name) for f in dataclasses.fields(RecordedEvent)))

    assert kept == plain and plain == kept
    assert (kept != plain) is False and (plain != kept) is False
    assert type(kept.event_id) is uuid.UUID and kept.event_id == sent.event_id
    assert hash(kept.event_id) == hash(sent.event_id) and str(kept.event_id) == str(sent.event_id)
    assert kept.metadata == sent.metadata and kept.data == sent.data
    moved = dataclasses.replace(kept, position=9)
    assert moved.position == 9 and moved.metadata == sent.metadata
    assert moved != kept
    assert copy.deepcopy(kept) == kept and copy.copy(kept) == kept
    assert repr(kept) == repr(plain).replace("RecordedEvent(", f"{type(kept).__name__}(")


def test_metadata_handed_out_is_the_readers_own() -> None:
    store = open_store("memory:")
    sent = NewEvent("Happened", {"n": 1}, metadata={"a": [1, {"b": "c"}], "d": None})
    store.append("s-1", [sent], NO_STREAM)
    (record,) = store.read_stream("s-1")
    record.metadata["a"].append(2)
    record.metadata["extra"] = True

    assert store.read_stream("s-1")[0].metadata == {"a": [1, {"b": "c"}], "d": None}


@settings(max_examples=150, deadline=None)
@given(envelope=envelopes(), nested=st.booleans())
def test_any_payload_with_an_envelope_reads_back_as_sent(
    envelope: dict[str, object], nested: bool
) -> None:
    """Appended, appended in a batch of writes, or imported: read back, every payload equals
    what was sent (keys in order, values of the same types), packed or not."""
    data = {"idea_id": "abc123", "$sealed": envelope, "n": 1}
    if nested:  # an envelope's form deeper down is never packed, and reads back too
        data = {"inner": data, "$sealed": [envelope]}
    sent = NewEvent("Happened", data, metadata={"m": "x"})
    store = open_store("memory:")
    store.append("s-1", [sent], NO_STREAM)
    store.append_many([("s-2", [dataclasses.replace(sent, event_id=uuid.uuid4())], NO_STREAM)])
    copy_store = open_store("memory:")
    copy_store.import_records(store.read_all())
    read = [
        *store.read_stream("s-1"),
        *store.read_all(),
        store.last_event("s-2"),
        *copy_store.read_all(),
    ]
    for record in read:
        assert record is not None
        assert record.data == sent.data and _shape(record.data) == _shape(sent.data)
    view = payload_view(type(read[0]))
    assert view is not None
    packed = type(view(read[0]).get("$sealed")) is PackedEnvelope
    assert packed == (not nested and pack_envelope(envelope) is not None)


def _shape(value: object) -> object:
    """`value`'s keys in order and the types of its values, all the way down."""
    if isinstance(value, dict):
        return ("dict", [(k, _shape(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_shape(v) for v in value])
    return type(value).__name__


def test_a_sealed_event_sent_again_is_the_one_stored_and_a_changed_one_is_refused() -> None:
    store = open_store("memory:")
    sent = _edit("s-1", 1)
    (stored,) = store.append("s-1", [sent], NO_STREAM)
    (again,) = store.append("s-1", [sent], NO_STREAM)  # a retry: the same event, same content
    assert again == stored and again.data == sent.data
    envelope = dict(sent.data["$sealed"])
    envelope["ct"] = base64.b64encode(b"other").decode()
    changed = dataclasses.replace(sent, data={**sent.data, "$sealed": envelope})
    with pytest.raises(DuplicateEventError):
        store.append("s-1", [changed], ANY)
    assert [r.data for r in store.read_stream("s-1")] == [sent.data]


class _Text(str):
    """A text of another type: a store keeps it as a plain `str`."""


_usual_values: st.SearchStrategy[object] = st.one_of(
    st.sampled_from(["abc123", "x", ""]),
    st.integers(-2, 2),
    st.just(None),
    st.just(False),
    envelopes().filter(lambda e: pack_envelope(e) is not None),
)
_odd_values: st.SearchStrategy[object] = st.one_of(
    st.text(max_size=8),
    st.text(min_size=65, max_size=70),  # longer than the shared strings
    st.builds(_Text, st.text(max_size=4)),
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=True),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["a", "b"]), st.integers(), max_size=2),
    envelopes(),
    st.frozensets(st.integers(), max_size=1),  # not JSON: refused
)
_keys = st.lists(
    st.one_of(st.sampled_from(["idea_id", "title", "minor", "$sealed"]), st.text(max_size=3)),
    unique=True,
    max_size=4,
)


@settings(max_examples=200, deadline=None)
@given(keys=_keys, data=st.data())
def test_events_of_shapes_seen_before_are_kept_as_the_first_of_their_shape(
    keys: list[str], data: st.DataObject
) -> None:
    """Once a shape of data has been kept, later events of that shape are packed straight
    from their data: what they read back as, and what is refused, is what a store that has
    seen no event gives (the private copy of the data)."""
    store = open_store("memory:")
    usual = [data.draw(_usual_values) for _ in keys]  # the shape most events take
    for n in range(data.draw(st.integers(1, 8))):
        payload: dict[object, object] = dict(zip(keys, usual, strict=True))
        for key in keys:  # now and then a value of another kind, or a key of another type
            if data.draw(st.integers(0, 3)) == 0:
                payload[key] = data.draw(st.one_of(_usual_values, _odd_values))
            if data.draw(st.integers(0, 9)) == 0:
                payload[_Text(key)] = payload.pop(key)
        sent = NewEvent("Happened", payload)  # type: ignore[arg-type]
        try:
            expected = private_copy(payload, "data", 0)
        except InvalidEventError as refused:
            with pytest.raises(InvalidEventError) as raised:
                store.append(f"s-{n}", [sent], NO_STREAM)
            assert str(raised.value) == str(refused)
            continue
        (record,) = store.append(f"s-{n}", [sent], NO_STREAM)
        (alone,) = open_store("memory:").append("s", [sent], NO_STREAM)
        for got in (record, store.read_stream(f"s-{n}")[0], alone):
            assert got.data == expected and _shape(got.data) == _shape(expected)
            assert [type(k) for k in got.data] == [str] * len(expected)
