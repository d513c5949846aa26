"""Folding the global log into the ideas read model with as little decoding as its rows allow.

A row keeps the last title and description given, so of an idea's events between two saves
of the view only the last to set each private field is opened, when the view saves; the
others are checked from their stored shape alone (type, schema version, keys, idea id, value
types), as `EditReader` checks edits. Acceptances, deletions and tombstones carry nothing
private and are read from that check. Anything else — an older schema version, an
unexpected shape, a rejection (its reason is validated) — is decoded in full where it
stands. When a value chosen to be opened cannot be decoded, the idea's events since the last
save are read again from its stream and applied one by one, so the unreadable event is
skipped and reported as the event-by-event view would. The private values of overwritten
events are not validated (and a sealed one is never opened): payloads this system writes
were validated when written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Final

from domain.core.codec import payload_checked, payload_view
from domain.core.records import JsonObject, RecordedEvent
from domain.core.shredding.cipher import SEALED, sealed_fields
from domain.core.shredding.packed import ENVELOPE_TYPES, PackedEnvelope, packed_names
from domain.core.versioning import VersioningError
from domain.ideas.codec import EventCodec, remember_idea_id
from domain.ideas.events import (
    IdeaCreationAccepted,
    IdeaCreationRejected,
    IdeaCreationRequested,
    IdeaDeleted,
    IdeaEvent,
    IdeaForgotten,
    IdeaUpdated,
)
from domain.ideas.projection_row import IdeaRow
from domain.ideas.sealing import ShreddingCodec

_CREATED, _UPDATED, _ACCEPTED, _DELETED, _FORGOTTEN = range(5)
_KINDS: Final = (
    (IdeaCreationRequested, _CREATED),
    (IdeaCreationAccepted, _ACCEPTED),
    (IdeaUpdated, _UPDATED),
    (IdeaDeleted, _DELETED),
    (IdeaForgotten, _FORGOTTEN),
)
_CLEAR_TYPES: Final = frozenset({str, type(None)})
_ID_ONLY: Final = frozenset({"idea_id"})
_TOMBSTONE: Final = frozenset({"idea_id", "erased_events"})
_EMPTY: Final[JsonObject] = {}
_NEVER: Final = datetime.min

Skipped = list[tuple[int, str]]
Reread = Callable[[str, int, int], Sequence[RecordedEvent]]
"""(idea id, first version, last version) -> those events of the idea's stream."""
Replay = Callable[[str, Sequence[RecordedEvent], Skipped], None]
"""Apply an idea's events one by one to the changes being saved (the reference path)."""


class Unfoldable(Exception):
    """A value chosen to be opened could not be decoded."""


class Pending:
    """One idea's row as of the events folded since the view's last save, with each private
    field either known or still to be read from the event that last set it."""

    __slots__ = (
        "checked_id",
        "created_at",
        "deleted",
        "description",
        "description_from",
        "dropped",
        "exists",
        "first_version",
        "last_version",
        "skipped",
        "status",
        "stored",
        "title",
        "title_from",
        "touched",
        "updated_at",
        "version",
    )

    def __init__(self, stored: IdeaRow | None, first_version: int) -> None:
        self.stored = stored
        """The row as saved before these events (None: none listed)."""
        self.exists = stored is not None
        self.title = self.description = self.status = ""
        self.version = 0
        self.created_at = self.updated_at = _NEVER
        if stored is not None:
            self.title, self.description = stored.title, stored.description
            self.status, self.version = stored.status, stored.version
            self.created_at, self.updated_at = stored.created_at, stored.updated_at
        self.title_from: RecordedEvent | None = None
        self.description_from: RecordedEvent | None = None
        self.touched = False
        """Whether the events write the row (False: the stored row, if any, stands)."""
        self.deleted = self.dropped = False
        """Whether the idea's id joins the saved deleted / dropped (forgotten) ids."""
        self.first_version = first_version
        self.last_version = first_version
        self.checked_id = ""
        """The last idea id its events carried that was checked valid (they repeat it)."""
        self.skipped: Skipped | None = None
        """Events that could not be read (None: none; most ideas have none)."""


class IdeaFoldWindow:
    """The events of the global log folded since the view's last save, by idea."""

    def __init__(self, codec: EventCodec, stored: Callable[[str], IdeaRow | None]) -> None:
        self.codec = codec
        self._stored = stored
        self.ideas: dict[str, Pending] = {}
        self.first_position = 0
        self.last_position = 0
        self.events = 0
        self._kinds = _kinds(codec)
        self._allowed = _allowed(codec.envelope_key)
        self._ids: set[str] = set()
        """Idea ids seen valid, so an event's id is checked with one set lookup."""

    def add(self, events: Sequence[RecordedEvent]) -> None:
        """Fold a page of the log (following the last one added)."""
        if not events:
            return
        if not self.events:
            self.first_position = events[0].position
        self.last_position = events[-1].position
        self.events += len(events)
        by_idea: dict[str, list[RecordedEvent]] = {}
        for record in events:
            stream_id = record.stream_id
            # idea_id_of, inlined: this loop runs once per event of a rebuild.
            if stream_id.startswith("idea-") and len(stream_id) > 5:
                idea_id = stream_id[5:]
                own = by_idea.get(idea_id)
                if own is None:
                    by_idea[idea_id] = [record]
                else:
                    own.append(record)
        self._fold(by_idea)

    def changes(
        self,
        upserts: dict[str, IdeaRow],
        deleted: set[str],
        dropped: set[str],
        skipped: Skipped,
        reread: Reread,
        replay: Replay,
    ) -> None:
        """Add what the folded events change to the changes to save (which must not hold any
        of these ideas yet); an idea whose chosen values cannot be read is applied again
        event by event (`reread`, then `replay`)."""
        for idea_id, pending in self.ideas.items():
            if pending.exists and pending.touched:
                try:
                    title, description = self._open(pending)
                except Unfoldable:
                    records = reread(idea_id, pending.first_version, pending.last_version)
                    replay(idea_id, records, skipped)
                    continue
                upserts[idea_id] = IdeaRow(
                    idea_id,
                    title,
                    description,
                    pending.status,
                    pending.version,
                    pending.created_at,
                    pending.updated_at,
                )
            if pending.deleted:
                deleted.add(idea_id)
            if pending.dropped:
                dropped.add(idea_id)
            if pending.skipped:
                skipped.extend(pending.skipped)
        skipped.sort(key=lambda entry: entry[0])

    def _fold(self, by_idea: dict[str, list[RecordedEvent]]) -> None:
        """Fold each idea's events of a page (in log order) into its pending row."""
        codec = self.codec
        envelope = codec.envelope_key
        decode = codec.decode
        kinds, allowed = self._kinds, self._allowed
        edit_type, edit_version = next(
            (key for key, kind in kinds.items() if kind == _UPDATED), ("", 0)
        )
        ids = self._ids
        known = partial(remember_idea_id, ids)
        clear, empty = _CLEAR_TYPES, _EMPTY
        ideas, stored = self.ideas, self._stored
        envelopes = ENVELOPE_TYPES
        # Records of the memory store's class are read as kept (their envelopes possibly
        # packed: see `payload_view`), any other through `data`.
        viewed: type[RecordedEvent] | None = None
        view: Callable[[RecordedEvent], JsonObject] | None = None
        for records in by_idea.values():
            viewed = type(records[0])
            view = payload_view(viewed)
            break
        for idea_id, records in by_idea.items():
            p = ideas.get(idea_id)
            if p is None:
                p = ideas[idea_id] = Pending(stored(idea_id), records[0].version)
            p.last_version = records[-1].version
            # The pending row in locals (the loop below runs once per event), written back
            # at the end.
            exists, touched, deleted, dropped = p.exists, p.touched, p.deleted, p.dropped
            title_from, description_from = p.title_from, p.description_from
            status, version, updated_at = p.status, p.version, p.updated_at
            valid_id = p.checked_id
            run_from = -1  # where the run of checked edits being read started (-1: none)
            for at, record in enumerate(records):
                data = view(record) if view is not None and type(record) is viewed else record.data
                # Edits first, without building a key: they are most of a history.
                kind: int | None
                if record.type == edit_type and record.schema_version == edit_version:
                    kind = _UPDATED
                else:
                    kind = kinds.get((record.type, record.schema_version))
                if kind is not None and type(event_id := data.get("idea_id")) is str:
                    if event_id != valid_id:
                        if not (event_id in ids or known(event_id)):
                            kind = None
                        else:
                            valid_id = event_id
                    if kind is not None and kind <= _UPDATED:  # the kinds with private fields
                        if not (
                            data.keys() <= allowed[kind]
                            and type(data.get("title")) in clear
                            and type(data.get("description")) in clear
                            and type(data.get("minor", False)) is bool
                            and (envelope is None or type(data.get(envelope, empty)) in envelopes)
                        ):
                            kind = None
                        elif kind == _UPDATED:
                            # A run of edits is read when it ends: only its last edit to set
                            # each field matters (see _last_setters).
                            if exists and run_from < 0:
                                run_from = at
                            continue
                else:
                    kind = None
                if run_from >= 0:
                    title_from, description_from = self._last_setters(
                        records, run_from, at, title_from, description_from
                    )
                    last = records[at - 1]
                    version, updated_at, touched = last.version, last.recorded_at, True
                    run_from = -1
                if kind is not None:
                    if kind == _CREATED:
                        title, description = self._holds(data)
                        if title and description:
                            title_from = description_from = record
                            exists = touched = True
                            dropped = False
                            status, version = "requested", record.version
                            p.created_at = updated_at = record.recorded_at
                            continue
                        kind = None
                    elif kind == _FORGOTTEN:
                        if data.keys() == _TOMBSTONE and type(data["erased_events"]) is int:
                            exists = touched = deleted = False
                            dropped = True
                            title_from = description_from = None
                            continue
                        kind = None
                    elif data.keys() != _ID_ONLY:
                        kind = None
                    elif kind == _ACCEPTED:
                        if exists:
                            status, version, updated_at = (
                                "accepted",
                                record.version,
                                record.recorded_at,
                            )
                            touched = True
                        continue
                    else:  # deleted
                        exists = touched = False
                        deleted = True
                        title_from = description_from = None
                        continue
                # Decoded in full, and applied as the event-by-event view applies it.
                try:
                    event = decode(record)
                except (VersioningError, ValueError, TypeError) as exc:
                    if p.skipped is None:
                        p.skipped = []
                    p.skipped.append((record.position, str(exc)))
                    continue
                when = record.recorded_at
                match event:
                    case IdeaCreationRequested():
                        p.title, p.description = event.title, event.description
                        title_from = description_from = None
                        exists = touched = True
                        dropped = False
                        status, version, p.created_at, updated_at = (
                            "requested",
                            record.version,
                            when,
                            when,
                        )
                    case IdeaCreationAccepted() | IdeaCreationRejected() if exists:
                        status = (
                            "accepted" if isinstance(event, IdeaCreationAccepted) else "rejected"
                        )
                        version, updated_at, touched = record.version, when, True
                    case IdeaUpdated() if exists:
                        if event.title is not None:
                            p.title, title_from = event.title, None
                        if event.description is not None:
                            p.description, description_from = event.description, None
                        version, updated_at, touched = record.version, when, True
                    case IdeaDeleted():
                        exists = touched = False
                        deleted = True
                        title_from = description_from = None
                    case IdeaForgotten():
                        exists = touched = deleted = False
                        dropped = True
                        title_from = description_from = None
            if run_from >= 0:
                title_from, description_from = self._last_setters(
                    records, run_from, len(records), title_from, description_from
                )
                last = records[-1]
                version, updated_at, touched = last.version, last.recorded_at, True
            p.exists, p.touched, p.deleted, p.dropped = exists, touched, deleted, dropped
            p.title_from, p.description_from = title_from, description_from
            p.status, p.version, p.updated_at = status, version, updated_at
            p.checked_id = valid_id

    def _holds(self, data: JsonObject) -> tuple[bool, bool]:
        """Whether a checked payload (as `payload_checked` reads it) may set the title, the
        description (`codec.may_hold` of each, in one step for the sealing codec)."""
        codec = self.codec
        if type(codec) is not ShreddingCodec:
            return codec.may_hold(data, "title"), codec.may_hold(data, "description")
        sealed = data.get(SEALED)
        listed: Sequence[str]
        if type(sealed) is PackedEnvelope:
            listed = packed_names(sealed)
        else:
            listed = sealed.get("fields", ()) if type(sealed) is dict else ()
            if type(listed) is not list:
                listed = sealed_fields(data)
        return (
            data.get("title") is not None or "title" in listed,
            data.get("description") is not None or "description" in listed,
        )

    def _last_setters(
        self,
        records: Sequence[RecordedEvent],
        start: int,
        end: int,
        title_from: RecordedEvent | None,
        description_from: RecordedEvent | None,
    ) -> tuple[RecordedEvent | None, RecordedEvent | None]:
        """The events that set the title and the description last, after the checked edits
        `records[start:end]`: read from the last edit back (as kept: see `payload_checked`),
        until both are found. (The fold does not keep the payloads it read for this: most
        are never needed again, and keeping a page's worth would cost the collector more.)"""
        holds = self._holds
        title_found = description_found = False
        for index in range(end - 1, start - 1, -1):
            record = records[index]
            title, description = holds(payload_checked(record))
            if title and not title_found:
                title_from, title_found = record, True
            if description and not description_found:
                description_from, description_found = record, True
            if title_found and description_found:
                break
        return title_from, description_from

    def _open(self, p: Pending) -> tuple[str, str]:
        """The pending row's title and description, the chosen events decoded (each once)."""
        title, description = p.title, p.description
        title_from, description_from = p.title_from, p.description_from
        if title_from is not None:
            title = self._value(title_from, "title")
        if description_from is not None:
            if description_from is title_from:
                event = self._decoded(description_from)
                description = _text(event, "description", description_from)
            else:
                description = self._value(description_from, "description")
        return title, description

    def _value(self, record: RecordedEvent, name: str) -> str:
        return _text(self._decoded(record), name, record)

    def _decoded(self, record: RecordedEvent) -> IdeaEvent:
        try:
            return self.codec.decode(record)
        except (VersioningError, ValueError, TypeError) as exc:
            raise Unfoldable(record.position) from exc


def _text(event: IdeaEvent, name: str, record: RecordedEvent) -> str:
    found = getattr(event, name, None)
    if not isinstance(found, str):
        raise Unfoldable(record.position)
    return found


def _kinds(codec: EventCodec) -> dict[tuple[str, int], int]:
    """(type, schema version) of the events read from their shape: the newest version of each
    type whose registered model is the one this fold knows."""
    registry = codec.registry
    known = registry.types()
    return {
        (model.__name__, registry.latest_version(model.__name__)): kind
        for model, kind in _KINDS
        if model.__name__ in known and registry.model(model.__name__) is model
    }


def _allowed(envelope: str | None) -> dict[int, frozenset[str]]:
    """Per kind with private fields: whether a payload's keys are all its model allows."""
    extra = {envelope} if envelope else set()
    return {
        _UPDATED: frozenset(IdeaUpdated.model_fields).union(extra),
        _CREATED: frozenset(IdeaCreationRequested.model_fields).union(extra),
    }
