"""Correlations and causations: which events one command set off, across streams.

Every event carries in its metadata the command that wrote it, a correlation id (shared by
everything one user command set off) and, for a reaction, a causation id (the event it
reacted to). `CorrelationIndex` finds a correlation's events without scanning the log each
time: the log is append-only, so it reads only what was committed since its last look.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from domain.core.protocol import EventStore
from domain.core.records import CAUSATION_ID, COMMAND, CORRELATION_ID, RecordedEvent

BATCH = 2000
"""Events read from the log per step of an index update."""

Progress = Callable[[int, int], object]
"""Called with (positions indexed, head position) while an index catches up."""


class CorrelationIndex:
    """Positions of the events of each correlation, built incrementally from the log.

    Safe to share between threads: updates and lookups take a lock.
    """

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.indexed = 0
        """The last position read into the index."""
        self._positions: dict[str, int | list[int]] = {}
        """Each correlation's position, or positions when it has several: most commands
        make one event, and a list for each would cost more than the index's entry."""
        self._lock = threading.Lock()

    def update(self, progress: Progress | None = None) -> int:
        """Read what was committed since the last update; return the head position reached."""
        with self._lock:
            head = self.store.head_position()
            positions = self._positions
            while self.indexed < head:
                batch = self.store.read_all(self.indexed + 1, BATCH)
                if not batch:
                    break
                for record in batch:
                    correlation = record.metadata.get(CORRELATION_ID)
                    if not isinstance(correlation, str):
                        continue
                    found = positions.get(correlation)
                    if found is None:
                        positions[correlation] = record.position
                    elif isinstance(found, int):
                        positions[correlation] = [found, record.position]
                    else:
                        found.append(record.position)
                self.indexed = batch[-1].position
                if progress is not None:
                    progress(self.indexed, head)
            return self.indexed

    def events_of(self, correlation_id: str) -> list[RecordedEvent]:
        """The events of `correlation_id` still stored, in log order (call `update` first)."""
        with self._lock:
            kept = self._positions.get(correlation_id, [])
            positions = [kept] if isinstance(kept, int) else list(kept)
        found: list[RecordedEvent] = []
        for position in positions:
            # Forgotten streams leave holes: read_all skips them, so check the position.
            for record in self.store.read_all(position, 1):
                if record.position == position:
                    found.append(record)
        return found


def correlation_of(record: RecordedEvent) -> str | None:
    """The correlation id of `record`, or None when it was written without one."""
    value = record.metadata.get(CORRELATION_ID)
    return value if isinstance(value, str) else None


def causation_of(record: RecordedEvent) -> str | None:
    """The id of the event `record` reacted to, or None for a user command's event."""
    value = record.metadata.get(CAUSATION_ID)
    return value if isinstance(value, str) else None


def command_of(record: RecordedEvent) -> str:
    """The name of the command that wrote `record` ("?" when not recorded)."""
    value = record.metadata.get(COMMAND)
    return value if isinstance(value, str) else "?"


@dataclass
class CommandNode:
    """One command of a correlation and the events it wrote (each with its reactions)."""

    command: str
    cause: RecordedEvent | None
    """The event the command reacted to (None: a command from a user or a script)."""
    events: list[EventNode] = field(default_factory=list)


@dataclass
class EventNode:
    """One event and the commands that reacted to it."""

    record: RecordedEvent
    reactions: list[CommandNode] = field(default_factory=list)


def causation_tree(events: list[RecordedEvent]) -> list[CommandNode]:
    """The commands of one correlation, roots first, each with the events it wrote and the
    reactions to them. An event whose cause is not among `events` (erased, say) starts a
    root of its own."""
    nodes = {str(record.event_id): EventNode(record) for record in events}
    roots: list[CommandNode] = []
    # Consecutive events of one command reacting to one cause form one command node.
    open_commands: dict[tuple[str | None, str], CommandNode] = {}
    for record in sorted(events, key=lambda r: r.position):
        cause_id = causation_of(record)
        parent = nodes.get(cause_id) if cause_id else None
        key = (cause_id if parent else None, command_of(record))
        command = open_commands.get(key)
        if command is None or (
            command.events and command.events[-1].record.stream_id != record.stream_id
        ):
            command = CommandNode(key[1], parent.record if parent else None)
            open_commands[key] = command
            (parent.reactions if parent else roots).append(command)
        command.events.append(nodes[str(record.event_id)])
    return roots


def walk(roots: list[CommandNode]) -> list[RecordedEvent]:
    """Every event of a tree, depth first (the order the tree shows them)."""
    out: list[RecordedEvent] = []

    def visit(command: CommandNode) -> None:
        for node in command.events:
            out.append(node.record)
            for reaction in node.reactions:
                visit(reaction)

    for root in roots:
        visit(root)
    return out
