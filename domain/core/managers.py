"""Generic process managers: a `ProcessManagerSpec` run over the global log.

The reaction to a trigger and the ids of the events it appends depend only on the trigger
(and the seed), so two managers in two processes append the same events and the store's
idempotency turns the second into a no-op. A manager's position is the store's tracking
record `<domain>.<manager>`, written with each reaction (see `domain.core.tracking`), so it
starts where it left off and answers each trigger once."""

from __future__ import annotations

import copy
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any, cast

from pydantic import BaseModel

from domain.core.errors import (
    ConcurrencyError,
    DuplicateEventError,
    StreamForgottenError,
    TrackingConflictError,
)
from domain.core.handler import Cause, DomainHandler, Outcome
from domain.core.port import ProcessManagerSpec
from domain.core.protocol import EventStore
from domain.core.records import CORRELATION_ID, RecordedEvent
from domain.core.tracking import TrackedConsumer
from domain.core.versioning import VersioningError

log = logging.getLogger(__name__)

ReactionListener = Callable[[Outcome[Any] | Exception, RecordedEvent], None]


def correlation_of(trigger: RecordedEvent) -> uuid.UUID:
    """The trigger's correlation id; a trigger written without one starts its own."""
    correlation = trigger.metadata.get(CORRELATION_ID)
    try:
        return uuid.UUID(correlation) if isinstance(correlation, str) else trigger.event_id
    except ValueError:
        return trigger.event_id


class DomainProcessManager(TrackedConsumer):
    """Runs one process manager of a domain against its handler's store."""

    def __init__(
        self,
        handler: DomainHandler[Any],
        spec: ProcessManagerSpec,
        *,
        seed: int = 0,
        threaded: bool = False,
        delay: float = 0.0,
    ) -> None:
        name = f"{handler.domain.name}.{spec.name}"
        super().__init__(handler.store, name, threaded=threaded, delay=delay)
        self.handler = handler
        # The same handler, writing through the store with this manager's tracking.
        self._tracked = copy.copy(handler)
        self._tracked.store = cast(EventStore, self.writer)
        self.spec = spec
        self.seed = seed
        self._listeners: list[ReactionListener] = []
        self.reactions = 0

    def rewind(self) -> int:
        """Process the whole log again from position 0; returns how many events were read.
        Safe: a reaction's events have ids derived from its trigger's, so the store keeps
        those already appended once, and its tracking position never moves back."""
        with self._lock:
            self._checkpoint = 0
            return self.catch_up()

    def on_reaction(self, listener: ReactionListener) -> None:
        """Call `listener(outcome_or_error, trigger)` after each reaction."""
        self._listeners.append(listener)

    def handle(self, events: Sequence[RecordedEvent]) -> None:
        # A trigger answered later in the same page needs no reaction.
        pending: dict[str, RecordedEvent] = {}
        domain = self.handler.domain
        for record in events:
            if domain.aggregate_id(record.stream_id) is None:
                continue
            if record.type in self.spec.reacts_to:
                key = str(record.event_id) if self.spec.every_trigger else record.stream_id
                pending[key] = record
            elif record.type in self.spec.closes:
                pending.pop(record.stream_id, None)
        # In log order: each reaction records its trigger's position as the manager's own.
        for trigger in sorted(pending.values(), key=lambda r: r.position):
            self.reacting_to(trigger)
            self._react(trigger)
        self.advance(events[-1].position)

    def reaction_ids(self, trigger: RecordedEvent) -> tuple[uuid.UUID, ...]:
        """The ids of the events the reaction to `trigger` appends."""
        return (self.spec.reaction_event_id(trigger.event_id),)

    def refusal_ids(self, trigger: RecordedEvent) -> tuple[uuid.UUID, ...]:
        """The ids of the events appended when the reaction to `trigger` is refused."""
        return (self.spec.refusal_event_id(trigger.event_id),)

    def _react(self, trigger: RecordedEvent) -> None:
        try:
            event = self.handler.codec.decode(trigger)
            command = self.spec.react(event, trigger, self.seed)
        except (VersioningError, ValueError, TypeError) as exc:  # an unreadable trigger
            self._tell(exc, trigger)
            return
        if command is None:
            return
        cause = Cause(
            correlation_of(trigger),
            trigger.event_id,
            self.reaction_ids(trigger),
        )
        result = self._issue(command, cause, trigger)
        self._tell(result, trigger)
        if isinstance(result, Exception) and self._refused(result):
            self._after_refusal(event, trigger, result)

    def _refused(self, error: Exception) -> bool:
        """Whether a domain rule (not a duplicate or a conflict) refused the reaction."""
        return isinstance(error, (*self.handler.domain.errors, StreamForgottenError))

    def _after_refusal(self, event: object, trigger: RecordedEvent, error: Exception) -> None:
        if self.spec.on_refused is None:
            return
        command = self.spec.on_refused(event, trigger, error)
        if command is None:
            return
        cause = Cause(
            correlation_of(trigger),
            trigger.event_id,
            self.refusal_ids(trigger),
        )
        self._tell(self._issue(command, cause, trigger), trigger)

    def _issue(
        self, command: BaseModel, cause: Cause, trigger: RecordedEvent
    ) -> Outcome[Any] | Exception:
        final: tuple[type[Exception], ...] = (
            *self.handler.domain.errors,
            DuplicateEventError,
            StreamForgottenError,
            TrackingConflictError,
            VersioningError,
        )
        result: Outcome[Any] | Exception = RuntimeError("no attempt made")
        for _attempt in range(max(self.spec.retries, 1)):
            try:
                result = self._tracked.execute(command, cause=cause)
                self.reactions += 1
                self.reacted(trigger)
                return result
            except ConcurrencyError as exc:  # the aggregate moved: reload and retry
                result = exc
            except final as exc:  # answered already (maybe by another manager), or gone
                return exc
        return result

    def _tell(self, result: Outcome[Any] | Exception, trigger: RecordedEvent) -> None:
        for listener in self._listeners:
            try:
                listener(result, trigger)
            except Exception:
                log.exception("reaction listener failed")
