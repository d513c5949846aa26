"""The ideas read model's ideas in their listed order, kept up to date from the global log
(see `es_tui.indexes`): a refresh reads the events committed since the last one."""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass
from datetime import datetime

from domain.core.protocol import EventStore
from domain.core.records import RecordedEvent
from domain.ideas.codec import idea_id_of
from domain.ideas.projection import IdeaRow, IdeaView
from es_tui.indexes import read_between

CREATED = "IdeaCreationRequested"
GONE = frozenset({"IdeaDeleted", "IdeaForgotten"})
"""Events after which the read model lists an idea no more."""


@dataclass(frozen=True, slots=True)
class Unlisted:
    """An idea the index lists but the read model no longer has (it is catching up)."""

    idea_id: str


SortKey = tuple[datetime, str]


class IdeaIndex:
    """The ids of the ideas the read model lists, oldest first — what `IdeaView.list()`
    returns, without listing and sorting every row on each refresh. Rows themselves are read
    from the view one page at a time."""

    def __init__(self, view: IdeaView, store: EventStore) -> None:
        self.view = view
        self.store = store
        self._lock = threading.Lock()
        self._seen = -1
        self._keys: list[SortKey] = []
        self._listed: dict[str, SortKey] = {}

    def refresh(self) -> None:
        """Follow the read model up to its checkpoint."""
        with self._lock:
            checkpoint = self.view.checkpoint
            new = read_between(self.store, self._seen, checkpoint) if self._seen >= 0 else None
            if new is None:
                rows = self.view.storage.rows()
                self._listed = {r.idea_id: (r.created_at, r.idea_id) for r in rows}
                self._keys = sorted(self._listed.values())
            else:
                for event in new:
                    self._apply(event)
            self._seen = checkpoint

    def _apply(self, event: RecordedEvent) -> None:
        idea_id = idea_id_of(event.stream_id)
        if idea_id is None:
            return
        if event.type == CREATED and idea_id not in self._listed:
            key = (event.recorded_at, idea_id)
            self._listed[idea_id] = key
            if not self._keys or key >= self._keys[-1]:
                self._keys.append(key)  # the usual case: the newest idea goes last
            else:
                bisect.insort(self._keys, key)
        elif event.type in GONE and idea_id in self._listed:
            key = self._listed.pop(idea_id)
            at = bisect.bisect_left(self._keys, key)
            if at < len(self._keys) and self._keys[at] == key:
                del self._keys[at]

    def __len__(self) -> int:
        return len(self._keys)

    def rows(self, start: int, stop: int) -> list[IdeaRow | Unlisted]:
        """The rows from `start` to `stop`, read from the view now."""
        with self._lock:
            ids = [idea_id for _, idea_id in self._keys[start:stop]]
        get = self.view.storage.get
        return [get(idea_id) or Unlisted(idea_id) for idea_id in ids]
