"""Between ideas events and stored records: encoding, decoding and the aggregate's fold.

The codec is where stored payloads become typed events (through the versioning registry);
the shredding layer wraps it to encrypt private fields.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from functools import partial
from typing import Final, Protocol

from domain.core.codec import payload_checked, payload_of, payload_peek, payload_view
from domain.core.records import JsonObject, NewEvent, RecordedEvent
from domain.core.shredding.packed import ENVELOPE_TYPES
from domain.core.versioning import EventRegistry
from domain.ideas.events import IDEA_EVENT_HISTORY, IDEA_EVENTS, IdeaEvent, IdeaUpdated
from domain.ideas.state import IdeaState, evolve


class EventCodec(Protocol):
    """Turns domain events into new store events and stored records back into events."""

    registry: EventRegistry
    envelope_key: str | None
    """The key under which a stored payload keeps its sealed private fields (None: this
    codec stores every field in clear)."""

    def may_hold(self, data: JsonObject, field: str) -> bool:
        """Whether the stored payload `data` may carry a value for `field`, in clear or
        sealed (False only when decoding it certainly leaves `field` unset). `data` may be
        read as `payload_checked` reads it, its envelope packed: read the sealed names with
        `sealed_fields`."""
        ...

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
    """A registry holding every ideas event: its older schema versions, then the current one
    (each checked, on registration, to be constructible from the one before)."""
    registry = EventRegistry()
    for model in IDEA_EVENTS:
        older = IDEA_EVENT_HISTORY.get(model.__name__, ())
        for version, old in enumerate(older, start=1):
            registry.register(old, type=model.__name__, schema_version=version)
        registry.register(model, schema_version=len(older) + 1)
    return registry


class PlainCodec:
    """Payloads stored as JSON, as the registry encodes them."""

    envelope_key: str | None = None

    def __init__(self, registry: EventRegistry) -> None:
        self.registry = registry

    def may_hold(self, data: JsonObject, field: str) -> bool:
        return data.get(field) is not None

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
        event = self.registry.decode(record.type, record.schema_version, payload_of(record))
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


def remember_idea_id(ids: set[str], value: str) -> bool:
    """Whether `value` is a valid idea id, remembered in `ids` when it is (up to 4,096 ids:
    a loop that met it before then checks it by one set lookup)."""
    if not is_idea_id(value):
        return False
    if len(ids) >= _IDS_KEPT:
        ids.clear()
    ids.add(value)
    return True


def idea_id_of(stream_id: str) -> str | None:
    """The idea id of an `idea-...` stream, or None for any other stream."""
    return stream_id[5:] if stream_id.startswith("idea-") and len(stream_id) > 5 else None


_CLEAR_TYPES: Final = frozenset({str, type(None)})
_IDS_KEPT: Final = 4096
_UPDATED: Final = "IdeaUpdated"
_PRIVATE: Final = ("title", "description")
_IDEA_ID_SHAPE: Final = re.compile(r"[0-9a-z][0-9a-z_-]{0,63}")
"""What `IdeaId` accepts (1 to 64 characters of its pattern): a check of a stored id that
costs a fraction of running the type's validator."""


def is_idea_id(value: str) -> bool:
    """Whether the `IdeaId` validator accepts the string `value`."""
    return _IDEA_ID_SHAPE.fullmatch(value) is not None


class EditReader:
    """Reads stored edits (`IdeaUpdated`) in place, for readers of many events at once.

    Of a run of edits, a reader needs how many there were, the last one, and the last value
    each private field was given. `run_end` tells, from the stored payloads alone — type,
    schema version, keys, idea id and value types — which edits are well formed, without
    decoding them; `last_values` then decodes in full (opens, validates, upcasts) only the
    last edit to set each field, so a sealed history costs at most two decryptions however
    long it is. The private values of the other edits are not validated: they are overwritten
    (and a sealed one is never opened); payloads this system writes were validated when
    written.
    """

    def __init__(self, codec: EventCodec) -> None:
        self.codec = codec
        self._ids: set[str] = set()
        """Idea ids seen valid, so an edit's id is checked with one set lookup."""

    def reads_in_place(self) -> bool:
        """Whether edits can be read in place: the registry's newest edit model must be the
        one this reader knows (otherwise every edit has to be decoded)."""
        registry = self.codec.registry
        return _UPDATED in registry.types() and registry.model(_UPDATED) is IdeaUpdated

    def run_end(self, events: Sequence[RecordedEvent], start: int) -> int:
        """The end of the run of well-formed edits that starts at `events[start]` (`start`
        itself when that event is not one). Call only when `reads_in_place()`."""
        newest = self.codec.registry.latest_version(_UPDATED)
        envelope = self.codec.envelope_key
        allowed = frozenset(IdeaUpdated.model_fields) | ({envelope} if envelope else set())
        # Locals: this loop runs once per event of a load, millions of times.
        fits, ids = allowed.issuperset, self._ids
        known = partial(remember_idea_id, ids)
        clear, kind = _CLEAR_TYPES, _UPDATED
        empty: JsonObject = {}
        # Records of the first one's class are read as kept, their envelope possibly packed
        # (see `payload_view`), or, when their payload is still text, without keeping it
        # (see `payload_peek`); any other record (or every one, when that class has
        # neither) through `data`, at the cost of one test.
        first = type(events[start]) if start < len(events) else RecordedEvent
        peek = payload_view(first) or payload_peek(first)
        envelopes = ENVELOPE_TYPES
        # By index, not over a slice: a page calls this once per run, and a slice would copy
        # the rest of the page each time (quadratic in the page's length).
        for end in range(start, len(events)):
            record = events[end]
            if record.type != kind or record.schema_version != newest:
                return end
            data = record.data if peek is None or type(record) is not first else peek(record)
            if not (
                fits(data)
                and type(idea_id := data.get("idea_id")) is str
                and (idea_id in ids or known(idea_id))
                and type(data.get("title")) in clear
                and type(data.get("description")) in clear
                and type(data.get("minor", False)) is bool
                and (envelope is None or type(data.get(envelope, empty)) in envelopes)
            ):
                return end
        return len(events)

    def last_values(
        self, edits: Sequence[RecordedEvent], start: int, end: int, values: dict[str, str | None]
    ) -> dict[str, str | None]:
        """`values` (title and description) after the checked edits `edits[start:end]`: each
        field takes the value of the last edit that sets it. Decoding errors propagate."""
        values = dict(values)
        wanted = list(_PRIVATE)
        may_hold = self.codec.may_hold
        for index in range(end - 1, start - 1, -1):
            record = edits[index]
            data = payload_checked(record)
            for name in wanted:  # a loop rather than any(...): no generator per edit
                if may_hold(data, name):
                    break
            else:
                continue
            event = self.codec.decode(record)
            for name in list(wanted):
                value = getattr(event, name)
                if value is not None:
                    values[name] = value
                    wanted.remove(name)
            if not wanted:
                break
        return values


class IdeaFold:
    """The ideas aggregate as a `domain.core.aggregate.Fold`.

    `evolve` decodes one record and applies the reference `evolve`. `evolve_all`, which loads
    use, gives the same state much faster: the edits, the bulk of a history, are read in
    place (see `EditReader`): counted, and decoded only for the values the state keeps.
    Everything else (creation, acceptance, deletion, an edit stored at an older schema
    version or in any unexpected shape) takes the reference path, event by event.
    """

    state_schema_version = IdeaState.SCHEMA_VERSION

    def __init__(self, codec: EventCodec) -> None:
        self.codec = codec
        self.edits = EditReader(codec)

    def initial(self, stream_id: str) -> IdeaState:
        return IdeaState(idea_id=idea_id_of(stream_id) or stream_id)

    def evolve(self, state: IdeaState, event: RecordedEvent) -> IdeaState:
        return evolve(state, self.codec.decode(event), event.recorded_at)

    def evolve_all(self, state: IdeaState, events: Sequence[RecordedEvent]) -> IdeaState:
        """The state after `events`: the same as applying `evolve` to each in turn."""
        decode = self.codec.decode
        if not self.edits.reads_in_place():
            for record in events:
                state = evolve(state, decode(record), record.recorded_at)
            return state
        run_end = self.edits.run_end
        at, count = 0, len(events)
        while at < count:
            end = run_end(events, at)
            if end > at:
                state = self._edits(state, events, at, end)
            if end < count:
                record = events[end]
                state = evolve(state, decode(record), record.recorded_at)
            at = end + 1
        return state

    def _edits(
        self, state: IdeaState, events: Sequence[RecordedEvent], start: int, end: int
    ) -> IdeaState:
        """`state` after the checked edits `events[start:end]` (what `evolve` does to each)."""
        values = {"title": state.title, "description": state.description}
        return state.model_copy(
            update={
                **self.edits.last_values(events, start, end, values),
                "updated_at": events[end - 1].recorded_at,
                "edit_count": state.edit_count + (end - start),
            }
        )

    def dump(self, state: IdeaState) -> JsonObject:
        return self.codec.dump_state(stream_id_of(state.idea_id), state)

    def restore(self, data: JsonObject) -> IdeaState:
        idea_id = data.get("idea_id")
        return self.codec.load_state(stream_id_of(str(idea_id)), data)
