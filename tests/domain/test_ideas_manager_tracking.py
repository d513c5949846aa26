"""The ideas creation manager's durable position: two managers racing with random reaction
ids answer each request once (one records the position, the other is refused and moves on);
a new manager starts from the recorded position."""

from __future__ import annotations

import uuid
from collections import Counter

from domain.backends.memory.store import MemoryEventStore
from domain.core.errors import TrackingConflictError
from domain.core.records import RecordedEvent
from domain.ideas import IdeaCommandHandler, IdeaNotPendingError
from domain.ideas.process_manager import TRACKING_NAME, CreationProcessManager

DECISIONS = frozenset({"IdeaCreationAccepted", "IdeaCreationRejected"})


class RandomIdsManager(CreationProcessManager):
    """The manager with random reaction ids (a test switch, not product behaviour)."""

    def reaction_ids(self, trigger: RecordedEvent) -> tuple[uuid.UUID, ...]:
        return (uuid.uuid4(),)


def test_racing_managers_answer_each_request_once(
    store: MemoryEventStore, handler: IdeaCommandHandler
) -> None:
    ideas = [handler.publish("t", f"d{n}").idea_id for n in range(20)]
    managers = [RandomIdsManager(handler, probability=0.5, seed=s) for s in (1, 2)]
    refused: list[Exception] = []
    for manager in managers:
        manager.on_reaction(
            lambda result, _: refused.append(result) if isinstance(result, Exception) else None
        )
        manager.page_size = 3
    # interleaved page by page: each meets requests the other answered
    while sum([m.catch_up(max_events=3) for m in managers]):
        pass
    decided = Counter(e.stream_id for e in store.read_all(types=DECISIONS))
    assert decided == Counter({f"idea-{i}": 1 for i in ideas})
    assert refused  # the second manager met answered requests...
    # ...and was refused as "answered already": by the idea's state or by the tracking
    assert all(isinstance(e, TrackingConflictError | IdeaNotPendingError) for e in refused)


def test_a_new_manager_starts_from_the_recorded_position(
    store: MemoryEventStore, handler: IdeaCommandHandler
) -> None:
    for n in range(5):
        handler.publish("t", f"d{n}")
    first = CreationProcessManager(handler)
    first.catch_up()
    last_request = store.read_all(types=["IdeaCreationRequested"])[-1]
    assert store.tracking_position(TRACKING_NAME) == last_request.position
    second = CreationProcessManager(handler)
    read = second.catch_up()
    assert read == store.head_position() - last_request.position
    assert second.reactions == 0
