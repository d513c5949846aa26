"""The write side: load (snapshot + tail) → decide (pure) → append at the loaded version."""

from __future__ import annotations

import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import ValidationError

from domain.core.aggregate import LATEST, Loaded, load, snapshot_of, take_snapshot
from domain.core.errors import ConcurrencyError, EventStoreError, StreamForgottenError
from domain.core.handler import Cause, Outcome
from domain.core.ids import new_uuid, new_uuid_text
from domain.core.protocol import EventStore
from domain.core.records import (
    CAUSATION_ID,
    COMMAND,
    CORRELATION_ID,
    NO_STREAM,
    ExpectedVersion,
    JsonObject,
    NewEvent,
    RecordedEvent,
    Snapshot,
    slot_builder,
)
from domain.ideas.codec import EventCodec, IdeaFold, stream_id_of
from domain.ideas.commands import (
    AcceptIdeaCreation,
    Command,
    DeleteIdea,
    EditIdea,
    ForgetIdea,
    IdeaCommand,
    PublishIdea,
    RejectIdeaCreation,
)
from domain.ideas.decider import decide
from domain.ideas.errors import (
    IdeaAlreadyExistsError,
    IdeaError,
    IdeaForgottenError,
    InvalidFieldError,
)
from domain.ideas.events import IdeaEvent
from domain.ideas.state import IdeaState, IdeaStatus, evolve

log = logging.getLogger(__name__)

PUBLISH_TRIES = 20
"""How many fresh ids publish tries before giving up with IdeaAlreadyExistsError."""

CACHE_SIZE = 1024
"""Ideas whose state the handler keeps after a command (least recently used dropped first)."""


ACTIONS: dict[type[IdeaCommand], str] = {
    PublishIdea: "publish",
    AcceptIdeaCreation: "accept",
    RejectIdeaCreation: "reject",
    EditIdea: "edit",
    DeleteIdea: "delete",
    ForgetIdea: "forget",
}
"""The verb a refusal names, e.g. "cannot edit idea 3f2a9c: it was forgotten"."""


class _StaleState(Exception):
    """A kept state turned out older than the stream: nothing was stored; decide again on
    the state as stored."""


def new_idea_id() -> str:
    """A short random idea id, e.g. `3f2a9c`."""
    return secrets.token_hex(3)


@dataclass(frozen=True, slots=True)
class CommandOutcome(Outcome[IdeaState]):
    """What an ideas command did: the core's outcome, its aggregate id the idea's id."""

    @property
    def idea_id(self) -> str:
        return self.aggregate_id


_outcome = slot_builder(CommandOutcome)
"""`CommandOutcome(...)` of every field, built faster (one per command)."""


def _validated(model: type[IdeaCommand], **fields: object) -> Command:
    try:
        return model.model_validate(fields)  # type: ignore[return-value]
    except ValidationError as exc:
        errors = [(".".join(str(p) for p in e["loc"]) or "input", e["msg"]) for e in exc.errors()]
        raise InvalidFieldError(errors, idea_id=str(fields.get("idea_id", ""))) from None


class IdeaCommandHandler:
    """Runs ideas commands against an event store."""

    def __init__(
        self,
        store: EventStore,
        codec: EventCodec,
        *,
        new_id: Callable[[], str] = new_idea_id,
        before_forget: Callable[[str], object] | None = None,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self.store = store
        self.codec = codec
        self.fold = IdeaFold(codec)
        self._new_id = new_id
        self._before_forget = before_forget
        # The state each recent command left, by stream. An entry is used only while the
        # stream is still at its version (so commits by anyone else, forgets included, make
        # it stale), which the store's stream_info tells at the cost of one key lookup.
        self._cache: OrderedDict[str, Loaded[IdeaState]] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()

    # -- loading ------------------------------------------------------------------------

    def load(
        self,
        idea_id: str,
        snapshot: Snapshot | Literal["latest"] | None = LATEST,
        to_version: int | None = None,
    ) -> Loaded[IdeaState]:
        """The idea's state from `snapshot` (default: the latest) plus the events after it."""
        return load(
            self.store, stream_id_of(idea_id), self.fold, snapshot=snapshot, to_version=to_version
        )

    def stage(self, idea_id: str) -> Loaded[IdeaState]:
        """First phase of a two-phase command: load now, commit later with `commit_edit`."""
        return self.load(idea_id)

    # -- commands -----------------------------------------------------------------------

    def publish(
        self, title: str, description: str, *, cause: Cause | None = None
    ) -> CommandOutcome:
        """Publish a new idea under a fresh id; its creation is then accepted or rejected.

        A taken (or forgotten) id is never reused: another one is drawn, up to
        `PUBLISH_TRIES` times, then IdeaAlreadyExistsError."""
        command = _validated(PublishIdea, title=title, description=description)
        taken: IdeaError | None = None
        for _ in range(PUBLISH_TRIES):  # a short random id may collide; never reuse one
            idea_id = self._new_id()
            try:
                return self._execute(idea_id, command, expected_version=NO_STREAM, cause=cause)
            except (IdeaAlreadyExistsError, IdeaForgottenError) as exc:
                taken = exc
            except ConcurrencyError:  # created by someone else between our load and append
                taken = IdeaAlreadyExistsError(idea_id)
        assert taken is not None
        raise taken

    def accept(self, idea_id: str, *, cause: Cause | None = None) -> CommandOutcome:
        """Accept a pending creation request."""
        return self._execute(idea_id, _validated(AcceptIdeaCreation, idea_id=idea_id), cause=cause)

    def reject(self, idea_id: str, reason: str, *, cause: Cause | None = None) -> CommandOutcome:
        """Reject a pending creation request."""
        command = _validated(RejectIdeaCreation, idea_id=idea_id, reason=reason)
        return self._execute(idea_id, command, cause=cause)

    def edit(
        self,
        idea_id: str,
        title: str | None = None,
        description: str | None = None,
        expected_version: int | None = None,
    ) -> CommandOutcome:
        """Change the title and/or description. With `expected_version`, refuse (with a
        ConcurrencyError) unless the idea is still at that version."""
        command = _validated(EditIdea, idea_id=idea_id, title=title, description=description)
        return self._execute(idea_id, command, expected_version=expected_version)

    def commit_edit(
        self, staged: Loaded[IdeaState], title: str | None = None, description: str | None = None
    ) -> CommandOutcome:
        """Second phase: decide on the staged state and append at the staged version."""
        idea_id = staged.state.idea_id
        command = _validated(EditIdea, idea_id=idea_id, title=title, description=description)
        return self._decide_and_append(staged, command, staged.version, None)

    def delete(self, idea_id: str, expected_version: int | None = None) -> CommandOutcome:
        """Soft-delete an idea. With `expected_version`, refuse (with a ConcurrencyError)
        unless the idea is still at that version."""
        command = _validated(DeleteIdea, idea_id=idea_id)
        return self._execute(idea_id, command, expected_version=expected_version)

    def forget(self, idea_id: str) -> CommandOutcome:
        """Erase the idea's history and keep only a tombstone (right to be forgotten)."""
        command = _validated(ForgetIdea, idea_id=idea_id)
        loaded = self.load(idea_id)
        stream_id = stream_id_of(idea_id)
        info = self.store.stream_info(stream_id)
        (tombstone,) = decide(command, loaded.state, erased_events=info.event_count if info else 0)
        new = self.codec.encode(
            stream_id,
            tombstone,
            metadata=self._metadata(command, None),
            event_id=new_uuid(),
            version=(info.version if info else loaded.version) + 1,
        )
        self.forget_cached(stream_id)
        if self._before_forget is not None:
            self._before_forget(stream_id)
        try:
            record = self.store.forget(stream_id, new)
        except StreamForgottenError:
            raise IdeaForgottenError(idea_id, "forget") from None
        state = self.fold.evolve(loaded.state, record)
        return CommandOutcome(
            "ForgetIdea", idea_id, stream_id, [record], record.version, state, None, loaded.how()
        )

    # -- plumbing -----------------------------------------------------------------------

    def _execute(
        self,
        idea_id: str,
        command: Command,
        *,
        expected_version: ExpectedVersion | None = None,
        cause: Cause | None = None,
    ) -> CommandOutcome:
        stream_id = stream_id_of(idea_id)
        kept = self._kept(stream_id)
        if kept is not None and (
            expected_version is None
            or (type(expected_version) is int and expected_version == kept.version)
        ):
            try:
                return self._decide_and_append(
                    kept, command, kept.version, cause, f"cached state v{kept.version}", kept=True
                )
            except _StaleState:
                pass  # the stream moved since: decide again on the state as stored
        loaded = self.load(idea_id)
        expected = loaded.version if expected_version is None else expected_version
        stale = isinstance(expected, int) and expected != loaded.version
        if stale and loaded.state.status not in (IdeaStatus.FORGOTTEN, IdeaStatus.NONE):
            # A stale writer hears "conflict" first, not a rule about a state it never saw
            # (but an unknown or forgotten idea says so, whatever version was expected).
            raise ConcurrencyError(
                stream_id_of(idea_id), expected, loaded.version, loaded.last_event_id
            )
        return self._decide_and_append(loaded, command, expected, cause)

    def _kept(self, stream_id: str) -> Loaded[IdeaState] | None:
        """The state a command here left on `stream_id`, if any (maybe stale: a command on
        it appends at its version, so the store's version check tells)."""
        with self._cache_lock:
            entry = self._cache.get(stream_id)
            if entry is not None:
                self._cache.move_to_end(stream_id)
            return entry

    def _still_at(self, kept: Loaded[IdeaState]) -> bool:
        """Whether the stream is still at the version of the state kept for it."""
        info = self.store.stream_info(kept.stream_id)
        if info is not None and info.version == kept.version:
            return True
        self.forget_cached(kept.stream_id)
        return False

    def _remember(self, loaded: Loaded[IdeaState]) -> None:
        if self._cache_size <= 0:
            return
        with self._cache_lock:
            self._cache[loaded.stream_id] = loaded
            self._cache.move_to_end(loaded.stream_id)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def forget_cached(self, stream_id: str) -> None:
        """Drop the state kept for `stream_id` (e.g. after another process forgot it: a
        stale entry is never used, but its private fields should not stay in memory)."""
        with self._cache_lock:
            self._cache.pop(stream_id, None)

    def cached_streams(self) -> list[str]:
        """The streams whose state is kept, least recently used first."""
        with self._cache_lock:
            return list(self._cache)

    def _decide_and_append(
        self,
        loaded: Loaded[IdeaState],
        command: Command,
        expected: ExpectedVersion,
        cause: Cause | None,
        how: str | None = None,
        *,
        kept: bool = False,
    ) -> CommandOutcome:
        """Decide on `loaded` and append at `expected`. With `kept` (a state kept from an
        earlier command, appended at its own version), any sign that the stream moved since
        (a conflict, a forgotten stream, a stored retry, or a refusal while the stream is
        not at that version) raises _StaleState before anything is stored or returned."""
        state = loaded.state
        stream_id = loaded.stream_id
        try:
            # Every command here was validated by its model (`_validated`).
            events = decide(command, state, validated=True)
        except IdeaError:
            if kept and not self._still_at(loaded):
                raise _StaleState from None
            raise
        metadata = self._metadata(command, cause)
        ids = cause.event_ids if cause and cause.event_ids else ()
        base = expected if isinstance(expected, int) else loaded.version
        encode = self.codec.encode
        try:
            # Encoding may fail as "forgotten" too: a forgotten stream's key is destroyed.
            new = [
                encode(
                    stream_id,
                    e,
                    metadata=metadata,
                    event_id=ids[i] if i < len(ids) else new_uuid(),
                    version=base + i + 1,
                )
                for i, e in enumerate(events)
            ]
            recorded, snapshot = self._append(stream_id, new, expected, state, events)
        except (ConcurrencyError, StreamForgottenError) as exc:
            self.forget_cached(stream_id)
            if kept:
                raise _StaleState from None
            if isinstance(exc, StreamForgottenError):
                raise IdeaForgottenError(state.idea_id, ACTIONS[type(command)]) from None
            raise
        except EventStoreError:
            self.forget_cached(stream_id)
            raise
        if kept and recorded[0].version != base + 1:
            # The store recognised these event ids as a retry of events already stored: the
            # kept state predates them.
            self.forget_cached(stream_id)
            raise _StaleState
        new_state = state
        # The events as decided, not as decoded back from the store: the same values (the
        # codec's round trip is exact), without opening the payloads just sealed.
        for event, record in zip(events, recorded, strict=True):
            new_state = evolve(new_state, event, record.recorded_at)
        last = recorded[-1]
        # The id as sent (the stored record's equal one may be rebuilt on each read).
        last_id = new[-1].event_id
        done = Loaded(stream_id, new_state, last.version, last_id, None, len(recorded))
        self._remember(done)
        if snapshot is None and self.store.snapshot_policy.due(
            recorded[0].version - 1, last.version
        ):
            try:
                snapshot = take_snapshot(self.store, self.fold, done)
            except EventStoreError:
                # The events are stored; a snapshot is only a shortcut for later loads, and
                # the stream may have moved on (or been forgotten) since the append.
                log.warning("no snapshot of %s at v%d", stream_id, done.version, exc_info=True)
        return _outcome(
            type(command).__name__,
            state.idea_id,
            stream_id,
            recorded,
            last.version,
            new_state,
            snapshot,
            how or loaded.how(),
        )

    def _append(
        self,
        stream_id: str,
        new: list[NewEvent],
        expected: ExpectedVersion,
        state: IdeaState,
        events: list[IdeaEvent],
    ) -> tuple[list[RecordedEvent], Snapshot | None]:
        """Append `new`; when they make a snapshot due and the store can keep one in the
        same transaction (SQLite: one commit, one flush to the disk), take it there."""
        combined = getattr(self.store, "append_then_snapshot", None)
        if (
            combined is None
            or type(expected) is not int
            or not self.store.snapshot_policy.due(expected, expected + len(new))
        ):
            return self.store.append(stream_id, new, expected), None

        def snapshot_after(recorded: list[RecordedEvent]) -> Snapshot | None:
            after = state
            for event, record in zip(events, recorded, strict=True):
                after = evolve(after, event, record.recorded_at)
            last = recorded[-1]
            done = Loaded(stream_id, after, last.version, last.event_id, None, len(recorded))
            try:
                return snapshot_of(self.fold, done)
            except EventStoreError:  # e.g. the key gone: the events go in without it
                log.warning("no snapshot of %s at v%d", stream_id, last.version, exc_info=True)
                return None

        result: tuple[list[RecordedEvent], Snapshot | None] = combined(
            stream_id, new, expected, snapshot_after
        )
        return result

    @staticmethod
    def _metadata(command: Command, cause: Cause | None) -> JsonObject:
        if cause and cause.correlation_id:
            correlation = str(cause.correlation_id)
        else:
            correlation = new_uuid_text()
        meta: JsonObject = {CORRELATION_ID: correlation, COMMAND: type(command).__name__}
        if cause is not None and cause.causation_id is not None:
            meta[CAUSATION_ID] = str(cause.causation_id)
        return meta
