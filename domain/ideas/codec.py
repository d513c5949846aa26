"""Between ideas events and stored records: encoding, decoding and the aggregate's fold.

The codec is where stored payloads become typed events (through the versioning registry);
the shredding layer wraps it to encrypt private fields.
"""

from __future__ import annotations

import uuid
from typing import Protocol

from domain.ideas.events import IDEA_EVENTS, IdeaEvent
from domain.ideas.state import IdeaState, evolve
from domain.store.records import JsonObject, NewEvent, RecordedEvent
from domain.versioning import EventRegistry


class EventCodec(Protocol):
    """Turns domain events into new store events and stored records back into events."""

    def encode(
        self,
        stream_id: str,
        event: IdeaEvent,
        *,
        metadata: JsonObject,
        event_id: uuid.UUID,
        version: int,
    ) -> NewEvent:
        """`version` is the version the event will have in its stream (an encrypting codec
        binds the ciphertext to stream, version and event id)."""
        ...

    def decode(self, record: RecordedEvent) -> IdeaEvent: ...

    def dump_state(self, stream_id: str, state: IdeaState) -> JsonObject: ...

    def load_state(self, stream_id: str, data: JsonObject) -> IdeaState: ...


def idea_registry() -> EventRegistry:
    """A registry holding every ideas event at its current schema version."""
    registry = EventRegistry()
    for model in IDEA_EVENTS:
        registry.register(model)
    return registry


class PlainCodec:
    """Payloads stored as JSON, as the registry encodes them."""

    def __init__(self, registry: EventRegistry) -> None:
        self.registry = registry

    def encode(
        self,
        stream_id: str,
        event: IdeaEvent,
        *,
        metadata: JsonObject,
        event_id: uuid.UUID,
        version: int,
    ) -> NewEvent:
        return self.registry.to_new_event(event, metadata=metadata, event_id=event_id)

    def decode(self, record: RecordedEvent) -> IdeaEvent:
        event = self.registry.from_recorded(record)
        if not isinstance(event, IdeaEvent):
            raise TypeError(f"{record.type} is not an ideas event")
        return event

    def dump_state(self, stream_id: str, state: IdeaState) -> JsonObject:
        return state.model_dump(mode="json")

    def load_state(self, stream_id: str, data: JsonObject) -> IdeaState:
        return IdeaState.model_validate(data)


def stream_id_of(idea_id: str) -> str:
    """The stream holding an idea's events."""
    return f"idea-{idea_id}"


def idea_id_of(stream_id: str) -> str | None:
    """The idea id of an `idea-...` stream, or None for any other stream."""
    return stream_id[5:] if stream_id.startswith("idea-") and len(stream_id) > 5 else None


class IdeaFold:
    """The ideas aggregate as a `domain.store.aggregate.Fold`."""

    state_schema_version = IdeaState.SCHEMA_VERSION

    def __init__(self, codec: EventCodec) -> None:
        self.codec = codec

    def initial(self, stream_id: str) -> IdeaState:
        return IdeaState(idea_id=idea_id_of(stream_id) or stream_id)

    def evolve(self, state: IdeaState, event: RecordedEvent) -> IdeaState:
        return evolve(state, self.codec.decode(event), event.recorded_at)

    def dump(self, state: IdeaState) -> JsonObject:
        return self.codec.dump_state(stream_id_of(state.idea_id), state)

    def restore(self, data: JsonObject) -> IdeaState:
        idea_id = data.get("idea_id")
        return self.codec.load_state(stream_id_of(str(idea_id)), data)
