"""Loading an export into an empty SQLite store keeps every fact of every record."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from domain.backends.memory.store import MemoryEventStore
from domain.backends.sqlite.store import SQLiteEventStore
from domain.core.errors import InvalidEventError, StreamForgottenError
from domain.core.records import ANY, NO_STREAM, NewEvent, RecordedEvent, StreamStatus


def exported() -> list[RecordedEvent]:
    source = MemoryEventStore(deleted_types={"Deleted"})
    source.append("a-1", [NewEvent("Noted", {"n": 1}), NewEvent("Noted", {"n": 2})], NO_STREAM)
    source.append("b-1", [NewEvent("Noted", {"secret": "x"})], NO_STREAM)
    source.append("c-1", [NewEvent("Noted", {}), NewEvent("Deleted", {})], NO_STREAM)
    source.forget("b-1", NewEvent("Forgotten", {}))
    source.append("a-1", [NewEvent("Noted", {"n": 3}, metadata={"command": "edit"})], 2)
    return source.read_all()


def test_an_export_loads_back_identically_and_survives_a_reopen(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'events.db'}"
    records = exported()
    store = SQLiteEventStore.open(url, deleted_types={"Deleted"})
    got: list[list[RecordedEvent]] = []
    store.subscribe(lambda events: got.append(list(events)))

    store.import_records(records)

    assert store.read_all() == records
    assert got == [records]  # one commit
    # streams in order of their first exported event (b-1 kept only its late tombstone)
    statuses = [(i.stream_id, i.version, i.event_count, i.status) for i in store.list_streams()]
    assert statuses == [
        ("a-1", 3, 3, StreamStatus.ACTIVE),
        ("c-1", 2, 2, StreamStatus.DELETED),
        ("b-1", 2, 1, StreamStatus.FORGOTTEN),
    ]
    store.close()

    again = SQLiteEventStore.open(url, deleted_types={"Deleted"})
    assert again.read_all() == records
    with pytest.raises(StreamForgottenError):
        again.append("b-1", [NewEvent("Noted", {})], ANY)
    (later,) = again.append("a-1", [NewEvent("Noted", {})], 3)
    assert (later.version, later.position) == (4, records[-1].position + 1)
    again.close()


def test_import_needs_an_empty_store(tmp_path: Path) -> None:
    store = SQLiteEventStore.open(f"sqlite:///{tmp_path / 'events.db'}")
    store.append("z-1", [NewEvent("Noted", {})], NO_STREAM)

    with pytest.raises(InvalidEventError):
        store.import_records(exported())

    assert [e.stream_id for e in store.read_all()] == ["z-1"]
    store.close()


def test_a_refused_import_writes_nothing(tmp_path: Path) -> None:
    records = exported()
    tombstone = next(r for r in records if r.stream_id == "b-1")
    after_tombstone = dataclasses.replace(
        records[-1], stream_id="b-1", version=tombstone.version + 1
    )
    store = SQLiteEventStore.open(f"sqlite:///{tmp_path / 'events.db'}")

    with pytest.raises(InvalidEventError):
        store.import_records([*records[:-1], after_tombstone])

    assert store.head_position() == 0
    assert store.list_streams() == []
    store.close()
