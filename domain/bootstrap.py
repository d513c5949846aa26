"""One place that wires the system: store, codec, command handler, process manager and the
read model. The explorer, the CLI and the tests all start from `bootstrap()`."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from domain.ideas.codec import EventCodec, IdeaFold, PlainCodec, idea_registry
from domain.ideas.demo import DemoSummary, seed_demo
from domain.ideas.handler import IdeaCommandHandler, new_idea_id
from domain.ideas.process_manager import CreationProcessManager
from domain.ideas.projection import IdeaView
from domain.store import open_store
from domain.store.protocol import CommitListener, EventStore, Subscription
from domain.store.records import SnapshotPolicy
from domain.versioning import EventRegistry

DELETED_TYPES = frozenset({"IdeaDeleted"})
TOMBSTONE_TYPES = frozenset({"IdeaForgotten"})


@dataclass
class System:
    """Everything a front end needs, wired together."""

    store: EventStore
    registry: EventRegistry
    codec: EventCodec
    fold: IdeaFold
    ideas: IdeaCommandHandler
    view: IdeaView
    process_manager: CreationProcessManager
    demo: DemoSummary | None = None
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def subscribe(self, listener: CommitListener) -> Subscription:
        """Deliver every later commit to `listener` (possibly from another thread)."""
        return self.store.subscribe(listener)

    def close(self) -> None:
        """Stop the consumers and close the store."""
        self.process_manager.stop()
        self.view.stop()
        for closer in reversed(self._closers):
            closer()
        self.store.close()


def bootstrap(
    store_url: str = "memory:",
    *,
    store: EventStore | None = None,
    snapshot_policy: SnapshotPolicy | None = None,
    demo: bool = False,
    seed: int = 7,
    accept_probability: float = 0.9,
    pm_delay: float = 0.0,
    threaded: bool = False,
    start: bool = True,
) -> System:
    """Open (or take) a store and wire the ideas system on it.

    `demo` seeds the deterministic demo data into an empty store. `threaded` runs the process
    manager and the projection on background threads (as the explorer does); `pm_delay`
    seconds pass between a creation request and the manager's reaction.
    """
    if store is None:
        store = open_store(store_url, snapshot_policy=snapshot_policy, deleted_types=DELETED_TYPES)
    registry = idea_registry()
    codec = PlainCodec(registry)
    seeding = demo and store.head_position() == 0
    # Seeded ids only for a store seeded now (so a fresh demo is reproducible, later ideas
    # included); on a reopened demo store they would replay the demo's ids and collide.
    id_rng = random.Random(seed)
    new_id = (lambda: f"{id_rng.getrandbits(24):06x}") if seeding else new_idea_id
    handler = IdeaCommandHandler(store, codec, new_id=new_id)
    summary = seed_demo(handler, seed) if seeding else None
    view = IdeaView(store, codec, threaded=threaded)
    manager = CreationProcessManager(
        handler, probability=accept_probability, seed=seed, threaded=threaded, delay=pm_delay
    )
    system = System(store, registry, codec, handler.fold, handler, view, manager, summary)
    if start:
        view.start()
        manager.start()
    return system
