"""Every consumer of the store's log in one list: read models and process managers running
here, and the tracking records a library database keeps.

A process manager's position is the one the store keeps for it (its tracking record: where a
restart resumes), with where it is in this process beside it when that differs; a read model's
is its checkpoint. A `PositionSource` given by name overrides either."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from domain.backends.eventsourcing.store import EventsourcingStore
from domain.core.consumer import LogConsumer
from domain.core.tracking import TrackedConsumer

if TYPE_CHECKING:
    from domain.bootstrap import System

Kind = Literal["read model", "process manager", "tracking record"]
PositionSource = Callable[[], int]
"""Where a consumer's position is read from, when not from its own record."""

READ_MODEL: Final = "read model"
PROCESS_MANAGER: Final = "process manager"
TRACKING: Final = "tracking record"


class ConsumerNotFoundError(LookupError):
    """No consumer of that name runs here (or it cannot be reset)."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no read model or process manager named {name!r} runs here")


@dataclass(frozen=True, slots=True)
class ConsumerRow:
    """One consumer as listed."""

    name: str
    kind: Kind
    position: int
    """The position of the last event it processed."""
    head: int | None
    """The head of the log it follows (None: that log is not at hand)."""
    state: str
    """running, paused, stopped, or recorded (a library's tracking record)."""
    resettable: bool
    kept: str = "checkpoint"
    """Where the position comes from: "checkpoint", "saved" (the store's tracking record),
    "saved · live N" (this process is further on), "replaying · saved N" (a reset under way:
    the live position, counting up to the saved one), "not saved yet" (live), "recorded"."""
    processed: int | None = None
    """How far it has processed in this process, when that is further than `position` (a
    manager saves its position when it reacts, and only now and then otherwise)."""

    @property
    def lag(self) -> int | None:
        """Events of the log it follows not processed yet (counted from how far it has
        processed, so an idle manager whose saved position trails is not shown behind)."""
        if self.head is None:
            return None
        done = self.position if self.processed is None else max(self.position, self.processed)
        return max(self.head - done, 0)


@dataclass(frozen=True, slots=True)
class Running:
    """A consumer running in this process."""

    name: str
    kind: Kind
    consumer: LogConsumer
    restart: Callable[[], int]
    """Start it again from position 0 and catch up (a read model rebuilds)."""


def running_consumers(system: System) -> list[Running]:
    """The read models and process managers of `system`, each once."""
    found: list[Running] = []
    if system.view is not None:
        found.append(Running("ideas", READ_MODEL, system.view, system.view.rebuild))
    if (manager := system.process_manager) is not None:
        found.append(
            Running("idea creation", PROCESS_MANAGER, manager, _rewinder(manager, manager.rewind))
        )
    for name, view in system.views.items():
        found.append(Running(name, READ_MODEL, view, view.rebuild))
    for each in system.managers:
        found.append(Running(each.spec.name, PROCESS_MANAGER, each, _rewinder(each, each.rewind)))
    return found


def _rewinder(manager: TrackedConsumer, rewind: Callable[[], int]) -> Callable[[], int]:
    """Process the log again from 0 (`rewind`), then save the position reached: the store's
    record never moves back, so a reset is watched on the live position until it passes it."""

    def restart() -> int:
        read = rewind()
        manager.save_position()
        return read

    return restart


def tracked_position(store_position: int, consumer: TrackedConsumer) -> tuple[int, str, int | None]:
    """The position to list for a process manager, where it comes from, and how far it has
    processed here when that is further on."""
    live = consumer.checkpoint
    if store_position == 0:
        return live, "not saved yet", None
    if consumer.running and live < store_position:
        return live, f"replaying · saved {store_position}", None
    if live > store_position:
        return store_position, f"saved · live {live}", live
    return store_position, "saved", None


def state_of(consumer: LogConsumer) -> str:
    if not consumer.running:
        return "stopped"
    return "paused" if consumer.paused else "running"


def consumer_rows(
    system: System, positions: Mapping[str, PositionSource] | None = None
) -> list[ConsumerRow]:
    """Every consumer with its position, the head it follows and whether it runs.
    `positions` overrides where a consumer's position is read from, by name."""
    given = positions or {}
    head = system.store.head_position()
    rows: list[ConsumerRow] = []
    for entry in running_consumers(system):
        source = given.get(entry.name)
        consumer = entry.consumer
        processed: int | None = None
        if source is not None:
            position, kept = source(), "given"
        elif isinstance(consumer, TrackedConsumer):
            saved = system.store.tracking_position(consumer.tracking_name)
            position, kept, processed = tracked_position(saved, consumer)
        else:
            position, kept = consumer.checkpoint, "checkpoint"
        rows.append(
            ConsumerRow(
                entry.name, entry.kind, position, head, state_of(consumer), True, kept, processed
            )
        )
    store = system.store
    if isinstance(store, EventsourcingStore):
        for tracked in store.consumers():
            name = f"{tracked.name} ← {tracked.follows}"
            position = tracked.position
            followed = None if tracked.lag is None else position + tracked.lag
            rows.append(
                ConsumerRow(name, TRACKING, position, followed, "recorded", False, "recorded")
            )
    return rows


def reset(system: System, name: str) -> int:
    """Start the named consumer again from position 0 and let it catch up (a read model is
    rebuilt from zero; a process manager processes the log again, which appends nothing it
    appended before). Returns how many events it read."""
    for entry in running_consumers(system):
        if entry.name == name:
            return entry.restart()
    raise ConsumerNotFoundError(name)
