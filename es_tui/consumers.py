"""Every consumer of the store's log in one list: read models and process managers running
here, and the tracking records a library database keeps. Each consumer's position comes
from a `PositionSource`, so a durable record of positions can stand in for a checkpoint
kept in memory without changing the view."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from domain.backends.eventsourcing.store import EventsourcingStore
from domain.core.consumer import LogConsumer

if TYPE_CHECKING:
    from domain.bootstrap import System

Kind = Literal["read model", "process manager", "tracking record"]
PositionSource = Callable[[], int]
"""Where a consumer's position is read from (today its checkpoint; a durable record of
positions can be given instead, by consumer name)."""

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

    @property
    def lag(self) -> int | None:
        """Events of the log it follows not processed yet."""
        return None if self.head is None else max(self.head - self.position, 0)


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
        found.append(Running("idea creation", PROCESS_MANAGER, manager, manager.rewind))
    for name, view in system.views.items():
        found.append(Running(name, READ_MODEL, view, view.rebuild))
    for each in system.managers:
        found.append(Running(each.spec.name, PROCESS_MANAGER, each, each.rewind))
    return found


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
        position = source() if source is not None else entry.consumer.checkpoint
        rows.append(
            ConsumerRow(entry.name, entry.kind, position, head, state_of(entry.consumer), True)
        )
    store = system.store
    if isinstance(store, EventsourcingStore):
        for tracked in store.consumers():
            name = f"{tracked.name} ← {tracked.follows}"
            position = tracked.position
            followed = None if tracked.lag is None else position + tracked.lag
            rows.append(ConsumerRow(name, TRACKING, position, followed, "recorded", False))
    return rows


def reset(system: System, name: str) -> int:
    """Start the named consumer again from position 0 and let it catch up (a read model is
    rebuilt from zero; a process manager processes the log again, which appends nothing it
    appended before). Returns how many events it read."""
    for entry in running_consumers(system):
        if entry.name == name:
            return entry.restart()
    raise ConsumerNotFoundError(name)
