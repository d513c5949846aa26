"""Fixtures for the ideas domain tests: a real memory store wired the way `bootstrap()` wires
it, a command handler with predictable idea ids, and a way to make ideas in a given state."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from domain.backends.memory.store import MemoryEventStore
from domain.bootstrap import DELETED_TYPES, System, bootstrap
from domain.core.records import SnapshotPolicy
from domain.ideas import IdeaCommandHandler, PlainCodec, idea_registry
from domain.ideas.codec import EventCodec


def counting_ids(prefix: str = "i") -> Callable[[], str]:
    """Idea ids `i001`, `i002`, ... so tests can name ideas before they exist."""
    count = 0

    def next_id() -> str:
        nonlocal count
        count += 1
        return f"{prefix}{count:03d}"

    return next_id


@pytest.fixture
def store() -> Iterator[MemoryEventStore]:
    """An empty memory store: snapshots every 10 events, keep 3, `IdeaDeleted` marks deletion."""
    s = MemoryEventStore(SnapshotPolicy(every=10, keep=3), deleted_types=DELETED_TYPES)
    yield s
    s.close()


@pytest.fixture
def codec() -> EventCodec:
    return PlainCodec(idea_registry())


@pytest.fixture
def handler(store: MemoryEventStore, codec: EventCodec) -> IdeaCommandHandler:
    """A handler whose ideas get the ids i001, i002, ... in publishing order."""
    return IdeaCommandHandler(store, codec, new_id=counting_ids())


IdeaMaker = Callable[[str], str]


@pytest.fixture
def make_idea(handler: IdeaCommandHandler) -> IdeaMaker:
    """`make_idea(status)` publishes an idea and drives it to `status` (requested, accepted,
    rejected, deleted or forgotten); returns its id."""

    def make(status: str = "accepted") -> str:
        idea_id = handler.publish("A title", "A description").idea_id
        if status == "requested":
            return idea_id
        if status == "rejected":
            handler.reject(idea_id, "out of scope")
            return idea_id
        handler.accept(idea_id)
        if status == "deleted":
            handler.delete(idea_id)
        elif status == "forgotten":
            handler.forget(idea_id)
        elif status != "accepted":
            raise ValueError(f"unknown status {status!r}")
        return idea_id

    return make


@pytest.fixture
def demo() -> Iterator[System]:
    """The wired system on a memory store seeded with the demo (seed 7)."""
    system = bootstrap(demo=True, seed=7)
    yield system
    system.close()
