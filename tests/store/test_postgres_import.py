"""Loading an export into an empty PostgreSQL store keeps every fact of every record, in one
commit, all or nothing."""

from __future__ import annotations

import dataclasses
import io

import pytest

from domain.backends.memory.store import MemoryEventStore
from domain.backends.postgres.store import PostgresEventStore
from domain.core.errors import InvalidEventError, StreamForgottenError
from domain.core.records import ANY, NO_STREAM, NewEvent, RecordedEvent, StreamStatus
from domain.core.transfer import export_events
from tests.store.test_postgres_helpers import fresh_url


def exported() -> list[RecordedEvent]:
    source = MemoryEventStore(deleted_types={"Deleted"})
    source.append("a-1", [NewEvent("Noted", {"n": 1}), NewEvent("Noted", {"n": 2})], NO_STREAM)
    source.append("b-1", [NewEvent("Noted", {"secret": "x"})], NO_STREAM)
    source.append("c-1", [NewEvent("Noted", {"z": 1, "a": [1.5]}), NewEvent("Deleted", {})], 0)
    source.forget("b-1", NewEvent("Forgotten", {}))
    source.append("a-1", [NewEvent("Noted", {"n": 3}, metadata={"command": "edit"})], 2)
    return source.read_all()


def _text(records: list[RecordedEvent]) -> str:
    source = MemoryEventStore()
    source.import_records(records)
    out = io.StringIO()
    export_events(source, out)
    return out.getvalue()


def test_an_export_loads_back_identically_in_one_commit_and_survives_a_reopen() -> None:
    url = fresh_url()
    records = exported()
    store = PostgresEventStore.open(url, deleted_types={"Deleted"}, poll_interval=None)
    got: list[list[RecordedEvent]] = []
    store.subscribe(lambda events: got.append(list(events)))

    store.import_records(records)

    assert store.read_all() == records
    assert got == [records]  # one commit
    out = io.StringIO()
    export_events(store, out)
    assert out.getvalue() == _text(records)  # export -> import -> export, byte for byte
    statuses = [(i.stream_id, i.version, i.event_count, i.status) for i in store.list_streams()]
    assert statuses == [
        ("a-1", 3, 3, StreamStatus.ACTIVE),
        ("c-1", 2, 2, StreamStatus.DELETED),
        ("b-1", 2, 1, StreamStatus.FORGOTTEN),
    ]
    store.close()

    again = PostgresEventStore.open(url, deleted_types={"Deleted"}, poll_interval=None)
    assert again.read_all() == records
    assert again.head_position() == records[-1].position
    with pytest.raises(StreamForgottenError):
        again.append("b-1", [NewEvent("Noted", {})], ANY)
    (later,) = again.append("a-1", [NewEvent("Noted", {})], 3)
    assert (later.version, later.position) == (4, records[-1].position + 1)
    again.close()


def test_import_needs_an_empty_store() -> None:
    store = PostgresEventStore.open(fresh_url(), poll_interval=None)
    store.append("z-1", [NewEvent("Noted", {})], NO_STREAM)

    with pytest.raises(InvalidEventError):
        store.import_records(exported())

    assert [e.stream_id for e in store.read_all()] == ["z-1"]
    store.close()


def test_a_refused_import_writes_nothing() -> None:
    records = exported()
    tombstone = next(r for r in records if r.stream_id == "b-1")
    after_tombstone = dataclasses.replace(
        records[-1], stream_id="b-1", version=tombstone.version + 1
    )
    store = PostgresEventStore.open(fresh_url(), poll_interval=None)

    with pytest.raises(InvalidEventError):
        store.import_records([*records[:-1], after_tombstone])
    with pytest.raises(InvalidEventError):
        store.import_records([dataclasses.replace(records[0], type="nul\x00")])

    assert store.head_position() == 0
    assert store.list_streams() == []
    (first,) = store.append("a-1", [NewEvent("Noted", {})], NO_STREAM)
    assert first.position == 1
    store.close()
