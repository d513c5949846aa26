"""Reading SQLite rows fast gives what reading them plainly gives: a `RowEvent` (event id and
metadata parsed when first read) and a stream's `StreamRowEvent` (its payload too, and
`peek_data` reading it without keeping it) equal the RecordedEvent built from the same row
with `uuid.UUID` and `json.loads`, and `load_json` (pydantic-core's parser, the standard
library's as fallback) gives `json.loads`'s value, or refuses what it refuses, for any text."""

from __future__ import annotations

import dataclasses
import gc
import json
import pickle
import sqlite3
import tempfile
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.backends import open_store
from domain.backends.sqlite.codec import (
    EVENT_COLUMNS,
    RowEvent,
    StreamRowEvent,
    load_json,
    to_records,
    to_stream_records,
)
from domain.core.records import ANY, NewEvent, RecordedEvent

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),  # unbounded: big integers must come back exact
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),  # any code points, lone surrogates too (stored escaped)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
payloads = st.dictionaries(st.text(max_size=8), json_values, max_size=5)
new_events = st.builds(
    lambda t, d, m, v: NewEvent(type=t, data=d, metadata=m, schema_version=v),
    st.sampled_from(["Opened", "Changed", "Closed"]),
    payloads,
    payloads,
    st.integers(1, 3),
)


def plain_records(path: Path) -> list[RecordedEvent]:
    """The rows read the plain way: every field parsed at once, with the standard library."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(f"SELECT {EVENT_COLUMNS} FROM events ORDER BY position").fetchall()
    finally:
        conn.close()
    return [
        RecordedEvent(
            uuid.UUID(event_id),
            stream_id,
            version,
            position,
            kind,
            schema,
            datetime.fromisoformat(at),
            json.loads(data),
            json.loads(metadata),
        )
        for event_id, stream_id, version, position, kind, schema, at, data, metadata in rows
    ]


def exact(value: Any) -> str:
    """A text telling apart what `==` does not (0.0 and -0.0, 1 and 1.0, True and 1)."""
    return repr(value) if not isinstance(value, dict | list) else _exact(value)


def _exact(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ",".join(f"{k!r}:{_exact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_exact(v) for v in value) + "]"
    return f"{type(value).__name__}:{value!r}"


@settings(max_examples=40, deadline=None)
@given(batches=st.lists(st.lists(new_events, min_size=1, max_size=4), min_size=1, max_size=4))
def test_rows_read_fast_equal_rows_read_plainly(batches: list[list[NewEvent]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.db"
        store = open_store(f"sqlite:///{path}")
        try:
            for i, batch in enumerate(batches):
                store.append(f"s-{i % 2}", batch, ANY)
            fast = store.read_all()
        finally:
            store.close()
        plain = plain_records(path)
    assert len(fast) == len(plain) == sum(len(b) for b in batches)
    for got, want in zip(fast, plain, strict=True):
        assert type(got) is RowEvent
        assert got == want and want == got
        assert (got != want) is False
        for field in dataclasses.fields(RecordedEvent):
            assert getattr(got, field.name) == getattr(want, field.name), field.name
        assert exact(got.data) == exact(want.data)
        assert exact(got.metadata) == exact(want.metadata)


@settings(max_examples=40, deadline=None)
@given(
    batches=st.lists(st.lists(new_events, min_size=1, max_size=4), min_size=1, max_size=4),
    bounds=st.tuples(st.integers(0, 9), st.one_of(st.none(), st.integers(0, 9))),
    backwards=st.booleans(),
    peek_first=st.booleans(),
)
def test_a_stream_read_fast_equals_its_rows_read_plainly(
    batches: list[list[NewEvent]],
    bounds: tuple[int, int | None],
    backwards: bool,
    peek_first: bool,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.db"
        store = open_store(f"sqlite:///{path}")
        try:
            for i, batch in enumerate(batches):
                store.append(f"s-{i % 2}", batch, ANY)
            lo, hi = bounds
            fast = {
                stream: store.read_stream(stream, lo, hi, backwards=backwards)
                for stream in ("s-0", "s-1")
            }
        finally:
            store.close()
        plain = plain_records(path)
    for stream, got_all in fast.items():
        want_all = [
            r
            for r in plain
            if r.stream_id == stream and r.version >= lo and (hi is None or r.version <= hi)
        ]
        want_all = want_all[::-1] if backwards else want_all
        assert len(got_all) == len(want_all)
        for got, want in zip(got_all, want_all, strict=True):
            assert type(got) is StreamRowEvent
            if peek_first:  # what a fold reading edits in place sees, before anything is kept
                assert exact(got.peek_data()) == exact(want.data)
            assert got == want and want == got
            for field in dataclasses.fields(RecordedEvent):
                assert getattr(got, field.name) == getattr(want, field.name), field.name
            assert type(got.stream_id) is str
            assert exact(got.data) == exact(want.data)
            assert exact(got.peek_data()) == exact(want.data)
            assert exact(got.metadata) == exact(want.metadata)


def test_a_stream_payload_is_kept_once_read_and_peeked_without_keeping(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'events.db'}")
    try:
        store.append("s", [NewEvent("Opened", {"n": [1, 2**80], "t": "é😀"})], ANY)
        (record,) = store.read_stream("s")
    finally:
        store.close()
    assert isinstance(record, StreamRowEvent)
    peeked = record.peek_data()
    assert peeked == {"n": [1, 2**80], "t": "é😀"}
    assert record.peek_data() is not peeked  # parsed afresh: nothing kept yet
    kept = record.data
    assert kept == peeked and record.data is kept  # parsed once, then the same object
    assert record.peek_data() is kept


def test_a_stream_id_other_than_a_plain_text_reads_the_rows_own_id(tmp_path: Path) -> None:
    class Name(str):
        pass

    store = open_store(f"sqlite:///{tmp_path / 'events.db'}")
    try:
        store.append("s", [NewEvent("Opened", {"n": 1})], ANY)
        (record,) = store.read_stream(Name("s"))
        assert store.read_stream("s") == [record]
    finally:
        store.close()
    assert type(record.stream_id) is str and record.stream_id == "s"


@pytest.fixture
def records(tmp_path: Path) -> list[RecordedEvent]:
    """A few events read back from an SQLite store."""
    store = open_store(f"sqlite:///{tmp_path / 'events.db'}")
    try:
        store.append("s", [NewEvent("Opened", {"n": i}, metadata={"i": i}) for i in range(3)], ANY)
        return store.read_stream("s")
    finally:
        store.close()


def test_a_row_event_is_a_frozen_record(records: list[RecordedEvent]) -> None:
    record = records[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.event_id = uuid.uuid4()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.metadata = {}  # type: ignore[misc]
    # Parsed once, then the same object on every read.
    assert record.event_id is record.event_id
    assert record.metadata is record.metadata


def test_a_row_event_replaced_copied_or_pickled_keeps_its_fields(
    records: list[RecordedEvent],
) -> None:
    record = records[1]
    changed = dataclasses.replace(record, data={"n": 9})
    assert (changed.event_id, changed.metadata, changed.data) == (
        record.event_id, record.metadata, {"n": 9}
    )  # fmt: skip
    assert changed != record
    assert dataclasses.replace(record) == record
    assert pickle.loads(pickle.dumps(record)) == record
    plain = RecordedEvent(*(getattr(record, f.name) for f in dataclasses.fields(RecordedEvent)))
    assert plain == record and record == plain
    assert dataclasses.asdict(plain) == dataclasses.asdict(record)


def test_row_events_differing_in_any_field_are_unequal(records: list[RecordedEvent]) -> None:
    record = records[0]
    for field, other in (
        ("event_id", uuid.uuid4()),
        ("metadata", {"i": 99}),
        ("data", {"n": 99}),
        ("version", 99),
        ("stream_id", "t"),
    ):
        assert dataclasses.replace(record, **{field: other}) != record, field
    assert records[0] != records[1]
    assert record != "not a record"


def test_a_malformed_event_id_or_metadata_fails_when_read(tmp_path: Path) -> None:
    """A damaged row fails as the plain path fails (ValueError), at its first read."""
    row = ("not-a-uuid", "s", 1, 1, "Opened", 1, "2024-01-01T00:00:00+00:00", "{}", "{oops")
    (record,) = to_records([row])
    assert record.data == {}
    with pytest.raises(ValueError):
        _ = record.event_id
    with pytest.raises(ValueError):
        _ = record.metadata
    with pytest.raises(ValueError):
        uuid.UUID(row[0])
    with pytest.raises(ValueError):
        json.loads(row[8])


@pytest.mark.parametrize("payload", ["{oops", "", "[1]x", '{"a":1}{', "\ud800"])
def test_a_malformed_stream_payload_fails_when_read(payload: str) -> None:
    """A stream's damaged payload fails as the plain path fails (ValueError), at its first
    read, whether kept or peeked; the rest of the record reads."""
    row = ("7c9e6679-7425-40de-944b-e07fc1f90ae7", 1, 1, "Opened", 1,
           "2024-01-01T00:00:00+00:00", payload, "{}")  # fmt: skip
    (record,) = to_stream_records([row], "s")
    assert (record.stream_id, record.version, record.metadata) == ("s", 1, {})
    with pytest.raises(ValueError):
        json.loads(payload)
    with pytest.raises(ValueError):
        _ = record.peek_data()  # type: ignore[attr-defined]
    with pytest.raises(ValueError):
        _ = record.data
    with pytest.raises(ValueError):
        _ = record.data  # still failing: nothing was kept


json_texts = st.one_of(
    json_values.map(lambda v: json.dumps(v, separators=(",", ":"), ensure_ascii=False)),
    json_values.map(json.dumps),  # every non-ASCII character escaped, spaces after separators
    st.text(max_size=30),  # mostly not JSON at all
    st.text(alphabet='{}[]",:0123456789.eE+-tfnrulsadcb \\\ud800', max_size=20),
)


@settings(max_examples=400, deadline=None)
@given(text=json_texts)
def test_load_json_reads_any_text_as_json_loads_does(text: str) -> None:
    try:
        want = json.loads(text)
    except ValueError:
        with pytest.raises(ValueError):
            load_json(text)
        return
    assert exact(load_json(text)) == exact(want)


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_rows_leaves_the_garbage_collector_as_it_found_it(enabled: bool) -> None:
    good = ("7c9e6679-7425-40de-944b-e07fc1f90ae7", "s", 1, 1, "Opened", 1,
            "2024-01-01T00:00:00+00:00", '{"n":1}', "{}")  # fmt: skip
    bad = (*good[:7], "{not json", "{}")
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        (record,) = to_records([good])
        assert record.data == {"n": 1}
        assert gc.isenabled() is enabled
        with pytest.raises(ValueError):
            to_records([good, bad])
        assert gc.isenabled() is enabled
        (record,) = to_stream_records([good[:1] + good[2:]], "s")
        assert record.data == {"n": 1}
        assert gc.isenabled() is enabled
        with pytest.raises(ValueError):
            to_stream_records([good[:1] + good[2:], ("x",)], "s")  # type: ignore[list-item]
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_the_stored_types_are_the_same_with_and_without_the_type_index(tmp_path: Path) -> None:
    # An old store has no (type, position) index: one scan then, the same answer.
    from domain.backends.sqlite.schema import distinct_types

    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    kinds = ["b", "a", "B", "ab", "Aé", "a"]
    for n, kind in enumerate(kinds):
        store.append(f"s-{n}", [NewEvent(kind, {})], 0)
    store.close()
    conn = sqlite3.connect(tmp_path / "s.db")
    try:
        seeking = distinct_types(conn)
        conn.execute("DROP INDEX events_by_type")
        assert distinct_types(conn) == seeking == sorted(set(kinds))
    finally:
        conn.close()
