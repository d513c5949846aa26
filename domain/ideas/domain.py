"""`IDEAS`: the ideas system behind the Domain port, built from the ideas modules unchanged
(the same events, payloads, errors and fold, fast path included)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from pydantic import BaseModel

from domain.core.codec import DomainCodec
from domain.core.handler import Cause, DomainHandler
from domain.core.port import (
    Column,
    CommandSpec,
    Domain,
    FoldSpec,
    ProcessManagerSpec,
    ReadModelSpec,
    Remove,
    Row,
    RowChange,
    StateField,
    TrafficProfile,
    Upsert,
)
from domain.core.records import CORRELATION_ID, JsonObject, NewEvent, RecordedEvent
from domain.core.versioning import EventRegistry
from domain.ideas.codec import IdeaFold, idea_registry
from domain.ideas.commands import (
    AcceptIdeaCreation,
    DeleteIdea,
    EditIdea,
    ForgetIdea,
    IdeaCommand,
    PublishIdea,
    RejectIdeaCreation,
)
from domain.ideas.decider import decide
from domain.ideas.demo import EDIT_NOTES
from domain.ideas.demo import IDEAS as DEMO_IDEAS
from domain.ideas.errors import IdeaError, IdeaNotFoundError
from domain.ideas.events import (
    IDEA_EVENTS,
    IdeaCreationAccepted,
    IdeaCreationRejected,
    IdeaCreationRequested,
    IdeaDeleted,
    IdeaEvent,
    IdeaForgotten,
    IdeaUpdated,
    IdeaUpdatedV1,
)
from domain.ideas.handler import new_idea_id
from domain.ideas.process_manager import REJECTION_REASONS, reaction_event_id
from domain.ideas.state import IdeaState, evolve


class IdeaEvents:
    """The generic codec seen as the ideas' `EventCodec` (what `IdeaFold` reads through)."""

    def __init__(self, codec: DomainCodec[IdeaState]) -> None:
        self.codec = codec
        self.registry: EventRegistry = codec.registry
        self.envelope_key: str | None = codec.envelope_key

    def may_hold(self, data: JsonObject, field: str) -> bool:
        return self.codec.may_hold(data, field)

    def encode(
        self,
        stream_id: str,
        event: IdeaEvent,
        *,
        metadata: JsonObject,
        event_id: uuid.UUID,
        version: int,
    ) -> NewEvent:
        return self.codec.encode(
            stream_id, event, metadata=metadata, event_id=event_id, version=version
        )

    def decode(self, record: RecordedEvent) -> IdeaEvent:
        event = self.codec.decode(record)
        if not isinstance(event, IdeaEvent):
            raise TypeError(f"{record.type} is not an ideas event")
        return event

    def dump_state(self, stream_id: str, state: IdeaState) -> JsonObject:
        return self.codec.dump_state(stream_id, state)

    def load_state(self, stream_id: str, data: JsonObject) -> IdeaState:
        return self.codec.load_state(stream_id, data)


def _decide(command: BaseModel, state: IdeaState) -> list[IdeaEvent]:
    if not isinstance(command, IdeaCommand):
        raise TypeError(f"{type(command).__name__} is not an ideas command")
    return decide(command, state)  # type: ignore[arg-type]


def _evolve(state: IdeaState, event: IdeaEvent, at: datetime) -> IdeaState:
    return evolve(state, event, at)


def _idea_row(event: IdeaEvent, record: RecordedEvent, row: Row | None) -> list[RowChange]:
    """The ideas list: what `IdeaView` shows, as generic row changes."""
    key, at, version = event.idea_id, record.recorded_at.isoformat(), record.version
    match event:
        case IdeaCreationRequested(title=title, description=description):
            values = {"title": title, "description": description, "status": "requested"}
            return [Upsert(key, {**values, "version": version, "created_at": at, "updated_at": at})]
        case IdeaCreationAccepted() | IdeaCreationRejected() if row is not None:
            status = "accepted" if isinstance(event, IdeaCreationAccepted) else "rejected"
            return [Upsert(key, {**row, "status": status, "version": version, "updated_at": at})]
        case IdeaUpdated(title=title, description=description) if row is not None:
            changed = {k: v for k, v in (("title", title), ("description", description)) if v}
            return [Upsert(key, {**row, **changed, "version": version, "updated_at": at})]
        case IdeaDeleted() | IdeaForgotten():
            return [Remove(key)]
    return []


def _apply(
    event: IdeaEvent, record: RecordedEvent, current: Callable[[str], Row | None]
) -> list[RowChange]:
    return _idea_row(event, record, current(event.idea_id))


def creation_manager(probability: float = 0.9) -> ProcessManagerSpec:
    """Accepts each creation request with `probability`, else rejects it with a reason; the
    decision depends only on the seed and the request's id (as `CreationProcessManager`)."""
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"acceptance probability must be within 0..1, got {probability}")

    def react(event: IdeaEvent, record: RecordedEvent, seed: int) -> IdeaCommand:
        rng = random.Random(f"{seed}:{record.event_id}")
        if rng.random() < probability:
            return AcceptIdeaCreation(idea_id=event.idea_id)
        return RejectIdeaCreation(idea_id=event.idea_id, reason=rng.choice(REJECTION_REASONS))

    return ProcessManagerSpec(
        name="creation-decision",
        reacts_to=frozenset({"IdeaCreationRequested"}),
        react=react,
        closes=frozenset({"IdeaCreationAccepted", "IdeaCreationRejected", "IdeaForgotten"}),
        reaction_id=reaction_event_id,
    )


class _WrittenByVersion1:
    """The codec of the release before `IdeaUpdated` version 2: edits stored at version 1."""

    def __init__(self, codec: DomainCodec[IdeaState]) -> None:
        self.codec = codec

    def __getattr__(self, name: str) -> Any:
        return getattr(self.codec, name)

    def encode(self, stream_id: str, event: BaseModel, **facts: Any) -> NewEvent:
        if isinstance(event, IdeaUpdated):
            event = IdeaUpdatedV1(
                idea_id=event.idea_id, title=event.title, description=event.description
            )
        return self.codec.encode(stream_id, event, **facts)


def seed_demo(handler: DomainHandler[IdeaState], seed: int = 7) -> list[str]:
    """The ideas demo (as `domain.ideas.demo.seed_demo`) through the generic handler;
    returns the ids of the ideas made."""
    rng = random.Random(seed)
    reject_at = rng.randrange(len(DEMO_IDEAS))
    made: list[str] = []
    live: list[str] = []
    for i, (title, description) in enumerate(DEMO_IDEAS):
        outcome = handler.execute(PublishIdea(title=title, description=description))
        trigger = outcome.events[0]
        cause = Cause(
            uuid.UUID(str(trigger.metadata[CORRELATION_ID])),
            trigger.event_id,
            (reaction_event_id(trigger.event_id),),
        )
        idea_id = outcome.aggregate_id
        made.append(idea_id)
        if i == reject_at:
            reason = "duplicate of an existing idea"
            handler.execute(RejectIdeaCreation(idea_id=idea_id, reason=reason), cause=cause)
        else:
            handler.execute(AcceptIdeaCreation(idea_id=idea_id), cause=cause)
            live.append(idea_id)
    rng.shuffle(live)
    edits = 0
    current = handler.codec
    # The older half of each long history is written as the release before IdeaUpdated v2
    # did (as the ideas demo does), so a demo store holds events read through an upcast.
    older = cast("DomainCodec[IdeaState]", _WrittenByVersion1(current))
    for idea_id, count in zip(live[:3], (23, 12, 11), strict=True):
        state = handler.load(idea_id).state
        base = state.description or ""
        for n in range(1, count + 1):
            handler.codec = current if n > count // 2 else older
            note = EDIT_NOTES[(n + edits) % len(EDIT_NOTES)]
            if n % 4 == 0 and state.title:
                handler.execute(EditIdea(idea_id=idea_id, title=f"{state.title} (rev {n})"))
            else:
                handler.execute(EditIdea(idea_id=idea_id, description=f"{base} {note} (rev {n})"))
            edits += 1
    for idea_id in live[3:9]:
        text = f"{handler.load(idea_id).state.description} {rng.choice(EDIT_NOTES)}"
        handler.execute(EditIdea(idea_id=idea_id, description=text))
    for idea_id in live[9:12]:
        handler.execute(DeleteIdea(idea_id=idea_id))
    for idea_id in live[12:13]:
        text = "Contains a customer's name; to be erased on request."
        handler.execute(EditIdea(idea_id=idea_id, description=text))
        handler.execute(ForgetIdea(idea_id=idea_id))
    return made


def _pick(known: Sequence[str], rng: random.Random) -> str | None:
    return rng.choice(known) if known else None


def _publish(rng: random.Random, known: Sequence[str]) -> IdeaCommand:
    title, description = rng.choice(DEMO_IDEAS)
    return PublishIdea(title=title, description=description)


def _edit(rng: random.Random, known: Sequence[str]) -> IdeaCommand | None:
    idea_id = _pick(known, rng)
    note = rng.choice(EDIT_NOTES)
    return (
        EditIdea(idea_id=idea_id, description=f"{note} #{rng.randrange(10**6)}")
        if idea_id
        else None
    )


def _delete(rng: random.Random, known: Sequence[str]) -> IdeaCommand | None:
    idea_id = _pick(known, rng)
    return DeleteIdea(idea_id=idea_id) if idea_id else None


def _forget(rng: random.Random, known: Sequence[str]) -> IdeaCommand | None:
    idea_id = _pick(known, rng)
    return ForgetIdea(idea_id=idea_id) if idea_id else None


def _target(
    command: AcceptIdeaCreation | RejectIdeaCreation | EditIdea | DeleteIdea | ForgetIdea,
) -> str:
    return command.idea_id


IDEAS: Domain[IdeaState] = Domain(
    name="ideas",
    stream_prefix="idea",
    description="Ideas are published, accepted or rejected, edited, deleted and forgotten.",
    events=idea_registry,
    commands=(
        CommandSpec(PublishIdea, label="publish"),
        CommandSpec(AcceptIdeaCreation, _target, label="accept"),
        CommandSpec(RejectIdeaCreation, _target, label="reject"),
        CommandSpec(EditIdea, _target, label="edit"),
        CommandSpec(DeleteIdea, _target, label="delete"),
        CommandSpec(ForgetIdea, _target, forgets=True, label="forget"),
    ),
    decide=_decide,
    fold=FoldSpec(
        state=IdeaState,
        initial=lambda idea_id: IdeaState(idea_id=idea_id),
        evolve=_evolve,
        id_field="idea_id",
        schema_version=IdeaState.SCHEMA_VERSION,
        fast=lambda codec: IdeaFold(IdeaEvents(codec)),
    ),
    state_fields=(
        StateField("idea_id", "id"),
        StateField("status", "status"),
        StateField("title", "title", private=True),
        StateField("description", "description", private=True),
        StateField("rejection_reason", "rejection reason"),
        StateField("created_at", "created"),
        StateField("updated_at", "updated"),
        StateField("edit_count", "edits"),
    ),
    private={model.__name__: model.PRIVATE for model in IDEA_EVENTS if model.PRIVATE},
    deleted_types=frozenset({"IdeaDeleted"}),
    forgotten_types=frozenset({"IdeaForgotten"}),
    tombstone=lambda state, erased: IdeaForgotten(idea_id=state.idea_id, erased_events=erased),
    new_id=new_idea_id,
    errors=(IdeaError,),
    not_found=(IdeaNotFoundError,),
    read_models=(
        ReadModelSpec(
            "ideas",
            (
                Column("title", "title", private=True),
                Column("description", "description", private=True),
                Column("status", "status"),
                Column("version", "version"),
                Column("created_at", "created"),
                Column("updated_at", "updated"),
            ),
            _apply,
        ),
    ),
    process_managers=(creation_manager(),),
    seed_demo=seed_demo,
    traffic=TrafficProfile(((0.12, _publish), (0.75, _edit), (0.07, _delete), (0.01, _forget))),
)
"""The ideas system as a Domain."""
