"""One command handler for any Domain: load (latest snapshot + tail) → decide (pure) →
append at the loaded version, with correlation and causation metadata, private fields
sealed, snapshots per the store's policy; forget = tombstone + the stream's key destroyed."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from domain.core.aggregate import LATEST, Fold, Loaded, load, take_snapshot
from domain.core.codec import DomainCodec, Keys
from domain.core.errors import ConcurrencyError, EventStoreError
from domain.core.ids import new_uuid
from domain.core.port import CommandSpec, Domain
from domain.core.protocol import EventStore
from domain.core.records import (
    CAUSATION_ID,
    COMMAND,
    CORRELATION_ID,
    NO_STREAM,
    ExpectedVersion,
    JsonObject,
    RecordedEvent,
    Snapshot,
    StreamStatus,
)

log = logging.getLogger(__name__)

S = TypeVar("S", bound=BaseModel)

NEW_ID_TRIES = 20
"""How many fresh ids a creating command draws before giving up."""


class InvalidCommandError(ValueError):
    """A command's fields do not validate; `errors` maps field -> reason."""

    def __init__(self, domain: str, command: str, errors: Sequence[tuple[str, str]]) -> None:
        self.domain = domain
        self.command = command
        self.errors = dict(errors)
        text = "; ".join(f"{name}: {reason}" for name, reason in self.errors.items())
        super().__init__(f"invalid {command}: {text}")


class NoFreshIdError(EventStoreError):
    """Every id drawn for a new aggregate was taken already."""

    def __init__(self, domain: str, command: str, tried: Sequence[str]) -> None:
        self.domain = domain
        self.command = command
        self.tried = tuple(tried)
        super().__init__(f"{command}: {len(tried)} fresh {domain} ids were all taken")


@dataclass(frozen=True, slots=True)
class Cause:
    """What a command reacts to: threads correlation and causation ids through metadata."""

    correlation_id: uuid.UUID | None = None
    causation_id: uuid.UUID | None = None
    event_ids: tuple[uuid.UUID, ...] = ()
    """Deterministic ids for the events the command appends (for idempotent reactions)."""


@dataclass(frozen=True, slots=True)
class Outcome(Generic[S]):
    """What a command did."""

    command: str
    aggregate_id: str
    stream_id: str
    events: list[RecordedEvent]
    version: int
    state: S
    snapshot: Snapshot | None = None
    loaded_from: str = ""
    """How the decided-on state was loaded (e.g. "snapshot v20 + 3 events")."""


class DomainFold(Generic[S]):
    """A Domain's fold as a `domain.core.aggregate.Fold`: decode, then the pure evolve."""

    def __init__(self, domain: Domain[S], codec: DomainCodec[S]) -> None:
        self.domain = domain
        self.codec = codec
        self.state_schema_version = domain.fold.schema_version

    def initial(self, stream_id: str) -> S:
        return self.domain.fold.initial(self.domain.aggregate_id(stream_id) or stream_id)

    def evolve(self, state: S, event: RecordedEvent) -> S:
        return self.domain.fold.evolve(state, self.codec.decode(event), event.recorded_at)

    def dump(self, state: S) -> JsonObject:
        return self.codec.dump_state(self._stream_of(state), state)

    def restore(self, data: JsonObject) -> S:
        return self.codec.load_state(self.domain.stream_id(str(data.get(self._id))), data)

    @property
    def _id(self) -> str:
        return self.domain.fold.id_field

    def _stream_of(self, state: S) -> str:
        return self.domain.stream_id(str(getattr(state, self._id)))


class DomainHandler(Generic[S]):
    """Runs any Domain's commands against an event store."""

    def __init__(
        self,
        domain: Domain[S],
        store: EventStore,
        *,
        keys: Keys | None = None,
        new_id: Callable[[], str] | None = None,
    ) -> None:
        self.domain = domain
        self.store = store
        self.keys = keys
        self.registry = domain.events()
        self.codec = DomainCodec(
            self.registry,
            domain.fold.state,
            private=domain.private,
            state_private=domain.state_private,
            keys=keys,
        )
        fast = domain.fold.fast
        self.fold: Fold[S] = (
            fast(self.codec) if fast is not None else DomainFold(domain, self.codec)
        )
        self._new_id = new_id or domain.new_id

    def load(
        self,
        aggregate_id: str,
        snapshot: Snapshot | Literal["latest"] | None = LATEST,
        to_version: int | None = None,
    ) -> Loaded[S]:
        """The aggregate's state from `snapshot` (default: the latest) plus the later events."""
        stream_id = self.domain.stream_id(aggregate_id)
        return load(self.store, stream_id, self.fold, snapshot=snapshot, to_version=to_version)

    def build(self, command: str, fields: Mapping[str, object]) -> BaseModel:
        """The named command validated from plain fields (InvalidCommandError if they fail)."""
        model = self.domain.command(command).model
        try:
            return model.model_validate(dict(fields))
        except ValidationError as exc:
            errors = [
                (".".join(str(p) for p in e["loc"]) or "input", e["msg"]) for e in exc.errors()
            ]
            raise InvalidCommandError(self.domain.name, command, errors) from None

    def execute(
        self,
        command: BaseModel,
        *,
        expected_version: ExpectedVersion | None = None,
        cause: Cause | None = None,
    ) -> Outcome[S]:
        """Run a validated command. With `expected_version`, refuse with a ConcurrencyError
        unless the aggregate is still at that version. Domain errors propagate unchanged."""
        spec = self.domain.command(command)
        if spec.target is None:
            return self._create(spec, command, cause)
        aggregate_id = spec.target(command)
        if spec.forgets:
            return self._forget(aggregate_id, command)
        loaded = self.load(aggregate_id)
        expected = loaded.version if expected_version is None else expected_version
        if isinstance(expected, int) and expected != loaded.version and self._live(loaded):
            # A stale writer hears "conflict" first, not a rule about a state it never saw.
            raise ConcurrencyError(loaded.stream_id, expected, loaded.version, loaded.last_event_id)
        return self.decide_and_append(loaded, command, expected, cause)

    def _live(self, loaded: Loaded[S]) -> bool:
        """Whether the aggregate exists and is not forgotten (else its own rules answer)."""
        if loaded.version == 0:
            return False
        info = self.store.stream_info(loaded.stream_id)
        return info is not None and info.status is not StreamStatus.FORGOTTEN

    def _create(self, spec: CommandSpec, command: BaseModel, cause: Cause | None) -> Outcome[S]:
        tried: list[str] = []
        for _ in range(NEW_ID_TRIES):  # a short random id may collide; never reuse one
            aggregate_id = self._new_id()
            if spec.stream_prefix is not None:
                aggregate_id = f"{spec.stream_prefix}-{aggregate_id}"
            tried.append(aggregate_id)
            if self.store.stream_info(self.domain.stream_id(aggregate_id)) is not None:
                continue
            try:
                return self.decide_and_append(self.load(aggregate_id), command, NO_STREAM, cause)
            except ConcurrencyError:  # created by someone else between our check and append
                continue
        raise NoFreshIdError(self.domain.name, spec.name, tried)

    def decide_and_append(
        self,
        loaded: Loaded[S],
        command: BaseModel,
        expected: ExpectedVersion,
        cause: Cause | None = None,
    ) -> Outcome[S]:
        """Decide on a loaded state and append at `expected` (the second phase of a staged
        command: load now, commit later at the loaded version)."""
        events = self.domain.decide(command, loaded.state)
        stream_id = loaded.stream_id
        metadata = _metadata(command, cause)
        ids = cause.event_ids if cause else ()
        base = expected if isinstance(expected, int) else loaded.version
        new = [
            self.codec.encode(
                stream_id,
                event,
                metadata=metadata,
                event_id=ids[i] if i < len(ids) else new_uuid(),
                version=base + i + 1,
            )
            for i, event in enumerate(events)
        ]
        recorded = self.store.append(stream_id, new, expected)
        state = loaded.state
        for record in recorded:
            state = self.fold.evolve(state, record)
        snapshot = self._snapshot(stream_id, state, recorded)
        aggregate_id = self.domain.aggregate_id(stream_id) or stream_id
        return Outcome(
            type(command).__name__,
            aggregate_id,
            stream_id,
            recorded,
            recorded[-1].version,
            state,
            snapshot,
            loaded.how(),
        )

    def _snapshot(self, stream_id: str, state: S, recorded: list[RecordedEvent]) -> Snapshot | None:
        if not self.store.snapshot_policy.due(recorded[0].version - 1, recorded[-1].version):
            return None
        last = recorded[-1]
        done = Loaded(stream_id, state, last.version, last.event_id, None, len(recorded))
        try:
            return take_snapshot(self.store, self.fold, done)
        except EventStoreError:
            # The events are stored; a snapshot is only a shortcut for later loads, and the
            # stream may have moved on (or been forgotten) since the append.
            log.warning("no snapshot of %s at v%d", stream_id, done.version, exc_info=True)
            return None

    def _forget(self, aggregate_id: str, command: BaseModel) -> Outcome[S]:
        loaded = self.load(aggregate_id)
        self.domain.decide(command, loaded.state)  # the domain's rules may refuse a forget
        stream_id = loaded.stream_id
        info = self.store.stream_info(stream_id)
        tombstone = self.domain.tombstone(loaded.state, info.event_count if info else 0)
        new = self.codec.encode(
            stream_id,
            tombstone,
            metadata=_metadata(command, None),
            event_id=new_uuid(),
            version=(info.version if info else loaded.version) + 1,
        )
        if self.keys is not None:
            self.keys.destroy(stream_id)
        record = self.store.forget(stream_id, new)
        state = self.fold.evolve(loaded.state, record)
        return Outcome(
            type(command).__name__,
            aggregate_id,
            stream_id,
            [record],
            record.version,
            state,
            None,
            loaded.how(),
        )


def _metadata(command: BaseModel, cause: Cause | None) -> JsonObject:
    correlation = cause.correlation_id if cause and cause.correlation_id else new_uuid()
    meta: JsonObject = {CORRELATION_ID: str(correlation), COMMAND: type(command).__name__}
    if cause is not None and cause.causation_id is not None:
        meta[CAUSATION_ID] = str(cause.causation_id)
    return meta
