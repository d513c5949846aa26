"""What the global log holds, as words: every event type, stream id and command name that
occurs in it up to a position. The timeline filter uses it to prove that a word can only
match through an event's type, so it may read those types through the store's type index
instead of scanning the whole log.

A forget removes events but never rewrites one, so the vocabulary of the positions up to
`seen` can only shrink afterwards: a word it does not hold occurs in none of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from domain.core.protocol import EventStore
from domain.core.records import COMMAND, RecordedEvent

CHUNK = 5000
"""Events read per step while learning."""
CATCH_UP_LIMIT = 20_000
"""More new events than this since the last look: leave them to a full learning pass."""


class LogVocabulary:
    """The types (as stored), and the stream ids and commands (lowercased) of the log's
    events at positions `1..seen`. Read and extended from worker threads (it holds a lock)."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self.seen = 0
        """Every event up to this position is accounted for."""
        self.learned = False
        """A full pass over the log has been made (afterwards only new events are read)."""
        self._types: set[str] = set()
        self._streams: set[str] = set()
        self._commands: set[str] = set()
        self._joined: tuple[str, str] | None = None

    def take(self, events: Iterable[RecordedEvent], first: int, last: int) -> None:
        """Account for `events`, every event of the log from `first` to `last` (a scan
        reading the log anyway teaches the vocabulary too). Only what extends the positions
        already covered is taken: `1..seen` stays gap-free."""
        with self._lock:
            if first > self.seen + 1 or last <= self.seen:
                return
            for event in events:
                if event.position <= self.seen:
                    continue
                self._types.add(event.type)
                self._streams.add(event.stream_id.lower())
                command = event.metadata.get(COMMAND)
                if isinstance(command, str):
                    self._commands.add(command.lower())
            self._joined = None
            self.seen = last

    def learn(self, upto: int, cancelled: Callable[[], bool] = lambda: False) -> bool:
        """Read the log from `seen + 1` up to `upto`, a chunk at a time; False when stopped
        by `cancelled` before the end."""
        while (at := self.seen + 1) <= upto:  # a scan may have taken some meanwhile
            if cancelled():
                return False
            last = min(at + CHUNK - 1, upto)
            self.take(self.store.read_all(at, CHUNK, to_position=last), at, last)
        self.learned = True
        return True

    def catch_up(self, upto: int) -> bool:
        """Read what the vocabulary lacks up to `upto` when it is little (what was committed
        since the last look, or a small log); True when it then covers the log to `upto`."""
        if upto - self.seen > CATCH_UP_LIMIT:
            return False
        return self.learn(upto)

    def types_for(self, words: Iterable[str], upto: int) -> frozenset[str] | None:
        """The event types an event must have to contain every one of `words` (lowercase),
        when some word provably occurs in no stream id and no command of the log up to
        `upto`; None when no word can be proven so (or the vocabulary does not reach
        `upto`). An empty set: no event can match."""
        with self._lock:
            if self.seen < upto:
                return None
            if self._joined is None:
                # Words hold no whitespace, so a word occurs in one of the joined names only.
                self._joined = ("\n".join(self._streams), "\n".join(self._commands))
            streams, commands = self._joined
            found: set[str] | None = None
            for word in words:
                if word in streams or word in commands:
                    continue
                named = {t for t in self._types if word in t.lower()}
                found = named if found is None else found & named
            return None if found is None else frozenset(found)
