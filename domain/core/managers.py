"""Generic process managers: a `ProcessManagerSpec` run over the global log.

The reaction to a trigger and the ids of the events it appends depend only on the trigger
(and the seed), so two managers in two processes append the same events and the store's
idempotency turns the second into a no-op."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from domain.core.handler import Cause, DomainHandler, Outcome
from domain.core.port import ProcessManagerSpec
from domain.store.consumer import LogConsumer
from domain.store.errors import ConcurrencyError, DuplicateEventError, StreamForgottenError
from domain.store.records import CORRELATION_ID, RecordedEvent
from domain.versioning import VersioningError

log = logging.getLogger(__name__)

ReactionListener = Callable[[Outcome[Any] | Exception, RecordedEvent], None]


def correlation_of(trigger: RecordedEvent) -> uuid.UUID:
    """The trigger's correlation id; a trigger written without one starts its own."""
    correlation = trigger.metadata.get(CORRELATION_ID)
    try:
        return uuid.UUID(correlation) if isinstance(correlation, str) else trigger.event_id
    except ValueError:
        return trigger.event_id


class DomainProcessManager(LogConsumer):
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
        super().__init__(handler.store, threaded=threaded, delay=delay)
        self.handler = handler
        self.spec = spec
        self.seed = seed
        self._checkpoint = 0
        self._listeners: list[ReactionListener] = []
        self.reactions = 0

    @property
    def checkpoint(self) -> int:
        return self._checkpoint

    def rewind(self) -> int:
        """Process the whole log again from position 0; returns how many events were read.
        Safe: a reaction's events have ids derived from its trigger's, so the store keeps
        those already appended once."""
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
        for trigger in pending.values():
            self._react(trigger)
        self._checkpoint = events[-1].position

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
            (self.spec.reaction_event_id(trigger.event_id),),
        )
        result = self._issue(command, cause)
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
            (self.spec.refusal_event_id(trigger.event_id),),
        )
        self._tell(self._issue(command, cause), trigger)

    def _issue(self, command: BaseModel, cause: Cause) -> Outcome[Any] | Exception:
        final: tuple[type[Exception], ...] = (
            *self.handler.domain.errors,
            DuplicateEventError,
            StreamForgottenError,
            VersioningError,
        )
        result: Outcome[Any] | Exception = RuntimeError("no attempt made")
        for _attempt in range(max(self.spec.retries, 1)):
            try:
                result = self.handler.execute(command, cause=cause)
                self.reactions += 1
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
