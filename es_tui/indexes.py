"""Row indexes the explorer keeps up to date from the global log, so a refresh costs the
events committed since the last one, not the size of the store: every stream with its
counts, and the read model's ideas in their listed order.

Each index is read and refreshed from worker threads (it holds a lock); a refresh reads the
log between the position it has seen and the position it is asked for, or — the first time,
after a long absence, or when the log went backwards (a rebuilt read model) — lists
everything once.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass
from datetime import datetime

from domain.core.protocol import EventStore
from domain.core.records import RecordedEvent, StreamInfo
from domain.ideas.codec import idea_id_of
from domain.ideas.projection import IdeaRow, IdeaView

CATCH_UP_LIMIT = 20_000
"""More new events than this since the last refresh: list everything again instead."""

CREATED = "IdeaCreationRequested"
GONE = frozenset({"IdeaDeleted", "IdeaForgotten"})
"""Events after which the read model lists an idea no more."""


def _read_between(store: EventStore, seen: int, upto: int) -> list[RecordedEvent] | None:
    """The events at positions `seen + 1 .. upto`; None when that is too many to be worth it
    (or the position went backwards)."""
    if upto < seen or upto - seen > CATCH_UP_LIMIT:
        return None
    if upto == seen:
        return []
    return [e for e in store.read_all(seen + 1, upto - seen) if e.position <= upto]


class StreamIndex:
    """Every stream ever written, in order of creation, and how many events are stored."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._seen = -1
        self._rows: list[StreamInfo] = []
        self._at: dict[str, int] = {}
        self.stored = 0
        """Events stored now, over every stream (the log's head minus erased positions)."""
        self.head = 0

    def refresh(self) -> None:
        """Catch up with the store's head."""
        with self._lock:
            head = self.store.head_position()
            new = _read_between(self.store, self._seen, head) if self._seen >= 0 else None
            if new is None:
                self._rows = self.store.list_streams()
                self._at = {info.stream_id: i for i, info in enumerate(self._rows)}
                self.stored = sum(info.event_count for info in self._rows)
            else:
                for stream_id in dict.fromkeys(e.stream_id for e in new):
                    info = self.store.stream_info(stream_id)
                    if info is not None:
                        self._put(info)
            self._seen = self.head = head

    def _put(self, info: StreamInfo) -> None:
        at = self._at.get(info.stream_id)
        if at is None:
            self._at[info.stream_id] = len(self._rows)
            self._rows.append(info)
            self.stored += info.event_count
        else:
            self.stored += info.event_count - self._rows[at].event_count
            self._rows[at] = info

    def __len__(self) -> int:
        return len(self._rows)

    def slice(self, start: int, stop: int) -> list[StreamInfo]:
        with self._lock:
            return self._rows[start:stop]

    def index_of(self, stream_id: str) -> int | None:
        with self._lock:
            return self._at.get(stream_id)


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
            new = _read_between(self.store, self._seen, checkpoint) if self._seen >= 0 else None
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
