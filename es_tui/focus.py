"""What the panes around the timeline show for the highlighted event — its payload as read,
the state it produced, its stream's snapshots — computed together in one worker, so the three
panes change in one repaint."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from domain.core.records import RecordedEvent, Snapshot
from es_tui.domain_front import command_handler
from es_tui.raw import is_raw, payload_as_stored, raw_state
from es_tui.sources import LogRow
from es_tui.widgets.state_pane import StateView, compute_state

if TYPE_CHECKING:
    from domain.bootstrap import System


@dataclass(frozen=True, slots=True)
class Inspection:
    """Everything shown about one timeline row."""

    row: LogRow | None
    read: Any = None
    """The payload as read (a JSON object), or the error that prevented reading it."""
    read_version: int | None = None
    state: StateView | Exception | None = None
    snapshots: tuple[Snapshot, ...] | None = None
    """The kept snapshots of the row's stream (None: the row is not an event)."""
    head: int = 0
    """The stream's version when this was computed."""

    @property
    def record(self) -> RecordedEvent | None:
        return self.row if isinstance(self.row, RecordedEvent) else None


def read_payload(system: System, record: RecordedEvent) -> tuple[Any, int | None]:
    """The payload as the newest schema reads it, and that schema version; an unreadable
    payload (shredded, unknown type) gives the error instead of a payload."""
    read_version: int | None = None
    if is_raw(system):  # nothing knows the types: the payload as stored is the payload
        return payload_as_stored(record), None
    try:
        read_version = system.registry.latest_version(record.type)
        # The ideas codec, else the running domain's (raw mode: none, the error is shown).
        codec: Any = system.codec if system.codec is not None else command_handler(system).codec
        read: Any = codec.decode(record).model_dump(mode="json")
    except Exception as error:  # a shredded or unknown payload: say so, never crash
        read = error
    return read, read_version


def inspect(
    system: System, row: LogRow | None, before: Inspection | None = None, imported: bool = False
) -> Inspection | None:
    """The inspection of `row`; None when `before` (of the same row) is still what the store
    says, so nothing needs repainting. `imported`: in raw mode, a library store's application
    modules were imported, so its aggregates can be rebuilt by the library."""
    if not isinstance(row, RecordedEvent):
        return Inspection(row)
    store = system.store
    info = store.stream_info(row.stream_id)
    head = info.version if info else row.version
    snapshots = tuple(store.snapshots(row.stream_id))
    if (
        before is not None
        and before.row is row
        and before.head == head
        and before.snapshots == snapshots
    ):
        return None
    read, read_version = read_payload(system, row)
    try:
        state: StateView | Exception = (
            raw_state(system, row, imported) if is_raw(system) else compute_state(system, row)
        )
    except Exception as error:  # e.g. a stream that is not an idea, or a shredded payload
        state = error
    return Inspection(row, read, read_version, state, snapshots, head)


class Requests:
    """The latest inspection asked for, handed to one long-lived worker thread: a burst of
    cursor moves costs one inspection, and no thread is started per key."""

    def __init__(self) -> None:
        self._ready = threading.Condition()
        self._latest: tuple[LogRow | None, Inspection | None] | None = None
        self._working = False

    @property
    def idle(self) -> bool:
        """Nothing asked for is waiting or being computed."""
        with self._ready:
            return self._latest is None and not self._working

    def ask(self, row: LogRow | None, before: Inspection | None) -> None:
        with self._ready:
            self._latest = (row, before)
            self._ready.notify()

    def take(self, timeout: float) -> tuple[LogRow | None, Inspection | None] | None:
        """The latest request (forgetting older ones), or None after `timeout` seconds."""
        with self._ready:
            if self._latest is None:
                self._ready.wait(timeout)
            latest, self._latest = self._latest, None
            self._working = latest is not None
            return latest

    def done(self) -> None:
        """The request taken last has been answered."""
        with self._ready:
            self._working = False
