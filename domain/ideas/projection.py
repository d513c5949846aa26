"""The read side: `IdeaView`, a projection of the global log into a table of ideas.

It keeps a checkpoint (the last position applied) next to its rows and writes both in one
step, so it catches up after a pause or a restart and never applies an event twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from domain.core.consumer import LogConsumer
from domain.core.protocol import EventStore
from domain.core.records import RecordedEvent
from domain.core.versioning import VersioningError
from domain.ideas.codec import EditReader, EventCodec, idea_id_of, stream_id_of
from domain.ideas.errors import IdeaDeletedError, IdeaNotFoundError
from domain.ideas.events import (
    IdeaCreationAccepted,
    IdeaCreationRejected,
    IdeaCreationRequested,
    IdeaDeleted,
    IdeaForgotten,
    IdeaUpdated,
)
from domain.ideas.projection_fold import IdeaFoldWindow, Skipped
from domain.ideas.projection_row import IdeaRow

__all__ = ["IdeaRow", "IdeaView", "MemoryViewStorage", "ViewStorage"]


class ViewStorage(Protocol):
    """Where the view keeps its rows and checkpoint; `commit` writes both atomically."""

    def checkpoint(self) -> int: ...

    def get(self, idea_id: str) -> IdeaRow | None: ...

    def is_deleted(self, idea_id: str) -> bool: ...

    def rows(self) -> list[IdeaRow]:
        """Every row, in idea-id order (whatever order the rows were written in)."""
        ...

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


def _idea_id(row: IdeaRow) -> str:
    return row.idea_id


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
            return sorted(self._rows.values(), key=_idea_id)

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
    rebuild_save_every = 1_000_000
    """Events a rebuild reads between two saves (a crash during a rebuild loses at most
    these; readers see the rows as of the last save, each save correct at its position)."""
    rebuild_save_ideas = 100_000
    """Ideas a rebuild holds unsaved before it saves, checked after each page (each keeps up
    to two of its events in memory until the save opens them)."""

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
        self.skipped: Skipped = []
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
        """Drop everything and replay the whole log from position 1, reading it in pages of
        `rebuild_page_size` events and saving after every `rebuild_save_every` events (and
        at the end); returns how many events were read."""
        with self._lock:
            self.storage.reset()
            self.skipped.clear()
            if not self._edits.reads_in_place():
                page_size, self.page_size = self.page_size, self.rebuild_page_size
                try:
                    return self.catch_up()
                finally:
                    self.page_size = page_size
            # The private values of the events between two saves are opened once, at the
            # save, for the last event to set each: with many ideas interleaved, every
            # save opens about two values per idea however many pages it spans.
            done = position = 0
            window = IdeaFoldWindow(self.codec, self.storage.get)
            while page := self.store.read_all(position + 1, self.rebuild_page_size):
                window.add(page)
                done += len(page)
                position = page[-1].position
                if (
                    window.events >= self.rebuild_save_every
                    or len(window.ideas) >= self.rebuild_save_ideas
                ):
                    self._save(window)
                    window = IdeaFoldWindow(self.codec, self.storage.get)
            if window.events:
                self._save(window)
            return done

    # -- applying -----------------------------------------------------------------------

    def handle(self, events: Sequence[RecordedEvent]) -> None:
        if not self._edits.reads_in_place():
            page = _Page(self.storage)
            skipped: Skipped = []
            for record in events:
                idea_id = idea_id_of(record.stream_id)
                if idea_id is not None:  # not an idea stream: other processes may write others
                    self._apply(idea_id, record, page, skipped)
            self._commit(page, skipped, events[0].position, events[-1].position)
            return
        window = IdeaFoldWindow(self.codec, self.storage.get)
        window.add(events)
        self._save(window)

    def _save(self, window: IdeaFoldWindow) -> None:
        """Write what the window's events change, and its last position as the checkpoint."""
        page = _Page(self.storage)
        skipped: Skipped = []

        def replay(idea_id: str, records: Sequence[RecordedEvent], found: Skipped) -> None:
            for record in records:
                self._apply(idea_id, record, page, found)

        window.changes(page.upserts, page.deleted, page.dropped, skipped, self._reread, replay)
        self._commit(page, skipped, window.first_position, window.last_position)

    def _commit(self, page: _Page, skipped: Skipped, first: int, last: int) -> None:
        self.skipped.extend(skipped)
        if not self.storage.commit(
            page.upserts, page.deleted, page.dropped, last, first_position=first
        ):
            return  # another process sharing this storage applied these events first
        for listener in self._listeners:
            listener(self)

    def _reread(self, idea_id: str, first: int, last: int) -> Sequence[RecordedEvent]:
        """The idea's events from version `first` to `last`, as stored."""
        return self.store.read_stream(stream_id_of(idea_id), first, last)

    def _apply(self, idea_id: str, record: RecordedEvent, page: _Page, skipped: Skipped) -> None:
        """Decode one event and apply it to the page's changes: the reference every faster
        path is checked against."""
        try:
            event = self.codec.decode(record)
        except (VersioningError, ValueError, TypeError) as exc:
            skipped.append((record.position, str(exc)))
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
