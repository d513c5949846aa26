"""The read side: `IdeaView`, a projection of the global log into a table of ideas.

It keeps a checkpoint (the last position applied) next to its rows and writes both in one
step, so it catches up after a pause or a restart and never applies an event twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from domain.core.consumer import LogConsumer
from domain.core.protocol import EventStore
from domain.core.records import RecordedEvent
from domain.core.versioning import VersioningError
from domain.ideas.codec import EditReader, EventCodec, idea_id_of
from domain.ideas.errors import IdeaDeletedError, IdeaNotFoundError
from domain.ideas.events import (
    IdeaCreationAccepted,
    IdeaCreationRejected,
    IdeaCreationRequested,
    IdeaDeleted,
    IdeaForgotten,
    IdeaUpdated,
)


@dataclass(frozen=True, slots=True)
class IdeaRow:
    """One idea as the read model lists it."""

    idea_id: str
    title: str
    description: str
    status: str
    """requested, accepted or rejected (deleted and forgotten ideas are not listed)."""
    version: int
    created_at: datetime
    updated_at: datetime


class ViewStorage(Protocol):
    """Where the view keeps its rows and checkpoint; `commit` writes both atomically."""

    def checkpoint(self) -> int: ...

    def get(self, idea_id: str) -> IdeaRow | None: ...

    def is_deleted(self, idea_id: str) -> bool: ...

    def rows(self) -> list[IdeaRow]: ...

    def commit(
        self,
        upserts: dict[str, IdeaRow],
        deleted: set[str],
        dropped: set[str],
        checkpoint: int,
        *,
        first_position: int,
    ) -> bool:
        """Write the changes and the new checkpoint atomically — unless the stored
        checkpoint already reached `first_position` (another process applied this page):
        then write nothing and return False."""
        ...

    def reset(self) -> None: ...


class MemoryViewStorage:
    """View storage in this process's memory."""

    def __init__(self) -> None:
        self._rows: dict[str, IdeaRow] = {}
        self._deleted: set[str] = set()
        self._checkpoint = 0
        self._lock = threading.Lock()

    def checkpoint(self) -> int:
        return self._checkpoint

    def get(self, idea_id: str) -> IdeaRow | None:
        return self._rows.get(idea_id)

    def is_deleted(self, idea_id: str) -> bool:
        return idea_id in self._deleted

    def rows(self) -> list[IdeaRow]:
        with self._lock:
            return list(self._rows.values())

    def commit(
        self,
        upserts: dict[str, IdeaRow],
        deleted: set[str],
        dropped: set[str],
        checkpoint: int,
        *,
        first_position: int,
    ) -> bool:
        with self._lock:
            if self._checkpoint >= first_position:
                return False
            self._rows.update(upserts)
            for idea_id in deleted | dropped:
                self._rows.pop(idea_id, None)
            self._deleted |= deleted
            self._deleted -= dropped
            self._checkpoint = checkpoint
            return True

    def reset(self) -> None:
        with self._lock:
            self._rows.clear()
            self._deleted.clear()
            self._checkpoint = 0


ViewListener = Callable[["IdeaView"], None]


class IdeaView(LogConsumer):
    """The ideas read model: list ideas that are not deleted, get one by id."""

    rebuild_page_size = 50_000
    """Events per page of a rebuild (a few MB of records in memory at once)."""

    def __init__(
        self,
        store: EventStore,
        codec: EventCodec,
        storage: ViewStorage | None = None,
        *,
        threaded: bool = False,
        delay: float = 0.0,
    ) -> None:
        super().__init__(store, threaded=threaded, delay=delay)
        self.codec = codec
        self._edits = EditReader(codec)
        self.storage = storage if storage is not None else MemoryViewStorage()
        self._listeners: list[ViewListener] = []
        self.skipped: list[tuple[int, str]] = []
        """(position, reason) of events the view could not read (e.g. shredded payloads)."""

    @property
    def checkpoint(self) -> int:
        return self.storage.checkpoint()

    def on_change(self, listener: ViewListener) -> None:
        """Call `listener(view)` after each applied page (from the applying thread)."""
        self._listeners.append(listener)

    # -- queries ------------------------------------------------------------------------

    def list(self) -> list[IdeaRow]:
        """Ideas not deleted, oldest first."""
        return sorted(self.storage.rows(), key=lambda r: (r.created_at, r.idea_id))

    def get(self, idea_id: str) -> IdeaRow:
        """One idea; IdeaNotFoundError if unknown or forgotten, IdeaDeletedError if deleted."""
        row = self.storage.get(idea_id)
        if row is not None:
            return row
        if self.storage.is_deleted(idea_id):
            raise IdeaDeletedError(idea_id, "read")
        raise IdeaNotFoundError(idea_id)

    def rebuild(self) -> int:
        """Drop everything and replay the whole log from position 1, in pages of
        `rebuild_page_size` events."""
        with self._lock:
            self.storage.reset()
            self.skipped.clear()
            # Within a page an idea's edits cost one decoded edit per field however many
            # there are; with many ideas interleaved, a small page holds one event per idea
            # and every one would be opened and validated.
            page_size, self.page_size = self.page_size, self.rebuild_page_size
            try:
                return self.catch_up()
            finally:
                self.page_size = page_size

    # -- applying -----------------------------------------------------------------------

    def handle(self, events: Sequence[RecordedEvent]) -> None:
        page = _Page(self.storage)
        # Edits are read in place (see EditReader): an idea's run of edits in a page costs
        # one decoded edit per private field, not one per edit. They wait in `pending` until
        # another event of the same idea or the end of the page.
        pending: dict[str, list[RecordedEvent]] = {}
        in_place = self._edits.reads_in_place()
        run_end = self._edits.run_end
        at, count = 0, len(events)
        while at < count:
            end = run_end(events, at) if in_place else at
            for index in range(at, end):
                record = events[index]
                idea_id = idea_id_of(record.stream_id)
                if idea_id is not None:
                    edits = pending.get(idea_id)
                    if edits is None:
                        pending[idea_id] = [record]
                    else:
                        edits.append(record)
            if end < count:
                record = events[end]
                idea_id = idea_id_of(record.stream_id)
                if idea_id is not None:  # not an idea stream: other processes may write others
                    edits = pending.pop(idea_id, None)
                    if edits:
                        self._apply_edits(idea_id, edits, page)
                    self._apply(idea_id, record, page)
            at = end + 1
        for idea_id, edits in pending.items():
            self._apply_edits(idea_id, edits, page)
        applied = self.storage.commit(
            page.upserts,
            page.deleted,
            page.dropped,
            events[-1].position,
            first_position=events[0].position,
        )
        if not applied:
            return  # another process sharing this storage applied the page first
        for listener in self._listeners:
            listener(self)

    def _apply_edits(self, idea_id: str, edits: Sequence[RecordedEvent], page: _Page) -> None:
        """Apply an idea's run of well-formed edits: the row takes the last value given to
        each field and the last edit's version and time."""
        row = page.current(idea_id)
        if row is None:
            return  # as for a single edit: no row, nothing to change
        try:
            values = self._edits.last_values(
                edits, 0, len(edits), {"title": row.title, "description": row.description}
            )
        except (VersioningError, ValueError, TypeError):
            for record in edits:  # one by one, so the unreadable one is skipped and reported
                self._apply(idea_id, record, page)
            return
        title, description = values["title"], values["description"]
        last = edits[-1]
        # Built whole: dataclasses.replace costs several times more, once per idea per page.
        page.upserts[idea_id] = IdeaRow(
            row.idea_id,
            title if title is not None else row.title,
            description if description is not None else row.description,
            row.status,
            last.version,
            row.created_at,
            last.recorded_at,
        )

    def _apply(self, idea_id: str, record: RecordedEvent, page: _Page) -> None:
        """Decode one event and apply it to the page's changes."""
        try:
            event = self.codec.decode(record)
        except (VersioningError, ValueError, TypeError) as exc:
            self.skipped.append((record.position, str(exc)))
            return
        at = record.recorded_at
        upserts, deleted, dropped = page.upserts, page.deleted, page.dropped
        row = page.current(idea_id)
        match event:
            case IdeaCreationRequested(title=title, description=description):
                upserts[idea_id] = IdeaRow(
                    idea_id, title, description, "requested", record.version, at, at
                )
                dropped.discard(idea_id)
            case IdeaCreationAccepted() if row:
                upserts[idea_id] = _moved(row, "accepted", record.version, at)
            case IdeaCreationRejected() if row:
                upserts[idea_id] = _moved(row, "rejected", record.version, at)
            case IdeaUpdated(title=title, description=description) if row:
                upserts[idea_id] = replace(
                    row,
                    title=title if title is not None else row.title,
                    description=description if description is not None else row.description,
                    version=record.version,
                    updated_at=at,
                )
            case IdeaDeleted():
                upserts.pop(idea_id, None)
                deleted.add(idea_id)
            case IdeaForgotten():
                upserts.pop(idea_id, None)
                deleted.discard(idea_id)
                dropped.add(idea_id)


def _moved(row: IdeaRow, status: str, version: int, at: datetime) -> IdeaRow:
    """`row` with a new status, version and time (built whole: `replace` costs more)."""
    return IdeaRow(row.idea_id, row.title, row.description, status, version, row.created_at, at)


class _Page:
    """The changes one page of events makes to a view's storage, written in one commit."""

    def __init__(self, storage: ViewStorage) -> None:
        self.storage = storage
        self.upserts: dict[str, IdeaRow] = {}
        self.deleted: set[str] = set()
        self.dropped: set[str] = set()

    def current(self, idea_id: str) -> IdeaRow | None:
        """The idea's row as of the changes so far."""
        if idea_id in self.upserts:
            return self.upserts[idea_id]
        if idea_id in self.deleted or idea_id in self.dropped:
            return None
        return self.storage.get(idea_id)
