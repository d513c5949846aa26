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

from domain.ideas.codec import EventCodec, idea_id_of
from domain.ideas.errors import IdeaDeletedError, IdeaNotFoundError
from domain.ideas.events import (
    IdeaCreationAccepted,
    IdeaCreationRejected,
    IdeaCreationRequested,
    IdeaDeleted,
    IdeaForgotten,
    IdeaUpdated,
)
from domain.store.consumer import LogConsumer
from domain.store.protocol import EventStore
from domain.store.records import RecordedEvent
from domain.versioning import VersioningError


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
        """Drop everything and replay the whole log from position 1."""
        with self._lock:
            self.storage.reset()
            self.skipped.clear()
            return self.catch_up()

    # -- applying -----------------------------------------------------------------------

    def handle(self, events: Sequence[RecordedEvent]) -> None:
        upserts: dict[str, IdeaRow] = {}
        deleted: set[str] = set()
        dropped: set[str] = set()

        def current(idea_id: str) -> IdeaRow | None:
            if idea_id in upserts:
                return upserts[idea_id]
            if idea_id in deleted or idea_id in dropped:
                return None
            return self.storage.get(idea_id)

        for record in events:
            idea_id = idea_id_of(record.stream_id)
            if idea_id is None:
                continue  # not an idea stream: other processes may write other streams
            try:
                event = self.codec.decode(record)
            except (VersioningError, ValueError, TypeError) as exc:
                self.skipped.append((record.position, str(exc)))
                continue
            at = record.recorded_at
            row = current(idea_id)
            match event:
                case IdeaCreationRequested(title=title, description=description):
                    upserts[idea_id] = IdeaRow(
                        idea_id, title, description, "requested", record.version, at, at
                    )
                    dropped.discard(idea_id)
                case IdeaCreationAccepted() if row:
                    upserts[idea_id] = replace(
                        row, status="accepted", version=record.version, updated_at=at
                    )
                case IdeaCreationRejected() if row:
                    upserts[idea_id] = replace(
                        row, status="rejected", version=record.version, updated_at=at
                    )
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
        applied = self.storage.commit(
            upserts, deleted, dropped, events[-1].position, first_position=events[0].position
        )
        if not applied:
            return  # another process sharing this storage applied the page first
        for listener in self._listeners:
            listener(self)
