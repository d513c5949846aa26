"""Row indexes the explorer keeps up to date from the global log, so a refresh costs the
events committed since the last one, not the size of the store: every stream with its
counts (a domain's own read-model lists keep theirs the same way: `read_between`).

Each index is read and refreshed from worker threads (it holds a lock); a refresh reads the
log between the position it has seen and the position it is asked for, or — the first time,
after a long absence, or when the log went backwards (a rebuilt read model) — lists
everything once.
"""

from __future__ import annotations

import threading

from domain.core.protocol import EventStore
from domain.core.records import RecordedEvent, StreamInfo

CATCH_UP_LIMIT = 20_000
"""More new events than this since the last refresh: list everything again instead."""


def read_between(store: EventStore, seen: int, upto: int) -> list[RecordedEvent] | None:
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
            new = read_between(self.store, self._seen, head) if self._seen >= 0 else None
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
