"""`import_more` on the durable stores: records that continue what the store holds go in as
one commit, or none of them does; `save_snapshots` (SQLite, PostgreSQL) saves several in one
commit."""

from __future__ import annotations

import dataclasses
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.core.errors import InvalidEventError, SnapshotError
from domain.core.protocol import EventStore
from domain.core.records import NewEvent, RecordedEvent, Snapshot, StreamStatus
from tests.store.conftest import DELETED, MakeStore

pytestmark = pytest.mark.durable

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def rec(stream: str, version: int, position: int, kind: str = "Noted") -> RecordedEvent:
    return RecordedEvent(
        event_id=uuid.uuid4(),
        stream_id=stream,
        version=version,
        position=position,
        type=kind,
        schema_version=1,
        recorded_at=T0 + timedelta(seconds=position),
        data={"n": position},
        metadata={},
    )


def more(store: EventStore, records: list[RecordedEvent]) -> None:
    store.import_more(records)  # type: ignore[attr-defined]


def test_chunks_continue_the_log_and_its_streams_one_commit_each(make_store: MakeStore) -> None:
    store = make_store()
    commits: list[list[int]] = []
    store.subscribe(lambda events: commits.append([e.position for e in events]))
    first = [rec("a-1", 1, 1), rec("b-1", 1, 2), rec("a-1", 2, 3)]
    second = [rec("b-1", 2, 4), rec("c-1", 1, 5), rec("a-1", 3, 6), rec("b-1", 3, 7, DELETED)]
    more(store, first)
    more(store, second)
    assert store.read_all() == first + second  # ids, versions, positions and times kept
    info = {i.stream_id: i for i in store.list_streams()}
    assert [(i.stream_id, i.version, i.event_count, i.last_position) for i in info.values()] == [
        ("a-1", 3, 3, 6),
        ("b-1", 3, 3, 7),
        ("c-1", 1, 1, 5),
    ]
    assert info["b-1"].status is StreamStatus.DELETED
    assert info["a-1"].status is StreamStatus.ACTIVE
    deadline = datetime.now(UTC) + timedelta(seconds=30)
    while len(commits) < 2 and datetime.now(UTC) < deadline:
        store.poll()  # type: ignore[attr-defined]  # both durable stores can be asked
        time.sleep(0.01)
    assert commits == [[1, 2, 3], [4, 5, 6, 7]]
    # An append goes on after the imported chunks.
    appended = store.append("a-1", [NewEvent("Noted", {"n": 8})], 3)
    assert (appended[0].version, appended[0].position) == (4, 8)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ([rec("a-1", 4, 6)], "version 4 follows 2, as stored"),  # a gap in a stored stream
        ([rec("a-1", 2, 6)], "version 2 follows 2, as stored"),  # a version stored already
        ([rec("f-1", 3, 6)], "f-1 was forgotten"),  # after a forgotten stream's tombstone
        ([rec("n-2", 3, 6)], "version 3 follows 1"),  # a gap inside the records
    ],
)
def test_what_does_not_continue_the_store_is_refused_and_nothing_is_written(
    make_store: MakeStore, bad: list[RecordedEvent], reason: str
) -> None:
    store = make_store()
    more(store, [rec("a-1", 1, 1), rec("a-1", 2, 2)])
    store.append("f-1", [NewEvent("Noted", {})], 0)
    store.forget("f-1", NewEvent("Forgotten", {}))  # positions 3 and 4
    before = store.read_all()
    with pytest.raises(InvalidEventError, match=reason):
        more(store, [rec("n-2", 1, 5), *bad])
    with pytest.raises(InvalidEventError, match="position 4 is not above the head"):
        more(store, [rec("n-2", 1, 4)])  # a position stored already
    assert store.read_all() == before
    assert store.stream_info("n-2") is None


def test_an_event_id_stored_already_is_refused_and_nothing_is_written(
    make_store: MakeStore,
) -> None:
    store = make_store()
    first = rec("a-1", 1, 1)
    more(store, [first])
    again = dataclasses.replace(rec("b-1", 1, 3), event_id=first.event_id)
    with pytest.raises(InvalidEventError, match="stored already"):
        more(store, [rec("c-1", 1, 2), again])
    assert store.read_all() == [first]
    assert store.stream_info("c-1") is None


def test_snapshots_saved_together_keep_the_newest_or_none_at_all(make_store: MakeStore) -> None:
    store = make_store()
    if not hasattr(store, "save_snapshots"):
        pytest.skip("this store saves snapshots one at a time")
    records = [rec("a-1", v, v) for v in range(1, 6)]
    more(store, records)

    def snap(version: int) -> Snapshot:
        return Snapshot("a-1", version, records[version - 1].event_id, {"v": version}, 1, T0)

    store.save_snapshots([snap(1), snap(2), snap(3), snap(4)])
    kept = [s.version for s in store.snapshots("a-1")]
    assert kept == [2, 3, 4]  # the policy keeps 3
    with pytest.raises(SnapshotError, match="ahead"):
        store.save_snapshots([snap(5), dataclasses.replace(snap(5), version=9)])
    assert [s.version for s in store.snapshots("a-1")] == kept
