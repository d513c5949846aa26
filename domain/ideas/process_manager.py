"""The process manager: reacts to each `IdeaCreationRequested` by accepting the idea (with
probability p) or rejecting it with a reason.

Its decision and the id of the event it emits are derived from the triggering event id (and
the seed), so two managers — in two processes — reacting to the same request produce the same
event: the store's idempotency turns the second into a no-op. Its position is the store's
tracking record `ideas.creation`, written with each decision (see `domain.core.tracking`):
after a crash it starts where it left off, and no request is answered twice.
"""

from __future__ import annotations

import copy
import logging
import random
import uuid
from collections.abc import Callable, Sequence
from typing import Final, cast

from domain.core.errors import ConcurrencyError, DuplicateEventError, TrackingConflictError
from domain.core.handler import Cause
from domain.core.protocol import EventStore
from domain.core.records import CORRELATION_ID, RecordedEvent
from domain.core.tracking import TrackedConsumer
from domain.core.versioning import VersioningError
from domain.ideas.codec import idea_id_of
from domain.ideas.errors import IdeaError
from domain.ideas.handler import CommandOutcome, IdeaCommandHandler

log = logging.getLogger(__name__)

TRACKING_NAME: Final = "ideas.creation"
"""The manager's tracking record in the store."""

REACTION_NAMESPACE = uuid.UUID("5b8f2c3e-7a41-4d0e-9c1f-2e6b8d9a0f11")

REJECTION_REASONS = (
    "duplicate of an existing idea",
    "out of scope for this board",
    "needs a clearer description",
    "flagged by the moderation queue",
)

_CLOSING = frozenset({"IdeaCreationAccepted", "IdeaCreationRejected", "IdeaForgotten"})

ReactionListener = Callable[[CommandOutcome | Exception, RecordedEvent], None]


def reaction_event_id(trigger_id: uuid.UUID) -> uuid.UUID:
    """The id of the one event any manager emits in reaction to `trigger_id`."""
    return uuid.uuid5(REACTION_NAMESPACE, f"{trigger_id}:creation-decision")


def _correlation_of(trigger: RecordedEvent) -> uuid.UUID:
    """The request's correlation id; a request written without one starts its own (its event
    id), so every manager's reaction carries the same metadata and a second is a no-op."""
    correlation = trigger.metadata.get(CORRELATION_ID)
    try:
        return uuid.UUID(correlation) if isinstance(correlation, str) else trigger.event_id
    except ValueError:
        return trigger.event_id


class CreationProcessManager(TrackedConsumer):
    """Accepts or rejects idea creation requests, each exactly once."""

    def __init__(
        self,
        handler: IdeaCommandHandler,
        *,
        probability: float = 0.9,
        seed: int = 0,
        threaded: bool = False,
        delay: float = 0.0,
    ) -> None:
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"acceptance probability must be within 0..1, got {probability}")
        super().__init__(handler.store, TRACKING_NAME, threaded=threaded, delay=delay)
        self.handler = handler
        # The same handler, writing through the store with this manager's tracking.
        self._tracked = copy.copy(handler)
        self._tracked.store = cast(EventStore, self.writer)
        self.probability = probability
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

    def decide(self, trigger_id: uuid.UUID) -> str | None:
        """None to accept, else a rejection reason — the same for every manager with this
        seed."""
        rng = random.Random(f"{self.seed}:{trigger_id}")
        if rng.random() < self.probability:
            return None
        return rng.choice(REJECTION_REASONS)

    def handle(self, events: Sequence[RecordedEvent]) -> None:
        # Requests answered later in the same page need no reaction (this is what makes a
        # catch-up over a long log cheap).
        pending: dict[str, RecordedEvent] = {}
        for record in events:
            if record.type == "IdeaCreationRequested":
                pending[record.stream_id] = record
            elif record.type in _CLOSING:
                pending.pop(record.stream_id, None)
        # In log order: each decision records its request's position as the manager's own.
        for trigger in sorted(pending.values(), key=lambda r: r.position):
            self._react(trigger)
        self.advance(events[-1].position)

    def reaction_ids(self, trigger: RecordedEvent) -> tuple[uuid.UUID, ...]:
        """The ids of the events a decision on `trigger` appends."""
        return (reaction_event_id(trigger.event_id),)

    def _react(self, trigger: RecordedEvent) -> None:
        idea_id = idea_id_of(trigger.stream_id)
        if idea_id is None:
            return
        cause = Cause(
            correlation_id=_correlation_of(trigger),
            causation_id=trigger.event_id,
            event_ids=self.reaction_ids(trigger),
        )
        self.reacting_to(trigger)
        reason = self.decide(trigger.event_id)
        result: CommandOutcome | Exception
        for _attempt in range(3):
            try:
                if reason is None:
                    result = self._tracked.accept(idea_id, cause=cause)
                else:
                    result = self._tracked.reject(idea_id, reason, cause=cause)
                self.reactions += 1
                self.reacted(trigger)
                break
            except ConcurrencyError as exc:  # the idea moved under us: reload and retry
                result = exc
                continue
            except (IdeaError, DuplicateEventError, TrackingConflictError) as exc:
                # Already answered (maybe by another manager), deleted or forgotten.
                result = exc
                break
            except VersioningError as exc:
                # The idea's stream cannot be read; retrying later would fail the same way,
                # so report it and go on rather than stall on this request forever.
                result = exc
                break
        for listener in self._listeners:
            try:
                listener(result, trigger)
            except Exception:
                log.exception("reaction listener failed")
