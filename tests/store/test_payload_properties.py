"""What is read back is what was appended, for any JSON payload, on every backend.

Field by field (ids, positions, versions, type, schema version, payload and metadata, with
their exact JSON types: a bool stays a bool, 1.0 stays a float, a big int stays exact), from
every way of reading (the append's answer, `read_stream`, `read_all`, `last_event`), and
equal to the plain `RecordedEvent` of the same fields. Payloads include real sealed
envelopes, nested objects and lists, any unicode and ints beyond 64 bits. The contract also
says an append copies its payloads: the caller changing the dictionaries it appended, at any
depth, changes nothing stored.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.core.protocol import EventStore
from domain.core.records import ANY, JsonObject, NewEvent, RecordedEvent, SnapshotPolicy
from domain.core.shredding.cipher import seal
from tests.store.conftest import Backend

_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
"""Any unicode but lone surrogates (which no JSON text can carry to a database)."""
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()  # unbounded: ints far beyond 64 bits
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT
    | st.sampled_from(["idea-1", "EditIdea", "title", "A256GCM", "correlation_id", ""])
)
_JSON = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)
_OBJECTS = st.dictionaries(_TEXT | st.sampled_from(["idea_id", "title", "$sealed"]), _JSON)


@st.composite
def _sealed(draw: st.DrawFn) -> JsonObject:
    """A payload with a real sealed envelope, as the shredding layer writes it."""
    clear = draw(st.dictionaries(st.sampled_from(["idea_id", "minor", "note"]), _JSON))
    private = draw(st.dictionaries(st.sampled_from(["title", "description"]), _TEXT, min_size=1))
    key = draw(st.binary(min_size=32, max_size=32))
    return seal(key, b"aad", {**clear, **private}, frozenset(private))


_PAYLOADS = _OBJECTS | _sealed()
_EVENTS = st.lists(
    st.tuples(st.sampled_from(["Edited", "Created", "Sealed"]), _PAYLOADS, _OBJECTS),
    min_size=1,
    max_size=5,
)
_HISTORIES = st.lists(st.tuples(st.sampled_from(["s-1", "s-2"]), _EVENTS), min_size=1, max_size=4)


def same(a: Any, b: Any) -> bool:
    """Equal, with the same JSON type at every depth (== alone takes True for 1, 1 for 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _scramble(value: Any) -> None:
    """Change a payload in place at every depth, as a careless caller might."""
    if isinstance(value, dict):
        for item in list(value.values()):
            _scramble(item)
        value["scrambled"] = True
        for key in [k for k in value if k != "scrambled"][:1]:
            del value[key]
    elif isinstance(value, list):
        for item in value:
            _scramble(item)
        value.append("scrambled")


def _check(record: RecordedEvent, sent: NewEvent, stream_id: str, version: int) -> None:
    assert isinstance(record.event_id, uuid.UUID)
    assert record.event_id == sent.event_id
    assert (record.stream_id, record.version) == (stream_id, version)
    assert (record.type, record.schema_version) == (sent.type, sent.schema_version)
    assert same(record.data, sent.data)
    assert same(record.metadata, sent.metadata)
    plain = RecordedEvent(
        *(getattr(record, f.name) for f in dataclasses.fields(RecordedEvent))
    )  # fmt: skip
    assert record == plain and plain == record
    assert dataclasses.replace(record) == record
    assert record != dataclasses.replace(plain, version=record.version + 1)


History = list[tuple[str, list[tuple[str, JsonObject, JsonObject]]]]
"""Batches in turn: the stream, then each event's type, data and metadata."""


def _run(
    store: EventStore, history: History
) -> tuple[list[tuple[str, int, NewEvent]], list[RecordedEvent]]:
    """Append `history` (in turn by `append` and `append_many`), scrambling each batch's
    payloads once appended; what was sent (stream, version, event) and the appends' answers."""
    sent: list[tuple[str, int, NewEvent]] = []
    answers: list[RecordedEvent] = []
    versions: dict[str, int] = {}
    for n, (stream_id, events) in enumerate(history):
        batch = [
            NewEvent(kind, data, schema_version=1 + i % 3, metadata=metadata)
            for i, (kind, data, metadata) in enumerate(events)
        ]
        expected = copy.deepcopy(batch)
        at = versions.get(stream_id, 0)
        if n % 2:
            answers += store.append_many([(stream_id, batch, ANY)])
        else:
            answers += store.append(stream_id, batch, at)
        for e in batch:  # the caller reuses what it appended
            _scramble(e.data)
            _scramble(e.metadata)
        sent += [(stream_id, at + i, e) for i, e in enumerate(expected, start=1)]
        versions[stream_id] = at + len(batch)
    return sent, answers


@settings(max_examples=int(os.environ.get("PAYLOAD_EXAMPLES", "60")), deadline=None)
@given(history=_HISTORIES)
def test_what_is_read_back_is_what_was_appended(backend: Backend, history: History) -> None:
    with tempfile.TemporaryDirectory() as where:
        store = backend.open(Path(where), SnapshotPolicy(), frozenset())
        try:
            sent, answers = _run(store, history)
            everything = store.read_all()
            assert [r.position for r in everything] == list(range(1, len(sent) + 1))
            for (stream_id, version, new), answer, read in zip(
                sent, answers, everything, strict=True
            ):
                _check(answer, new, stream_id, version)
                _check(read, new, stream_id, version)
                assert answer.position == read.position
                assert store.read_stream(stream_id, version, version) == [read]
            for stream_id in {s for s, _, _ in sent}:
                stream = store.read_stream(stream_id)
                assert [r.version for r in stream] == list(range(1, len(stream) + 1))
                assert store.last_event(stream_id) == stream[-1]
            # A second read gives the same again (nothing read changed what is kept).
            assert store.read_all() == everything
        finally:
            store.close()


@settings(max_examples=int(os.environ.get("PAYLOAD_EXAMPLES", "30")), deadline=None)
@given(history=_HISTORIES)
def test_imported_records_read_back_as_given(backend: Backend, history: History) -> None:
    with tempfile.TemporaryDirectory() as where:
        source = backend.open(Path(where) / "a", SnapshotPolicy(), frozenset())
        target = backend.open(Path(where) / "b", SnapshotPolicy(), frozenset())
        try:
            _run(source, history)
            records = source.read_all()
            given_records = [
                RecordedEvent(*(getattr(r, f.name) for f in dataclasses.fields(RecordedEvent)))
                for r in copy.deepcopy(records)
            ]
            expected = copy.deepcopy(given_records)
            target.import_records(given_records)
            for r in given_records:
                _scramble(r.data)
                _scramble(r.metadata)
            back = target.read_all()
            assert back == expected
            for got, want in zip(back, expected, strict=True):
                assert same(got.data, want.data) and same(got.metadata, want.metadata)
                assert got.event_id == want.event_id
        finally:
            source.close()
            target.close()
