"""Filtering the timeline: which events match a query, found by scanning the log in chunks
(in a worker, with progress), and a row source over the matches found so far.

A query matches an event when every word of it occurs (ignoring case) in the event's type,
stream id or command — e.g. `deleted`, `IdeaUpdated 6f0367`, `ForgetIdea`. Private fields are
encrypted at rest, so a filter sees what the store sees in clear: the public facts.

On the global log, a query with a word that occurs in no stream id and no command of the log
(`forgotten`, `IdeaDeleted`) can only match events whose type contains that word: those types
are read through the store's type index (`scan_types`), so the cost follows the events of
those types, not the log. The result is the same; only the reading differs.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass

from rich.text import Text

from domain.core.protocol import ALL_STREAM, EventStore
from domain.core.records import COMMAND, RecordedEvent
from es_tui.sources import Erased, GlobalLogSource, LogRow, SchemaOf, StreamEventsSource
from es_tui.widgets.columns import Column

CHUNK = 5000
"""Events read per step of a scan (a step is also when progress is reported)."""


@dataclass(frozen=True, slots=True)
class Query:
    """What to look for: words that must all occur."""

    text: str
    words: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Query:
        return cls(text.strip(), tuple(text.lower().split()))

    def __bool__(self) -> bool:
        return bool(self.words)

    def matches(self, event: RecordedEvent) -> bool:
        command = event.metadata.get(COMMAND)
        text = f"{event.type} {event.stream_id} {command if isinstance(command, str) else ''}"
        text = text.lower()
        return all(word in text for word in self.words)


Learn = Callable[[list[RecordedEvent], int, int], None]
"""Told each chunk of the log a scan reads: (its events, first position, last position)."""


def scan(
    store: EventStore,
    stream_id: str,
    query: Query,
    start: int,
    end: int,
    learn: Learn | None = None,
) -> Iterator[tuple[list[int], int]]:
    """Scan the log (or one stream) from position/version `start` to `end`, a chunk at a
    time: yields (the positions or versions of the matches in the chunk, the last one
    scanned). Each chunk of the log read is also handed to `learn`."""
    matches = query.matches
    log = stream_id == ALL_STREAM
    at = start
    while at <= end:
        last = min(at + CHUNK - 1, end)
        if log:
            events = [e for e in store.read_all(at, last - at + 1) if e.position <= last]
            if learn is not None:
                learn(events, at, last)
            found = [e.position for e in events if matches(e)]
        else:
            events = store.read_stream(stream_id, at, last)
            found = [e.version for e in events if matches(e)]
        yield found, last
        at = last + 1


def scan_types(
    store: EventStore, types: frozenset[str], query: Query, start: int, end: int
) -> Iterator[tuple[list[int], int]]:
    """What `scan` yields for the log from `start` to `end`, read through the store's type
    index: only the events of `types` are read, `CHUNK` at a time (every event that can
    match has one of them; see `LogVocabulary.types_for`)."""
    matches = query.matches
    at = start
    while at <= end:
        events = store.read_all(at, CHUNK, to_position=end, types=types) if types else []
        if len(events) < CHUNK:
            yield [e.position for e in events if matches(e)], end
            return
        last = events[-1].position
        yield [e.position for e in events if matches(e)], last
        at = last + 1


class Matches:
    """The positions (or versions) found so far, shared between the scanning worker and the
    list's workers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found = array("q")
        self.scanned = 0
        """The last position (or version) scanned."""

    def add(self, found: Sequence[int], scanned: int) -> None:
        with self._lock:
            self._found.extend(found)
            self.scanned = scanned

    def __len__(self) -> int:
        return len(self._found)

    def slice(self, start: int, stop: int) -> list[int]:
        with self._lock:
            return list(self._found[start:stop])


class FilteredSource:
    """The matching events of the log or of one stream, in order."""

    def __init__(
        self, store: EventStore, stream_id: str, read_version: SchemaOf, matches: Matches
    ) -> None:
        self.store = store
        self.stream_id = stream_id
        self.matches = matches
        self._rows = (
            GlobalLogSource(store, read_version)
            if stream_id == ALL_STREAM
            else StreamEventsSource(store, stream_id, read_version)
        )
        self.columns: Sequence[Column] = self._rows.columns

    def count(self) -> int:
        return len(self.matches)

    def fetch(self, start: int, limit: int) -> list[LogRow]:
        wanted = self.matches.slice(start, start + limit)
        if not wanted:
            return []
        if self.stream_id == ALL_STREAM:
            return [self._at(p) for p in wanted]
        one = self.store.read_stream
        return [e for v in wanted for e in one(self.stream_id, v, v)]

    def _at(self, position: int) -> LogRow:
        found = self.store.read_all(position, 1)
        if found and found[0].position == position:
            return found[0]
        return Erased(position)  # a match erased since (its stream was forgotten)

    def cells(self, row: LogRow) -> Sequence[Text | str]:
        return self._rows.cells(row)

    def key(self, row: LogRow) -> Hashable:
        return self._rows.key(row)
