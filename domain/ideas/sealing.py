"""The shredding codec: the plain codec plus encryption of each event's private fields (and a
snapshot state's) under the stream's key. Reading never crashes on a payload it cannot open:
the private fields show `REDACTED` (no key: the stream was forgotten or the key store is
lost) or `CORRUPTED` (the ciphertext fails authentication)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable

from domain.core.codec import payload_checked, seal_clear
from domain.core.records import JsonObject, NewEvent, RecordedEvent, slot_builder
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
from domain.core.shredding.keys import KeyStore
from domain.core.shredding.packed import is_envelope
from domain.ideas.codec import PlainCodec, stream_id_of
from domain.ideas.events import IdeaEvent
from domain.ideas.state import IdeaState

STATE_PRIVATE = frozenset({"title", "description"})
_VIEW_FIELD = frozenset({"v"})
_MARKERS = frozenset({REDACTED, CORRUPTED})
_new_event = slot_builder(NewEvent)
"""`NewEvent(...)` of every field, built faster (one per event a command makes)."""


class ShreddingCodec:
    """Encrypts private fields at rest with a per-stream AES-256-GCM key."""

    envelope_key: str | None = SEALED

    def __init__(self, plain: PlainCodec, keys: KeyStore) -> None:
        self.plain = plain
        self.registry = plain.registry
        self.keys = keys

    def may_hold(self, data: JsonObject, field: str) -> bool:
        # Opening checks an envelope's field list against its content, so the list is
        # trustworthy: a field it leaves out cannot come out of the envelope.
        return data.get(field) is not None or field in sealed_fields(data)

    def encode(
        self,
        stream_id: str,
        event: IdeaEvent,
        *,
        metadata: JsonObject,
        event_id: uuid.UUID,
        version: int,
    ) -> NewEvent:
        private = type(event).PRIVATE
        if not private:
            return self.plain.encode(
                stream_id, event, metadata=metadata, event_id=event_id, version=version
            )
        # The plain codec's event with its data sealed, built once.
        event_type, schema_version, data = self.registry.encode(event)
        key = self.keys.create_key(stream_id)
        aad = aad_for_event(stream_id, version, str(event_id))
        return _new_event(
            event_type,
            seal(key, aad, data, private),
            schema_version,
            dict(metadata) if metadata else {},
            event_id,
        )

    def open(self, record: RecordedEvent) -> JsonObject:
        """The record's data with private fields opened (or marked unreadable)."""
        data = payload_checked(record)  # a packed envelope is opened from its bytes
        if not is_envelope(data.get(SEALED)):
            return data  # as open_sealed gives it, without looking up a key
        aad = aad_for_event(record.stream_id, record.version, str(record.event_id))
        opened, _ = open_sealed(self.keys.key_for(record.stream_id), aad, data)
        return opened

    def decode(self, record: RecordedEvent) -> IdeaEvent:
        event = self.registry.decode(record.type, record.schema_version, self.open(record))
        if not isinstance(event, IdeaEvent):
            raise TypeError(f"{record.type} is not an ideas event")
        return event

    def seal_clear(self, record: RecordedEvent) -> RecordedEvent:
        """`record`, checked by decoding it, with its private fields sealed if they are in
        clear (see `domain.core.codec.seal_clear`)."""
        return seal_clear(record, type(self.decode(record)).PRIVATE, self.keys)

    def _sealing_key(self, stream_id: str, values: Iterable[object]) -> bytes | None:
        """The key to seal `values` under; None when the stream has no key and the values are
        only markers of unreadable ones: nothing to protect, and a new key would make the
        stream's older events (sealed under the lost key) read as corrupted."""
        key = self.keys.key_for(stream_id)
        if key is None and all(v is None or v in _MARKERS for v in values):
            return None
        return key or self.keys.create_key(stream_id)

    def dump_state(self, stream_id: str, state: IdeaState) -> JsonObject:
        data = self.plain.dump_state(stream_id, state)
        key = self._sealing_key(stream_id, (data.get(name) for name in STATE_PRIVATE))
        if key is None:
            return data
        return seal(key, aad_for_state(stream_id), data, STATE_PRIVATE)

    def load_state(self, stream_id: str, data: JsonObject) -> IdeaState:
        opened, _ = open_sealed(self.keys.key_for(stream_id), aad_for_state(stream_id), data)
        return self.plain.load_state(stream_id, opened)

    def seal_text(self, idea_id: str, text: str) -> str:
        """A read-model value sealed under the idea's key, as one JSON text."""
        stream_id = stream_id_of(idea_id)
        key = self._sealing_key(stream_id, (text,))
        if key is None:
            return json.dumps({"v": text})
        return json.dumps(seal(key, aad_for_view(stream_id), {"v": text}, _VIEW_FIELD))

    def open_text(self, idea_id: str, stored: str) -> str:
        """The clear value of `seal_text`'s output (or a redaction/corruption marker)."""
        stream_id = stream_id_of(idea_id)
        try:
            data = json.loads(stored)
        except ValueError:
            return CORRUPTED
        if not isinstance(data, dict):
            return CORRUPTED
        opened, _ = open_sealed(self.keys.key_for(stream_id), aad_for_view(stream_id), data)
        value = opened.get("v")
        return value if isinstance(value, str) else CORRUPTED
