"""The stored format of the `eventsourcing` library (pyeventsourcing), decoded to plain JSON.

A stored event is (originator_id, originator_version, topic, state). `state` is the event's
attributes as JSON written by the library's JSONTranscoder — values it cannot write as JSON
are wrapped as `{"_type_": NAME, "_data_": VALUE}` — then optionally zlib-compressed
(ZlibCompressor), then optionally AES-GCM encrypted (AESCipher: nonce, tag, ciphertext).
Nothing here imports the library: only its format is read.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.core.records import JsonObject, RecordedEvent, Snapshot

SEALED: Final = "⟦sealed: encrypted by the application⟧"
"""Shown instead of an event's data when it is encrypted and no key opens it."""
SEALED_KEY: Final = "sealed"
SOURCE: Final = "eventsourcing"
UNKNOWN_TIME: Final = datetime(1970, 1, 1, tzinfo=UTC)
"""The time of an event whose timestamp is sealed."""

_NONCE: Final = 12
_TAG: Final = 16
_EVENT_IDS: Final = uuid.UUID("6f0c5b52-2d0e-4c8e-9a53-3b1f1c8e1a10")
"""Namespace of the event ids derived here (the library stores none)."""


class CipherKeyError(ValueError):
    """A cipher key that is not the base64 of 16, 24 or 32 bytes."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__(f"the cipher key from {source} is not base64 of 16, 24 or 32 bytes")


def cipher_key(text: str, source: str) -> bytes:
    """The AES key from its base64 text, as the library reads CIPHER_KEY."""
    try:
        key = base64.b64decode(text.encode("utf-8"), validate=True)
    except (binascii.Error, ValueError):
        raise CipherKeyError(source) from None
    if len(key) not in (16, 24, 32):
        raise CipherKeyError(source)
    return key


@dataclass(frozen=True, slots=True)
class DecodedState:
    """A stored state opened as far as possible: `data` is None when it stays sealed."""

    data: JsonObject | None
    compressed: bool
    encrypted: bool


def _is_json_object(blob: bytes) -> bool:
    if not blob.startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(blob.decode("utf-8")), dict)
    except (UnicodeDecodeError, ValueError):
        return False


def _inflate(blob: bytes) -> bytes | None:
    try:
        inflated = zlib.decompress(blob)
    except zlib.error:
        return None
    return inflated if _is_json_object(inflated) else None


@dataclass(frozen=True, slots=True)
class OpenedBytes:
    """A stored state's JSON bytes, as the library's transcoder wrote them (None: sealed)."""

    json: bytes | None
    compressed: bool
    encrypted: bool


def open_bytes(blob: bytes, key: bytes | None) -> OpenedBytes:
    """Undo what the library's cipher and compressor did to a stored state. The format is
    recognised from the bytes (JSON, zlib, else AES-GCM: nonce, tag, ciphertext), so one
    store may mix events written before and after compression or encryption was turned on."""
    blob = bytes(blob)
    if _is_json_object(blob):
        return OpenedBytes(blob, compressed=False, encrypted=False)
    inflated = _inflate(blob)
    if inflated is not None:
        return OpenedBytes(inflated, compressed=True, encrypted=False)
    if key is None or len(blob) < _NONCE + _TAG:
        return OpenedBytes(None, compressed=False, encrypted=True)
    nonce, tag, body = blob[:_NONCE], blob[_NONCE : _NONCE + _TAG], blob[_NONCE + _TAG :]
    try:
        opened = AESGCM(key).decrypt(nonce, body + tag, None)
    except InvalidTag:  # another key, or damaged: it stays sealed
        return OpenedBytes(None, compressed=False, encrypted=True)
    if _is_json_object(opened):
        return OpenedBytes(opened, compressed=False, encrypted=True)
    inflated = _inflate(opened)
    return OpenedBytes(inflated, compressed=True, encrypted=True)


def decode_state(blob: bytes, key: bytes | None) -> DecodedState:
    """Open a stored state (see `open_bytes`) and decode its JSON to plain values."""
    opened = open_bytes(blob, key)
    data = None if opened.json is None else plain_json(json.loads(opened.json.decode("utf-8")))
    return DecodedState(data, compressed=opened.compressed, encrypted=opened.encrypted)


def _unwrap(name: str, value: Any) -> Any:
    """A transcoded value as JSON: UUIDs as their usual string, datetimes as ISO text (as
    stored), decimals as their exact string; another type stays wrapped, as stored."""
    if name == "uuid_hex" and isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    if name in ("datetime_iso", "decimal_str", "date_iso") and isinstance(value, str):
        return value
    return {"_type_": name, "_data_": plain_json(value)}


def plain_json(value: Any) -> Any:
    """`value` with every transcoding wrapper replaced by a JSON-friendly value."""
    if isinstance(value, dict):
        if len(value) == 2 and isinstance(value.get("_type_"), str) and "_data_" in value:
            return _unwrap(value["_type_"], value["_data_"])
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_json(v) for v in value]
    return value


def split_topic(topic: str) -> tuple[str, str | None]:
    """(event type, aggregate topic) of an event topic `module:Outer.Inner`: the type is the
    class's qualified name within its module; the aggregate is the enclosing class's topic."""
    module, _, qualname = topic.partition(":")
    if not qualname:
        return topic, None
    outer, dot, _ = qualname.rpartition(".")
    return qualname, (f"{module}:{outer}" if dot else None)


def stream_id_of(originator_id: str) -> str:
    """The stream id shown for an originator id: a UUID (stored as 32 hex digits) in its
    usual dashed form, any other id as it is."""
    if len(originator_id) == 32:
        try:
            return str(uuid.UUID(hex=originator_id))
        except ValueError:
            pass
    return originator_id


def originator_ids_of(stream_id: str) -> list[str]:
    """The stored originator ids a stream id may stand for (a UUID as stored by the library,
    or the text as it is)."""
    try:
        return [uuid.UUID(stream_id).hex, stream_id]
    except ValueError:
        return [stream_id]


def event_id_of(originator_id: str, version: int) -> uuid.UUID:
    """A stable id for a stored event (the library keeps none): same row, same id."""
    return uuid.uuid5(_EVENT_IDS, f"{originator_id}/{version}")


def _time(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return UNKNOWN_TIME
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return UNKNOWN_TIME


def to_record(
    position: int, originator_id: str, version: int, topic: str, blob: bytes, key: bytes | None
) -> RecordedEvent:
    """One row of the library's events table as a recorded event: `type` is the event class,
    the full topic, the aggregate class and the raw originator id go in the metadata."""
    decoded = decode_state(blob, key)
    event_type, aggregate = split_topic(topic)
    metadata: JsonObject = {"source": SOURCE, "topic": topic, "originator_id": originator_id}
    if aggregate is not None:
        metadata["aggregate"] = aggregate
    if decoded.compressed:
        metadata["compressed"] = True
    if decoded.encrypted:
        metadata["encrypted"] = True
    schema_version = 1
    if decoded.data is None:
        data: JsonObject = {SEALED_KEY: SEALED}
        recorded_at = UNKNOWN_TIME
    else:
        data = dict(decoded.data)
        recorded_at = _time(data.pop("timestamp", None))
        class_version = data.pop("class_version", 1)
        if isinstance(class_version, int) and not isinstance(class_version, bool):
            schema_version = max(class_version, 1)
    return RecordedEvent(
        event_id=event_id_of(originator_id, version),
        stream_id=stream_id_of(originator_id),
        version=version,
        position=position,
        type=event_type,
        schema_version=schema_version,
        recorded_at=recorded_at,
        data=data,
        metadata=metadata,
    )


def to_snapshot(
    originator_id: str, version: int, topic: str, blob: bytes, key: bytes | None
) -> Snapshot:
    """One row of the library's snapshots table: the aggregate's state as of `version`."""
    decoded = decode_state(blob, key)
    if decoded.data is None:
        state: JsonObject = {SEALED_KEY: SEALED}
        taken_at = UNKNOWN_TIME
    else:
        inner = decoded.data.get("state")
        state = dict(inner) if isinstance(inner, dict) else {}
        taken_at = _time(decoded.data.get("timestamp"))
        aggregate = decoded.data.get("topic")
        if isinstance(aggregate, str):
            state = {"_topic_": aggregate, **state}
    return Snapshot(
        stream_id=stream_id_of(originator_id),
        version=version,
        last_event_id=event_id_of(originator_id, version),
        state=state,
        state_schema_version=1,
        taken_at=taken_at,
    )
