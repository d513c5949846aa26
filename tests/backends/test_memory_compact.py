"""The memory store keeps events small and hands out what a plain record would hold.

What a million-event history costs rests on this: repeated strings (keys, names, ids),
short name lists and metadata shapes are kept once, and the event id and metadata are
packed. These tests hold the store to that by measuring it, and check the records it hands
out behave as plain `RecordedEvent`s do (equality both ways, `replace`, copies)."""

from __future__ import annotations

import copy
import dataclasses
import gc
import tracemalloc
import uuid

from domain.backends import open_store
from domain.core.records import NO_STREAM, NewEvent, RecordedEvent
from domain.core.shredding.cipher import seal

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
    # Beyond its own values, a plain copy (new strings for every key and name, a UUID
    # object, a metadata dictionary) cost about 1,830 bytes an event; kept, about 850 (the
    # two payload dictionaries, the record, the indexes). Unshared strings, or an unpacked
    # id and metadata, would each take it over 1,000.
    assert per_event < 1000, f"{per_event:.0f} bytes an event beyond its own values"


def test_stored_events_share_their_repeated_strings() -> None:
    store = open_store("memory:")
    store.append("s-1", [_edit("s-1", 1), _edit("s-1", 2)], NO_STREAM)
    first, second = store.read_stream("s-1")
    for key_a, key_b in zip(first.data, second.data, strict=True):
        assert key_a is key_b
    assert first.data["idea_id"] is second.data["idea_id"]
    assert first.data["$sealed"]["fields"] is second.data["$sealed"]["fields"]
    assert first.type is second.type
    assert first.stream_id is second.stream_id


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
