"""Durable positions for consumers that write: a `TrackedConsumer` records, in the same
transaction as each reaction, the position of the event it reacted to (the store's tracking
record, `append_many(..., tracking=...)`), and starts from that position after a restart.

So a reaction is written exactly once whatever the reaction's event ids: a crash before the
commit leaves neither the reaction nor the position (the trigger is handled again), a crash
after it leaves both (the trigger is not). Two consumers of the same name racing: the second
one's write is refused (TrackingConflictError) and it moves on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from domain.core.consumer import LogConsumer
from domain.core.errors import EventStoreError, TrackingConflictError
from domain.core.protocol import EventStore
from domain.core.records import ExpectedVersion, NewEvent, RecordedEvent

log = logging.getLogger(__name__)


class TrackingWriter:
    """An event store whose `append` also records `(name, position)` for the reaction under
    way (`position` set by the consumer before each reaction); everything else is the store's.
    Handed to a command handler so its writes carry the consumer's tracking."""

    def __init__(self, store: EventStore, name: str) -> None:
        self._store = store
        self.name = name
        self.position = 0

    def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: ExpectedVersion
    ) -> list[RecordedEvent]:
        """Append to one stream, recording the tracking position in the same transaction."""
        return self._store.append_many(
            [(stream_id, events, expected_version)], tracking=(self.name, self.position)
        )

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._store, attribute)


class TrackedConsumer(LogConsumer):
    """A log consumer whose position the store keeps under `tracking_name`.

    It starts from the store's tracking position (no re-reading of the log after a restart),
    records it with each reaction (`writer` stands for the store in the reaction's writes) and,
    when it wrote nothing for a while, every `save_every` positions and when stopped."""

    save_every = 1000

    def __init__(
        self, store: EventStore, tracking_name: str, *, threaded: bool = False, delay: float = 0.0
    ) -> None:
        super().__init__(store, threaded=threaded, delay=delay)
        self.tracking_name = tracking_name
        self.writer = TrackingWriter(store, tracking_name)
        self._checkpoint = 0
        self._saved = 0
        self._loaded = False

    @property
    def checkpoint(self) -> int:
        return self._checkpoint

    def catch_up(self, max_events: int | None = None) -> int:
        with self._lock:
            self._load()
            return super().catch_up(max_events)

    def start(self) -> None:
        with self._lock:
            self._load()  # before any lag is shown: the lag counts from the saved position
        super().start()

    def _load(self) -> None:
        if not self._loaded:
            self._saved = self.store.tracking_position(self.tracking_name)
            self._checkpoint = max(self._checkpoint, self._saved)
            self._loaded = True

    def reacting_to(self, trigger: RecordedEvent) -> None:
        """Before a reaction: its writes record `trigger`'s position."""
        self.writer.position = trigger.position

    def reacted(self, trigger: RecordedEvent) -> None:
        """After a reaction that wrote (its tracking went with it)."""
        self._saved = max(self._saved, trigger.position)

    def advance(self, position: int) -> None:
        """The page up to `position` is handled: move the checkpoint, and save it now and
        then (a consumer that wrote nothing would otherwise re-read it after a restart)."""
        self._checkpoint = position
        if position - self._saved >= self.save_every:
            self.save_position()

    def save_position(self) -> None:
        """Record the checkpoint as this consumer's tracking position, if it moved; another
        consumer of the same name ahead of it is fine (it handled those events)."""
        position = self._checkpoint
        if position <= self._saved:
            return
        try:
            self.store.save_tracking(self.tracking_name, position)
            self._saved = position
        except TrackingConflictError as exc:
            self._saved = max(self._saved, exc.stored)
        except EventStoreError:  # a read-only store: only a restart costs more
            log.debug("cannot save the position of %s", self.tracking_name, exc_info=True)

    def stop(self) -> None:
        super().stop()
        with self._lock:
            if self._loaded:
                self.save_position()
