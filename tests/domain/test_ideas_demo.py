"""`bootstrap()` and the demo seeder: a deterministic store with about twenty ideas, some
with snapshots, some deleted, exactly one rejected and one forgotten."""

from __future__ import annotations

import time

import pytest

from domain.backends.memory.store import MemoryEventStore
from domain.bootstrap import DELETED_TYPES, System, bootstrap
from domain.core.errors import StoreClosedError
from domain.core.records import StreamStatus
from domain.ideas import IdeaDeletedError, IdeaNotFoundError, IdeaStatus, idea_id_of


def shape(system: System) -> list[tuple[str, str, list[str]]]:
    """Each stream's id, status and event types: what the same seed must reproduce."""
    return [
        (info.stream_id, info.status.value, [e.type for e in system.store.read_stream(s)])
        for info in system.store.list_streams()
        for s in [info.stream_id]
    ]


def test_the_demo_has_twenty_ideas_with_a_life(demo: System) -> None:
    store = demo.store
    streams = store.list_streams()
    assert len(streams) == 20
    assert all(idea_id_of(s.stream_id) for s in streams)
    with_snapshots = [s.stream_id for s in streams if store.snapshots(s.stream_id)]
    assert len(with_snapshots) >= 2
    assert any(len(store.snapshots(s)) >= 2 for s in with_snapshots)

    statuses = {
        s.stream_id: demo.ideas.load(idea_id_of(s.stream_id) or "").state.status for s in streams
    }
    counts = {status: list(statuses.values()).count(status) for status in IdeaStatus}
    assert counts[IdeaStatus.REJECTED] == 1
    assert counts[IdeaStatus.FORGOTTEN] == 1
    assert counts[IdeaStatus.DELETED] >= 2
    assert counts[IdeaStatus.ACCEPTED] >= 10
    assert counts[IdeaStatus.REQUESTED] == 0

    (forgotten,) = [s for s in streams if s.status is StreamStatus.FORGOTTEN]
    assert [e.type for e in store.read_stream(forgotten.stream_id)] == ["IdeaForgotten"]
    assert sum(s.status is StreamStatus.DELETED for s in streams) == counts[IdeaStatus.DELETED]


def test_the_summary_matches_the_store(demo: System) -> None:
    summary = demo.demo
    assert summary is not None and summary.ideas == 20
    for idea_id in summary.deleted:
        assert demo.ideas.load(idea_id).state.status is IdeaStatus.DELETED
    (rejected,) = summary.rejected
    assert demo.ideas.load(rejected).state.status is IdeaStatus.REJECTED
    (forgotten,) = summary.forgotten
    assert demo.ideas.load(forgotten).state.status is IdeaStatus.FORGOTTEN
    edits = sum(e.type == "IdeaUpdated" for e in demo.store.read_all())
    assert edits == summary.edits - 1  # the forgotten idea's edit was erased with it


def test_the_read_model_and_manager_are_caught_up(demo: System) -> None:
    summary = demo.demo
    assert summary is not None
    head = demo.store.head_position()
    assert demo.view.lag() == 0 and demo.process_manager.lag() == 0
    assert demo.process_manager.reactions == 0  # every request was already answered
    rows = demo.view.list()
    assert len(rows) == 20 - len(summary.deleted) - len(summary.forgotten)
    assert [r.status for r in rows].count("rejected") == 1
    with pytest.raises(IdeaDeletedError):
        demo.view.get(summary.deleted[0])
    with pytest.raises(IdeaNotFoundError):
        demo.view.get(summary.forgotten[0])
    assert demo.store.head_position() == head


def test_the_demo_answers_requests_the_way_the_manager_would(demo: System) -> None:
    for info in demo.store.list_streams():
        if info.status is StreamStatus.FORGOTTEN:
            continue  # only its tombstone is left
        events = demo.store.read_stream(info.stream_id, 1, 2)
        request, answer = events
        assert answer.type in ("IdeaCreationAccepted", "IdeaCreationRejected")
        assert answer.metadata["causation_id"] == str(request.event_id)
        assert answer.metadata["correlation_id"] == request.metadata["correlation_id"]


def test_the_same_seed_gives_the_same_store(demo: System) -> None:
    again = bootstrap(demo=True, seed=7)
    other = bootstrap(demo=True, seed=8)
    try:
        assert shape(again) == shape(demo)
        assert shape(other) != shape(demo)
        assert [s.stream_id for s in other.store.list_streams()] != [
            s.stream_id for s in demo.store.list_streams()
        ]
    finally:
        again.close()
        other.close()


def test_reopening_a_demo_store_does_not_seed_again_and_publish_works(demo: System) -> None:
    store = MemoryEventStore(deleted_types=DELETED_TYPES)
    first = bootstrap(store=store, demo=True, seed=7, start=False)
    head = store.head_position()
    again = bootstrap(store=store, demo=True, seed=7)
    assert again.demo is None
    assert store.head_position() == head
    outcome = again.ideas.publish("New after reopening", "It needs an id nobody has.")
    assert outcome.version == 1
    assert len(store.list_streams()) == 21
    assert again.view.get(outcome.idea_id).status in ("accepted", "rejected")
    first.process_manager.stop()
    again.close()


def test_close_stops_everything_and_closes_the_store() -> None:
    system = bootstrap()
    system.close()
    with pytest.raises(StoreClosedError):
        system.store.head_position()


def test_a_plain_bootstrap_accepts_new_ideas_through_its_manager() -> None:
    system = bootstrap(accept_probability=1.0)
    try:
        outcome = system.ideas.publish("Dark mode", "Follow the OS.")
        types = [e.type for e in system.store.read_stream(outcome.stream_id)]
        assert types == ["IdeaCreationRequested", "IdeaCreationAccepted"]
        assert system.view.get(outcome.idea_id).status == "accepted"
    finally:
        system.close()


def test_a_threaded_system_answers_after_the_delay_and_the_view_follows() -> None:
    system = bootstrap(threaded=True, pm_delay=0.3, accept_probability=1.0)
    try:
        system.process_manager.pause()  # "not answered yet" is certain only while paused
        outcome = system.ideas.publish("Dark mode", "Follow the OS.")
        assert len(system.store.read_stream(outcome.stream_id)) == 1  # not answered yet
        system.process_manager.resume()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (
            system.view.lag() or len(system.store.read_stream(outcome.stream_id)) < 2
        ):
            time.sleep(0.02)
        assert system.view.get(outcome.idea_id).status == "accepted"
    finally:
        system.close()
