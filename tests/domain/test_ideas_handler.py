"""The command handler: load (snapshot + tail) → decide → append at the loaded version, and
what it reports back."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence

import pytest

from domain.backends.memory.store import MemoryEventStore
from domain.core.errors import ConcurrencyError, StreamForgottenError
from domain.core.records import (
    ExpectedVersion,
    NewEvent,
    RecordedEvent,
    SnapshotPolicy,
    StreamStatus,
)
from domain.ideas import (
    Cause,
    IdeaAlreadyExistsError,
    IdeaCommandHandler,
    IdeaDeletedError,
    IdeaError,
    IdeaForgottenError,
    IdeaNotFoundError,
    IdeaNotPendingError,
    IdeaRejectedError,
    IdeaStatus,
    NothingToChangeError,
)
from domain.ideas.codec import EventCodec
from tests.domain.conftest import IdeaMaker, counting_ids


def edit_until(handler: IdeaCommandHandler, idea_id: str, version: int) -> None:
    """Edit `idea_id` until its stream is at `version`."""
    while (current := handler.load(idea_id).version) < version:
        handler.edit(idea_id, description=f"revision {current + 1}")


# -- outcomes -----------------------------------------------------------------------------


def test_publish_reports_its_event_version_and_how_it_loaded(
    handler: IdeaCommandHandler, store: MemoryEventStore
) -> None:
    outcome = handler.publish("Dark mode", "Follow the OS.")
    assert (outcome.command, outcome.idea_id, outcome.stream_id) == (
        "PublishIdea",
        "i001",
        "idea-i001",
    )
    assert [e.type for e in outcome.events] == ["IdeaCreationRequested"]
    assert outcome.events == store.read_stream("idea-i001")
    assert outcome.version == 1
    assert outcome.state.status is IdeaStatus.REQUESTED
    assert outcome.snapshot is None
    assert outcome.loaded_from == "replayed 0 events from v1"


def test_every_command_outcome_matches_the_stream(
    handler: IdeaCommandHandler, store: MemoryEventStore
) -> None:
    idea_id = handler.publish("t", "d").idea_id
    steps: list[tuple[Callable[[], object], str]] = [
        (lambda: handler.accept(idea_id), "IdeaCreationAccepted"),
        (lambda: handler.edit(idea_id, title="t2", description="d2"), "IdeaUpdated"),
        (lambda: handler.delete(idea_id), "IdeaDeleted"),
    ]
    for version, (run, event_type) in enumerate(steps, start=2):
        outcome = run()
        assert outcome.version == version  # type: ignore[attr-defined]
        assert [e.type for e in outcome.events] == [event_type]  # type: ignore[attr-defined]
        assert outcome.state == handler.load(idea_id).state  # type: ignore[attr-defined]
    (updated,) = store.read_stream(f"idea-{idea_id}", 3, 3)
    assert updated.data == {"idea_id": idea_id, "title": "t2", "description": "d2", "minor": False}
    assert updated.schema_version == 2
    assert store.stream_info(f"idea-{idea_id}").status is StreamStatus.DELETED  # type: ignore[union-attr]


def test_metadata_carries_command_correlation_and_causation(
    handler: IdeaCommandHandler,
) -> None:
    published = handler.publish("t", "d")
    (request,) = published.events
    correlation = uuid.UUID(request.metadata["correlation_id"])
    assert request.metadata["command"] == "PublishIdea"
    assert "causation_id" not in request.metadata

    cause = Cause(correlation_id=correlation, causation_id=request.event_id)
    (accepted,) = handler.accept(published.idea_id, cause=cause).events
    assert accepted.metadata == {
        "correlation_id": str(correlation),
        "causation_id": str(request.event_id),
        "command": "AcceptIdeaCreation",
    }


def test_a_cause_can_fix_the_event_id(handler: IdeaCommandHandler) -> None:
    idea_id = handler.publish("t", "d").idea_id
    wanted = uuid.UUID(int=42)
    (accepted,) = handler.accept(idea_id, cause=Cause(event_ids=(wanted,))).events
    assert accepted.event_id == wanted


# -- refused commands write nothing -------------------------------------------------------

REFUSALS: list[tuple[str, str, type[IdeaError]]] = [
    ("requested", "delete-twice", IdeaDeletedError),
    ("accepted", "accept", IdeaNotPendingError),
    ("accepted", "reject", IdeaNotPendingError),
    ("accepted", "same-edit", NothingToChangeError),
    ("rejected", "edit", IdeaRejectedError),
    ("rejected", "delete", IdeaRejectedError),
    ("deleted", "edit", IdeaDeletedError),
    ("deleted", "delete", IdeaDeletedError),
    ("deleted", "accept", IdeaNotPendingError),
    ("forgotten", "edit", IdeaForgottenError),
    ("forgotten", "delete", IdeaForgottenError),
    ("forgotten", "accept", IdeaForgottenError),
    ("forgotten", "forget", IdeaForgottenError),
]


def _run(handler: IdeaCommandHandler, action: str, idea_id: str) -> None:
    match action:
        case "accept":
            handler.accept(idea_id)
        case "reject":
            handler.reject(idea_id, "no")
        case "edit":
            handler.edit(idea_id, title="Another title")
        case "same-edit":
            handler.edit(idea_id, title=" A title ", description="A description")
        case "delete":
            handler.delete(idea_id)
        case "delete-twice":
            handler.delete(idea_id)
            handler.delete(idea_id)
        case "forget":
            handler.forget(idea_id)


@pytest.mark.parametrize(("status", "action", "error"), REFUSALS)
def test_a_refused_command_appends_nothing(
    handler: IdeaCommandHandler,
    store: MemoryEventStore,
    make_idea: IdeaMaker,
    status: str,
    action: str,
    error: type[IdeaError],
) -> None:
    idea_id = make_idea(status)
    before = store.read_all()
    head = store.head_position() + (1 if action == "delete-twice" else 0)
    with pytest.raises(error):
        _run(handler, action, idea_id)
    assert store.head_position() == head
    assert store.read_all()[: len(before)] == before


@pytest.mark.parametrize("action", ["accept", "reject", "edit", "delete", "forget"])
def test_commands_on_an_unknown_idea(
    handler: IdeaCommandHandler, store: MemoryEventStore, action: str
) -> None:
    with pytest.raises(IdeaNotFoundError):
        _run(handler, action, "nope")
    assert store.head_position() == 0
    assert store.list_streams() == []


# -- snapshots ----------------------------------------------------------------------------


def test_a_snapshot_is_taken_every_ten_events_and_three_are_kept(
    handler: IdeaCommandHandler, store: MemoryEventStore
) -> None:
    idea_id = handler.publish("t", "d").idea_id
    handler.accept(idea_id)
    taken: dict[int, int] = {}
    for n in range(3, 46):
        outcome = handler.edit(idea_id, description=f"revision {n}")
        assert outcome.version == n
        if outcome.snapshot is not None:
            taken[n] = outcome.snapshot.version
    assert taken == {10: 10, 20: 20, 30: 30, 40: 40}
    kept = store.snapshots(f"idea-{idea_id}")
    assert [s.version for s in kept] == [20, 30, 40]
    assert kept[-1].state["description"] == "revision 40"
    assert kept[-1].state["edit_count"] == 38


def test_load_starts_from_the_latest_snapshot(handler: IdeaCommandHandler) -> None:
    idea_id = handler.publish("t", "d").idea_id
    handler.accept(idea_id)
    edit_until(handler, idea_id, 23)

    loaded = handler.load(idea_id)
    assert loaded.snapshot is not None and loaded.snapshot.version == 20
    assert loaded.events_applied == 3
    assert loaded.how() == "snapshot v20 + 3 events"
    full = handler.load(idea_id, snapshot=None)
    assert full.how() == "replayed 23 events from v1"
    assert loaded.state == full.state
    assert (loaded.version, loaded.last_event_id) == (full.version, full.last_event_id)

    # A handler that has not run a command on the idea yet (another process) loads it...
    cold = IdeaCommandHandler(handler.store, handler.codec)
    outcome = cold.edit(idea_id, title="renamed")
    assert outcome.loaded_from == "snapshot v20 + 3 events"
    assert outcome.state.edit_count == 22
    # ...and its next command starts from the state it left, the stream being still there.
    again = cold.edit(idea_id, title="renamed again")
    assert again.loaded_from == "cached state v24"
    assert again.state == cold.load(idea_id, snapshot=None).state
    # The first handler's cached state (v23) is stale now: it loads again.
    assert handler.edit(idea_id, title="third").loaded_from == "snapshot v20 + 5 events"


def test_any_kept_snapshot_can_start_a_load(handler: IdeaCommandHandler) -> None:
    idea_id = handler.publish("t", "d").idea_id
    handler.accept(idea_id)
    edit_until(handler, idea_id, 27)
    full = handler.load(idea_id, snapshot=None)
    for snap in handler.store.snapshots(f"idea-{idea_id}"):
        loaded = handler.load(idea_id, snapshot=snap)
        assert loaded.events_applied == 27 - snap.version
        assert loaded.state == full.state


# -- optimistic concurrency ---------------------------------------------------------------


def test_a_stale_expected_version_is_refused_and_nothing_is_written(
    handler: IdeaCommandHandler, store: MemoryEventStore, make_idea: IdeaMaker
) -> None:
    idea_id = make_idea("accepted")
    current = store.read_stream(f"idea-{idea_id}")
    with pytest.raises(ConcurrencyError) as err:
        handler.edit(idea_id, title="new", expected_version=1)
    assert (err.value.stream_id, err.value.expected, err.value.actual) == (f"idea-{idea_id}", 1, 2)
    assert err.value.last_event_id == current[-1].event_id
    assert store.read_stream(f"idea-{idea_id}") == current
    assert store.head_position() == 2

    assert handler.edit(idea_id, title="new", expected_version=2).version == 3


def test_a_delete_at_a_stale_expected_version_is_refused_and_nothing_is_written(
    handler: IdeaCommandHandler, store: MemoryEventStore, make_idea: IdeaMaker
) -> None:
    idea_id = make_idea("accepted")
    current = store.read_stream(f"idea-{idea_id}")
    with pytest.raises(ConcurrencyError) as err:
        handler.delete(idea_id, expected_version=1)
    assert (err.value.expected, err.value.actual) == (1, 2)
    assert store.read_stream(f"idea-{idea_id}") == current

    assert handler.delete(idea_id, expected_version=2).state.status is IdeaStatus.DELETED


def test_two_phase_conflict_then_reload_and_retry(
    handler: IdeaCommandHandler, store: MemoryEventStore, make_idea: IdeaMaker
) -> None:
    idea_id = make_idea("accepted")
    alice = handler.stage(idea_id)
    bob = handler.stage(idea_id)
    assert alice.version == bob.version == 2

    won = handler.commit_edit(alice, title="Alice's title")
    assert won.version == 3
    stream = store.read_stream(f"idea-{idea_id}")

    with pytest.raises(ConcurrencyError) as err:
        handler.commit_edit(bob, description="Bob's description")
    assert err.value.expected == 2
    assert err.value.actual == 3
    assert err.value.last_event_id == won.events[0].event_id
    assert store.read_stream(f"idea-{idea_id}") == stream

    bob = handler.stage(idea_id)
    retried = handler.commit_edit(bob, description="Bob's description")
    assert retried.version == 4
    state = handler.load(idea_id).state
    assert (state.title, state.description) == ("Alice's title", "Bob's description")


def test_a_staged_edit_still_obeys_the_rules(
    handler: IdeaCommandHandler, store: MemoryEventStore, make_idea: IdeaMaker
) -> None:
    idea_id = make_idea("deleted")
    staged = handler.stage(idea_id)
    with pytest.raises(IdeaDeletedError):
        handler.commit_edit(staged, title="zombie")
    assert store.head_position() == 3


# -- publish ids --------------------------------------------------------------------------


def scripted_ids(*ids: str) -> Callable[[], str]:
    it: Iterator[str] = iter(ids)
    return lambda: next(it)


def test_publish_picks_another_id_when_one_is_taken(
    store: MemoryEventStore, codec: EventCodec
) -> None:
    handler = IdeaCommandHandler(store, codec, new_id=scripted_ids("aaa", "aaa", "bbb"))
    assert handler.publish("first", "d").idea_id == "aaa"
    second = handler.publish("second", "d")
    assert second.idea_id == "bbb"
    assert handler.load("aaa").state.title == "first"


def test_publish_never_reuses_a_forgotten_id(store: MemoryEventStore, codec: EventCodec) -> None:
    handler = IdeaCommandHandler(store, codec, new_id=scripted_ids("aaa", "aaa", "ccc"))
    handler.publish("first", "d")
    handler.forget("aaa")
    assert handler.publish("second", "d").idea_id == "ccc"
    assert [e.type for e in store.read_stream("idea-aaa")] == ["IdeaForgotten"]


def test_publish_gives_up_clearly_when_no_id_is_free(
    store: MemoryEventStore, codec: EventCodec
) -> None:
    handler = IdeaCommandHandler(store, codec, new_id=lambda: "same")
    handler.publish("first", "d")
    with pytest.raises(IdeaAlreadyExistsError):
        handler.publish("second", "d")
    assert store.head_position() == 1


# -- forget -------------------------------------------------------------------------------


def test_forget_leaves_a_lone_tombstone_and_no_snapshots(
    handler: IdeaCommandHandler, store: MemoryEventStore
) -> None:
    idea_id = handler.publish("Secret", "Contains a name").idea_id
    handler.accept(idea_id)
    edit_until(handler, idea_id, 12)
    assert store.snapshots(f"idea-{idea_id}")

    outcome = handler.forget(idea_id)
    (stone,) = store.read_stream(f"idea-{idea_id}")
    assert outcome.events == [stone]
    assert (stone.type, stone.version) == ("IdeaForgotten", 13)
    assert stone.data == {"idea_id": idea_id, "erased_events": 12}
    assert outcome.state.status is IdeaStatus.FORGOTTEN
    assert outcome.loaded_from == "snapshot v10 + 2 events"
    assert store.snapshots(f"idea-{idea_id}") == []
    assert handler.load(idea_id).state.status is IdeaStatus.FORGOTTEN
    assert not any("Secret" in str(e.data) for e in store.read_all())


def test_a_forgotten_stream_refuses_appends_at_the_store_too(
    handler: IdeaCommandHandler, store: MemoryEventStore, make_idea: IdeaMaker
) -> None:
    idea_id = make_idea("forgotten")
    with pytest.raises(StreamForgottenError):
        store.append(f"idea-{idea_id}", [NewEvent("IdeaDeleted", {"idea_id": idea_id})], 3)


def test_before_forget_runs_with_the_stream_id(
    store: MemoryEventStore, codec: EventCodec, make_idea: IdeaMaker
) -> None:
    idea_id = make_idea("accepted")
    seen: list[tuple[str, int]] = []
    handler = IdeaCommandHandler(
        store, codec, before_forget=lambda s: seen.append((s, len(store.read_stream(s))))
    )
    handler.forget(idea_id)
    assert seen == [(f"idea-{idea_id}", 2)]  # called before the erasure


class AfterAppendStore(MemoryEventStore):
    """A memory store that, once armed, runs `after` right after the next append — as if
    another process acted between a command's append and its snapshot."""

    after: Callable[[], object] | None = None

    def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: ExpectedVersion
    ) -> list[RecordedEvent]:
        recorded = super().append(stream_id, events, expected_version)
        after, self.after = self.after, None
        if after is not None:
            after()
        return recorded


def test_a_failed_snapshot_does_not_fail_the_command_that_was_appended(
    codec: EventCodec,
) -> None:
    store = AfterAppendStore(SnapshotPolicy(every=10))
    handler = IdeaCommandHandler(store, codec, new_id=counting_ids())
    idea_id = handler.publish("t", "d").idea_id
    handler.accept(idea_id)
    edit_until(handler, idea_id, 9)

    store.after = lambda: IdeaCommandHandler(store, codec).forget(idea_id)
    outcome = handler.edit(idea_id, title="the tenth event")  # due for a snapshot
    assert outcome.version == 10 and outcome.snapshot is None
    assert [e.type for e in store.read_stream(f"idea-{idea_id}")] == ["IdeaForgotten"]
