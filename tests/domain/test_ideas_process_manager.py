"""The creation process manager: accepts (with probability p) or rejects each creation
request, deterministically per seed and request, and exactly once even when several managers
react to the same request."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest

from domain.backends.memory.store import MemoryEventStore
from domain.core.errors import DuplicateEventError
from domain.core.records import NewEvent, RecordedEvent
from domain.core.versioning import VersioningError
from domain.ideas import Cause, IdeaCommandHandler, IdeaNotPendingError
from domain.ideas.codec import EventCodec
from domain.ideas.handler import CommandOutcome
from domain.ideas.process_manager import (
    REJECTION_REASONS,
    CreationProcessManager,
    reaction_event_id,
)
from tests.domain.conftest import counting_ids

TRIGGER = uuid.UUID(int=1)
"""The creation request's event id, fixed so the manager's decision is known."""
ACCEPTING_SEED, REJECTING_SEED = 2, 0
"""At p = 0.5, seed 2 accepts the request TRIGGER and seed 0 rejects it."""


def publish_fixed(handler: IdeaCommandHandler) -> CommandOutcome:
    return handler.publish("Dark mode", "Follow the OS.", cause=Cause(event_ids=(TRIGGER,)))


def types(store: MemoryEventStore, stream_id: str) -> list[str]:
    return [e.type for e in store.read_stream(stream_id)]


Results = list[tuple[CommandOutcome | Exception, RecordedEvent]]


def recording(manager: CreationProcessManager) -> Results:
    results: Results = []
    manager.on_reaction(lambda result, trigger: results.append((result, trigger)))
    return results


def test_decisions_depend_on_seed_and_request_only(handler: IdeaCommandHandler) -> None:
    accepting = CreationProcessManager(handler, probability=0.5, seed=ACCEPTING_SEED)
    rejecting = CreationProcessManager(handler, probability=0.5, seed=REJECTING_SEED)
    assert accepting.decide(TRIGGER) is None
    assert rejecting.decide(TRIGGER) in REJECTION_REASONS
    same = CreationProcessManager(handler, probability=0.5, seed=REJECTING_SEED)
    assert same.decide(TRIGGER) == rejecting.decide(TRIGGER)
    assert CreationProcessManager(handler, probability=1.0).decide(TRIGGER) is None
    assert CreationProcessManager(handler, probability=0.0).decide(TRIGGER) is not None


def test_the_acceptance_rate_follows_p(handler: IdeaCommandHandler) -> None:
    manager = CreationProcessManager(handler, probability=0.9, seed=0)
    accepted = sum(manager.decide(uuid.UUID(int=n)) is None for n in range(2000))
    assert 1700 < accepted < 1900


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_p_must_be_a_probability(handler: IdeaCommandHandler, p: float) -> None:
    with pytest.raises(ValueError, match="probability"):
        CreationProcessManager(handler, probability=p)


@pytest.mark.parametrize(
    ("seed", "answer"),
    [(ACCEPTING_SEED, "IdeaCreationAccepted"), (REJECTING_SEED, "IdeaCreationRejected")],
)
def test_accept_and_reject_paths(
    handler: IdeaCommandHandler, store: MemoryEventStore, seed: int, answer: str
) -> None:
    manager = CreationProcessManager(handler, probability=0.5, seed=seed)
    results = recording(manager)
    manager.start()
    published = publish_fixed(handler)
    request = published.events[0]
    assert types(store, published.stream_id) == ["IdeaCreationRequested", answer]

    reaction = store.read_stream(published.stream_id, 2, 2)[0]
    assert reaction.event_id == reaction_event_id(TRIGGER)
    assert reaction.metadata["causation_id"] == str(request.event_id)
    assert reaction.metadata["correlation_id"] == request.metadata["correlation_id"]
    if answer == "IdeaCreationRejected":
        assert reaction.data["reason"] == manager.decide(TRIGGER)
    ((outcome, trigger),) = results
    assert isinstance(outcome, CommandOutcome) and outcome.events == [reaction]
    assert trigger == request
    assert manager.reactions == 1 and manager.lag() == 0
    manager.stop()


def test_a_paused_manager_answers_what_it_missed_on_resume(
    handler: IdeaCommandHandler, store: MemoryEventStore
) -> None:
    manager = CreationProcessManager(handler, probability=1.0)
    manager.start()
    manager.pause()
    ids = [handler.publish(f"idea {n}", "d").idea_id for n in range(5)]
    assert store.head_position() == 5 and manager.lag() == 5
    manager.resume()
    assert all(handler.load(i).state.status == "accepted" for i in ids)
    assert manager.lag() == 0 and store.head_position() == 10
    manager.stop()


def test_a_request_deleted_before_the_reaction_is_left_alone(
    handler: IdeaCommandHandler, store: MemoryEventStore
) -> None:
    manager = CreationProcessManager(handler, probability=1.0)
    results = recording(manager)
    manager.start()
    manager.pause()
    idea_id = handler.publish("t", "d").idea_id
    handler.delete(idea_id)
    manager.resume()
    assert types(store, f"idea-{idea_id}") == ["IdeaCreationRequested", "IdeaDeleted"]
    ((error, _),) = results
    assert isinstance(error, IdeaNotPendingError)


def test_requests_answered_later_in_the_log_need_no_reaction(
    handler: IdeaCommandHandler, store: MemoryEventStore
) -> None:
    for n in range(30):
        idea_id = handler.publish(f"idea {n}", "d").idea_id
        handler.accept(idea_id)
    manager = CreationProcessManager(handler, probability=0.0)
    results = recording(manager)
    manager.start()  # catches up over the whole log
    assert results == [] and store.head_position() == 60 and manager.checkpoint == 60


# -- several managers on one store --------------------------------------------------------


def two_managers(
    store: MemoryEventStore, codec: EventCodec, seeds: tuple[int, int]
) -> tuple[IdeaCommandHandler, CreationProcessManager, CreationProcessManager]:
    """Two managers, as in two processes: each has its own handler on the shared store."""
    publisher = IdeaCommandHandler(store, codec, new_id=counting_ids())
    first, second = (
        CreationProcessManager(IdeaCommandHandler(store, codec), probability=0.5, seed=seed)
        for seed in seeds
    )
    return publisher, first, second


@pytest.mark.parametrize(
    "seeds",
    [(ACCEPTING_SEED, ACCEPTING_SEED), (ACCEPTING_SEED, REJECTING_SEED)],
    ids=["same seed", "different decisions"],
)
def test_two_live_managers_react_exactly_once(
    store: MemoryEventStore, codec: EventCodec, seeds: tuple[int, int]
) -> None:
    publisher, first, second = two_managers(store, codec, seeds)
    first_results, second_results = recording(first), recording(second)
    first.start()
    second.start()
    published = publish_fixed(publisher)
    assert types(store, published.stream_id) == ["IdeaCreationRequested", "IdeaCreationAccepted"]
    ((answered, _),) = first_results
    assert isinstance(answered, CommandOutcome)
    # The second reads the request together with its answer: nothing left to do.
    assert second_results == []
    assert first.lag() == second.lag() == 0


class InterleavingStore(MemoryEventStore):
    """A memory store that, once armed, runs `between` right after the next stream read —
    the moment one manager has loaded an idea and not yet appended its answer."""

    between: Callable[[], object] | None = None

    def read_stream(
        self, stream_id: str, from_version: int = 1, to_version: int | None = None
    ) -> list[RecordedEvent]:
        events = super().read_stream(stream_id, from_version, to_version)
        between, self.between = self.between, None
        if between is not None:
            between()
        return events


@pytest.mark.parametrize(
    ("seeds", "second_sees"),
    [
        ((ACCEPTING_SEED, ACCEPTING_SEED), CommandOutcome),
        ((ACCEPTING_SEED, REJECTING_SEED), DuplicateEventError),
    ],
    ids=["same seed: a no-op retry", "different decisions: refused"],
)
def test_two_managers_racing_on_the_same_request(
    codec: EventCodec, seeds: tuple[int, int], second_sees: type[object]
) -> None:
    store = InterleavingStore()
    publisher, first, second = two_managers(store, codec, seeds)
    first_results, second_results = recording(first), recording(second)
    published = publish_fixed(publisher)

    # The second manager loads the request at v1; the first answers before it appends.
    store.between = first.catch_up
    second.catch_up()

    stream = store.read_stream(published.stream_id)
    assert [e.type for e in stream] == ["IdeaCreationRequested", "IdeaCreationAccepted"]
    assert stream[1].event_id == reaction_event_id(TRIGGER)
    ((first_result, _),) = first_results
    ((second_result, _),) = second_results
    assert isinstance(first_result, CommandOutcome)
    assert isinstance(second_result, second_sees)
    if isinstance(second_result, CommandOutcome):
        assert second_result.events == [stream[1]]  # the stored event, not a second one
    assert store.head_position() == 2


def test_many_threaded_managers_answer_each_request_once(
    store: MemoryEventStore, codec: EventCodec
) -> None:
    publisher = IdeaCommandHandler(store, codec, new_id=counting_ids())
    managers = [
        CreationProcessManager(IdeaCommandHandler(store, codec), seed=s, threaded=True)
        for s in (1, 1, 2)
    ]
    escaped: list[Exception] = []
    for manager in managers:
        manager.on_reaction(
            lambda r, _t: (
                escaped.append(r)
                if isinstance(r, Exception)
                and not isinstance(r, IdeaNotPendingError | DuplicateEventError)
                else None
            )
        )
        manager.start()
    streams = [publisher.publish(f"idea {n}", "d").stream_id for n in range(40)]
    deadline = time.monotonic() + 60
    while any(m.lag() for m in managers) and time.monotonic() < deadline:
        time.sleep(0.01)
    for manager in managers:
        manager.stop()
    assert escaped == []
    for stream_id in streams:
        answers = types(store, stream_id)[1:]
        assert len(answers) == 1 and answers[0] in ("IdeaCreationAccepted", "IdeaCreationRejected")


def test_threaded_with_a_delay_requested_first_then_accepted(
    handler: IdeaCommandHandler, store: MemoryEventStore
) -> None:
    manager = CreationProcessManager(handler, probability=1.0, threaded=True, delay=0.3)
    manager.start()
    try:
        manager.pause()  # "requested, not yet answered" is certain only while it is paused
        published = handler.publish("Dark mode", "Follow the OS.")
        assert types(store, published.stream_id) == ["IdeaCreationRequested"]
        assert handler.load(published.idea_id).state.status == "requested"
        manager.resume()
        deadline = time.monotonic() + 30
        while len(store.read_stream(published.stream_id)) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert types(store, published.stream_id) == [
            "IdeaCreationRequested",
            "IdeaCreationAccepted",
        ]
    finally:
        manager.stop()


def test_a_request_without_correlation_starts_one_the_same_for_every_manager(
    codec: EventCodec,
) -> None:
    # Another program wrote the request with no metadata at all.
    store = InterleavingStore()
    _, first, second = two_managers(store, codec, (ACCEPTING_SEED, ACCEPTING_SEED))
    data = {"idea_id": "ext", "title": "From a script", "description": "No metadata."}
    store.append("idea-ext", [NewEvent("IdeaCreationRequested", data, event_id=TRIGGER)], 0)
    second_results = recording(second)

    store.between = first.catch_up
    second.catch_up()

    ((result, _),) = second_results
    assert isinstance(result, CommandOutcome)  # a no-op retry of the same event, not a clash
    (reaction,) = store.read_stream("idea-ext", 2)
    assert reaction.metadata["correlation_id"] == str(TRIGGER)
    assert reaction.metadata["causation_id"] == str(TRIGGER)


def test_a_malformed_correlation_id_does_not_stall_the_manager(
    handler: IdeaCommandHandler, store: MemoryEventStore
) -> None:
    data = {"idea_id": "ext", "title": "From a script", "description": "Odd metadata."}
    meta = {"correlation_id": "not-a-uuid"}
    store.append("idea-ext", [NewEvent("IdeaCreationRequested", data, metadata=meta)], 0)
    manager = CreationProcessManager(handler, probability=1.0)
    manager.start()
    later = handler.publish("Next", "After the odd one.")
    assert types(store, "idea-ext") == ["IdeaCreationRequested", "IdeaCreationAccepted"]
    assert types(store, later.stream_id) == ["IdeaCreationRequested", "IdeaCreationAccepted"]
    assert manager.lag() == 0
    manager.stop()


def test_an_unreadable_request_does_not_stall_the_manager(
    handler: IdeaCommandHandler, store: MemoryEventStore
) -> None:
    bad = {"idea_id": "bad", "title": "", "description": "An empty title."}
    store.append("idea-bad", [NewEvent("IdeaCreationRequested", bad)], 0)
    manager = CreationProcessManager(handler, probability=1.0)
    results = recording(manager)
    manager.start()
    later = handler.publish("Next", "After the unreadable one.")
    assert types(store, "idea-bad") == ["IdeaCreationRequested"]
    assert types(store, later.stream_id) == ["IdeaCreationRequested", "IdeaCreationAccepted"]
    assert isinstance(results[0][0], VersioningError)  # reported to listeners, not raised
    assert manager.lag() == 0
    manager.stop()
