"""The generic sealing codec: typed events to stored payloads and back, with each event's
private fields (as the Domain declares them) sealed under the stream's key.

Stored payloads have the same shape as the ideas' shredding codec writes (one `$sealed`
envelope bound to stream, version and event id), so either codec reads the other's events.
Without a key store every field is stored in clear.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel

from domain.core.records import JsonObject, NewEvent, RecordedEvent
from domain.core.shredding.cipher import (
    CORRUPTED,
    REDACTED,
    SEALED,
    aad_for_event,
    aad_for_state,
    aad_for_view,
    open_sealed,
    seal,
    sealed_fields,
)
from domain.core.versioning import EventRegistry

S = TypeVar("S", bound=BaseModel)

_MARKERS = frozenset({REDACTED, CORRUPTED})
_VIEW_FIELD = frozenset({"v"})


PayloadPeek = Callable[[RecordedEvent], JsonObject]


def payload_peek(record_type: type[RecordedEvent]) -> PayloadPeek | None:
    """How to read the payload of a record of `record_type` without keeping it parsed, for a
    reader that looks at each payload of a long replay once; None: read `data`.

    A store may hand out records whose payload stays the stored JSON text until first read,
    then is kept (SQLite's reads of a stream). Such a record class has a `peek_data()` that
    gives what `data` gives, parsing it afresh (not kept) while it is still text, so a replay
    builds no payload objects that outlive their turn for the garbage collector to walk."""
    peek = getattr(record_type, "peek_data", None)
    return peek if callable(peek) else None


def payload_view(record_type: type[RecordedEvent]) -> PayloadPeek | None:
    """How to read the payload of a record of `record_type` as its store keeps it, for a
    reader that only checks the payload's shape and reads its clear fields (a fast fold):
    None when the class has no such view (read `data`, or `payload_peek`).

    The memory store keeps a sealed envelope packed (`domain.core.shredding.packed`), and
    unpacks it for every read of `data`; its records' `view_data()` gives the kept payload,
    in which the envelope may still be packed. A reader of a view tests the envelope with
    `is_envelope`, lists its fields with `sealed_fields` and opens it with `open_sealed`
    (see `payload_checked`); it never hands the view on."""
    view = getattr(record_type, "view_data", None)
    return view if callable(view) else None


_peeks: dict[type[RecordedEvent], PayloadPeek | None] = {}
_views: dict[type[RecordedEvent], PayloadPeek] = {}


def payload_checked(record: RecordedEvent) -> JsonObject:
    """The payload of `record` for a reader that checks its shape, which fields it holds
    (`sealed_fields`, `is_envelope`) or opens it (`open_sealed`): as its store keeps it when
    the record's class has a view (`payload_view`), else `payload_of`. It differs from
    `data` only in that its envelope may be packed: never hand it on as it is."""
    cls = type(record)
    try:
        view = _views[cls]
    except KeyError:
        view = _views[cls] = payload_view(cls) or payload_of
    return view(record)


def payload_of(record: RecordedEvent) -> JsonObject:
    """`record.data`, read without keeping it parsed when the record's class parses its
    payload on first read (see `payload_peek`): for a decoder, which reads a payload once,
    so a replay event by event leaves no payload objects behind for the collector either."""
    cls = type(record)
    try:
        peek = _peeks[cls]
    except KeyError:
        peek = _peeks[cls] = payload_peek(cls)
    return record.data if peek is None else peek(record)


class Keys(Protocol):
    """The part of a key store the codec and handler use (any `domain.shredding` key store)."""

    def key_for(self, stream_id: str) -> bytes | None: ...

    def create_key(self, stream_id: str) -> bytes: ...

    def destroy(self, stream_id: str) -> bool: ...


class DomainCodec(Generic[S]):
    """Encodes a domain's events (sealing their private fields) and decodes stored ones."""

    def __init__(
        self,
        registry: EventRegistry,
        state: type[S],
        *,
        private: Mapping[str, frozenset[str]],
        state_private: frozenset[str],
        keys: Keys | None = None,
    ) -> None:
        self.registry = registry
        self.state = state
        self.private = dict(private)
        self.state_private = state_private
        self.keys = keys
        self.envelope_key: str | None = SEALED if keys is not None else None

    def may_hold(self, data: JsonObject, field: str) -> bool:
        """Whether the stored payload may carry `field`, in clear or sealed."""
        return data.get(field) is not None or field in sealed_fields(data)

    def encode(
        self,
        stream_id: str,
        event: BaseModel,
        *,
        metadata: JsonObject,
        event_id: uuid.UUID,
        version: int,
    ) -> NewEvent:
        """The event to append at `version` (the ciphertext is bound to that place)."""
        event_type, schema_version, data = self.registry.encode(event)
        private = self.private.get(event_type, frozenset())
        if self.keys is not None and private:
            key = self.keys.create_key(stream_id)
            data = seal(key, aad_for_event(stream_id, version, str(event_id)), data, private)
        # As `registry.to_new_event` builds it, the data sealed: one event built, not two.
        return NewEvent(
            event_type, data, schema_version, dict(metadata) if metadata else {}, event_id
        )

    def open(self, record: RecordedEvent) -> JsonObject:
        """The record's data with private fields opened (or marked unreadable)."""
        stored = payload_checked(record)  # a packed envelope is opened from its bytes
        if SEALED not in stored:
            return stored
        key = self.keys.key_for(record.stream_id) if self.keys is not None else None
        aad = aad_for_event(record.stream_id, record.version, str(record.event_id))
        data, _ = open_sealed(key, aad, stored)
        return data

    def decode(self, record: RecordedEvent) -> BaseModel:
        """The newest model of the stored event (upcast through the registry)."""
        return self.registry.decode(record.type, record.schema_version, self.open(record))

    def seal_clear(self, record: RecordedEvent) -> RecordedEvent:
        """`record`, checked by decoding it, with its private fields sealed if they are in
        clear (see `seal_clear`; without a key store, as it is)."""
        self.decode(record)
        if self.keys is None:
            return record
        return seal_clear(record, self.private.get(record.type, frozenset()), self.keys)

    def _sealing_key(self, stream_id: str, values: Iterable[object]) -> bytes | None:
        # No key and only markers of unreadable values: nothing to protect, and a new key
        # would make the stream's older events read as corrupted instead of shredded.
        if self.keys is None:
            return None
        key = self.keys.key_for(stream_id)
        if key is None and all(v is None or v in _MARKERS for v in values):
            return None
        return key or self.keys.create_key(stream_id)

    def dump_state(self, stream_id: str, state: S) -> JsonObject:
        """A snapshot's state, its private fields sealed."""
        data = state.model_dump(mode="json")
        key = self._sealing_key(stream_id, (data.get(name) for name in self.state_private))
        if key is None:
            return data
        return seal(key, aad_for_state(stream_id), data, self.state_private)

    def load_state(self, stream_id: str, data: JsonObject) -> S:
        """A snapshot's state, opened."""
        key = self.keys.key_for(stream_id) if self.keys is not None else None
        opened, _ = open_sealed(key, aad_for_state(stream_id), data)
        return self.state.model_validate(opened)

    def seal_text(self, stream_id: str, text: str) -> str:
        """A read-model value sealed under the stream's key, as one JSON text (a view
        storage keeps private columns this way, so forget shreds them too)."""
        key = self._sealing_key(stream_id, (text,))
        if key is None:
            return json.dumps({"v": text})
        return json.dumps(seal(key, aad_for_view(stream_id), {"v": text}, _VIEW_FIELD))

    def open_text(self, stream_id: str, stored: str) -> str:
        """The clear value of `seal_text`'s output (or a redaction/corruption marker)."""
        try:
            data = json.loads(stored)
        except ValueError:
            return CORRUPTED
        if not isinstance(data, dict):
            return CORRUPTED
        key = self.keys.key_for(stream_id) if self.keys is not None else None
        opened, _ = open_sealed(key, aad_for_view(stream_id), data)
        value = opened.get("v")
        return value if isinstance(value, str) else CORRUPTED


def seal_clear(record: RecordedEvent, private: frozenset[str], keys: Keys) -> RecordedEvent:
    """`record` with its `private` fields sealed under the stream's key if they are in clear
    (an export edited by hand, or written by another tool), else `record` itself. ValueError
    if private fields are both sealed and in clear: one envelope per event, and the sealed
    one cannot be opened to merge them."""
    clear = sorted(f for f in private if record.data.get(f) is not None)
    if not clear:
        return record
    if SEALED in record.data:
        raise ValueError(f"private field(s) {', '.join(clear)} in clear beside a sealed envelope")
    key = keys.create_key(record.stream_id)
    aad = aad_for_event(record.stream_id, record.version, str(record.event_id))
    return dataclasses.replace(record, data=seal(key, aad, record.data, private))
