"""The record the memory store keeps for each event: a `RecordedEvent`, made smaller.

Each field a reader of many events reads (stream, version, position, type, schema version,
time) is held as it is handed out, so loads and catch-ups read the stored record itself;
the data's strings are shared with other events' (see `sharing`). The event id is held as
its 128-bit integer and the metadata packed as a tuple of its values (see `packing`): each
is rebuilt when read, a fraction of a microsecond, and together they save about 200 bytes
an event (the `UUID` object and a dictionary). Rebuilt metadata is a new dictionary each
time, so a caller that changes it changes nothing stored.

The data stays a dictionary, but its sealed envelope, if any, is kept packed (see
`domain.core.shredding.packed`): about 320 bytes less an event. Data with a packed envelope
is a new dictionary each time it is read (about half a microsecond); a reader that only
checks a payload's shape and reads its clear fields, as the fast folds do for every edit
of a load, reads the kept dictionary in place through `view_data` (see `payload_view`).
Keeping the data as a tuple of its values, as the metadata is, was tried: 110 bytes less an
event, but every such reader then rebuilt a dictionary per event (0.2 µs), which cost the
fast fold half its speed and the read model's rebuild a sixth.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar, Final

from domain.backends.memory.packing import Packed, Packer, unpack
from domain.backends.memory.sharing import Sharing
from domain.core.records import JsonObject, NewEvent, RecordedEvent, fields_equal
from domain.core.shredding.cipher import SEALED
from domain.core.shredding.packed import PackedEnvelope, pack_envelope, unpack_envelope
from domain.core.validation import private_copy

_SLOTS: Final = RecordedEvent.__dict__
_GET_ID, _SET_ID = _SLOTS["event_id"].__get__, _SLOTS["event_id"].__set__
_GET_META, _SET_META = _SLOTS["metadata"].__get__, _SLOTS["metadata"].__set__
_GET_DATA, _SET_DATA = _SLOTS["data"].__get__, _SLOTS["data"].__set__
_SET_STREAM, _SET_VERSION, _SET_POSITION, _SET_TYPE, _SET_SCHEMA, _SET_AT = (
    _SLOTS[name].__set__
    for name in ("stream_id", "version", "position", "type", "schema_version", "recorded_at")
)
_new = object.__new__
_SET_INT, _SET_SAFE = uuid.UUID.__dict__["int"].__set__, uuid.UUID.__dict__["is_safe"].__set__
_UNKNOWN: Final = uuid.SafeUUID.unknown

Owned = tuple[NewEvent, JsonObject, JsonObject | Packed]
"""An event to keep, with private copies of its data (its strings shared) and metadata
(packed)."""


def _uuid(number: int) -> uuid.UUID:
    """The UUID of a 128-bit integer, its two slots set directly: `UUID.__init__` checks its
    arguments and goes through `object.__setattr__`, three times slower (the integer came
    from a UUID)."""
    found: uuid.UUID = _new(uuid.UUID)
    _SET_INT(found, number)
    _SET_SAFE(found, _UNKNOWN)
    return found


def opened(data: JsonObject) -> JsonObject:
    """`data` as kept, with its sealed envelope unpacked if it is packed (a new dictionary
    then; `data` itself otherwise)."""
    sealed = data.get(SEALED)
    if type(sealed) is not PackedEnvelope:
        return data
    found = dict(data)
    found[SEALED] = unpack_envelope(sealed)
    return found


class KeptEvent(RecordedEvent):
    """A RecordedEvent as the memory store keeps it: equal to (and hashing as) the
    RecordedEvent of the same fields; see the module's summary for what it holds."""

    __slots__ = ()

    @property
    def event_id(self) -> uuid.UUID:
        found = _GET_ID(self, KeptEvent)
        return _uuid(found) if type(found) is int else found

    @event_id.setter
    def event_id(self, value: uuid.UUID) -> None:  # the dataclass __init__ (as `replace` runs it)
        _SET_ID(self, value)

    @property
    def data(self) -> JsonObject:
        return opened(_GET_DATA(self, KeptEvent))

    @data.setter
    def data(self, value: JsonObject) -> None:
        _SET_DATA(self, value)

    view_data: ClassVar[Callable[[RecordedEvent], JsonObject]] = staticmethod(_GET_DATA)
    """The payload as kept, for a check of its shape (see `payload_view`): its sealed
    envelope, if any, may still be packed. The slot's own getter: a fold calls it for every
    edit of a load, and a method would cost it a third more."""

    @property
    def metadata(self) -> JsonObject:
        found = _GET_META(self, KeptEvent)
        kept: JsonObject = found[0](found) if type(found) is tuple else found
        return kept

    @metadata.setter
    def metadata(self, value: JsonObject) -> None:
        _SET_META(self, value)

    __eq__ = fields_equal

    __hash__ = RecordedEvent.__hash__


def id_key(record: RecordedEvent) -> int:
    """The integer of a record's event id, read without building its UUID."""
    found = _GET_ID(record, type(record))
    return found if type(found) is int else found.int


class Keeper:
    """Builds the records a memory store keeps, sharing equal strings between them."""

    __slots__ = ("packer", "sharing")

    def __init__(self) -> None:
        self.sharing = Sharing()
        self.packer = Packer(self.sharing)

    def record(
        self, new: NewEvent, stream_id: str, version: int, position: int, at: datetime
    ) -> KeptEvent:
        """The kept record of `new` (its payloads private copies, as `normalise_events`
        makes them), stored at `version` of `stream_id` (the stream's own id object), at
        `position`, at time `at`."""
        return self._build(
            new.event_id, stream_id, version, position, new.type, new.schema_version, at,
            self.sharing.payload(new.data), self.packer.pack(new.metadata),
        )  # fmt: skip

    def own(self, new: NewEvent, index: int) -> Owned:
        """Private copies of `new`'s payloads (for `check_batch`: refused as
        `normalise_events` refuses them), the data already as the store keeps it (its short
        strings shared), made in one walk of a plain payload instead of a copy and then a
        shared rebuild of the copy."""
        data = self.sharing.owned(new.data, envelope=True)
        if data is None:
            data = self.sharing.payload(private_copy(new.data, "data", index))
        return new, data, self.packer.pack_copy(new.metadata, "metadata", index)

    def payload(self, value: object, field: str, index: int | None) -> JsonObject:
        """`private_copy` of `value` (refusing what it refuses) as the store keeps it: its
        short strings shared, in one walk when it is plain JSON."""
        owned = self.sharing.owned(value)
        if owned is not None:
            return owned
        return self.sharing.payload(private_copy(value, field, index))

    def record_owned(
        self, owned: Owned, stream_id: str, version: int, position: int, at: datetime
    ) -> KeptEvent:
        """`record` of an event whose payloads `own` copied."""
        new, data, metadata = owned
        return self._build(
            new.event_id, stream_id, version, position, new.type, new.schema_version, at,
            data, metadata,
        )  # fmt: skip

    @staticmethod
    def owned_event(owned: Owned) -> NewEvent:
        """The event `own` copied, as its copies hold it (to compare with a stored one)."""
        new, data, metadata = owned
        meta = unpack(metadata) if isinstance(metadata, tuple) else metadata
        return NewEvent(new.type, opened(data), new.schema_version, meta, new.event_id)

    def copy(self, record: RecordedEvent, stream_id: str) -> KeptEvent:
        """The kept record of an imported `record` (its payloads private copies, as
        `check_import_records` makes them), in the stream whose id object is `stream_id`."""
        return self._build(
            record.event_id, stream_id, record.version, record.position, record.type,
            record.schema_version, record.recorded_at, self.sharing.payload(record.data),
            self.packer.pack(record.metadata),
        )  # fmt: skip

    def _build(
        self,
        event_id: uuid.UUID,
        stream_id: str,
        version: int,
        position: int,
        kind: str,
        schema_version: int,
        at: datetime,
        data: JsonObject,
        metadata: JsonObject | Packed,
    ) -> KeptEvent:
        """The record of payloads already in the form kept (the data's strings shared, the
        metadata packed)."""
        record: KeptEvent = _new(KeptEvent)
        _SET_ID(record, event_id.int)
        _SET_STREAM(record, stream_id)
        _SET_VERSION(record, version)
        _SET_POSITION(record, position)
        _SET_TYPE(record, self.sharing.text(kind))
        _SET_SCHEMA(record, schema_version)
        _SET_AT(record, at)
        sealed = data.get(SEALED)
        if type(sealed) is dict:  # not packed yet (`own` packs it as it copies)
            packed = pack_envelope(sealed)
            if packed is not None:
                data[SEALED] = packed  # the store's own copy: changed in place
        _SET_DATA(record, data)
        _SET_META(record, metadata)
        return record
