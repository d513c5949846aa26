"""Commits to listeners, for one PostgreSQL store handle: its own commits as they happen, and
the commits of other processes (or other handles on the same database) as it finds them.

Order is position order, each commit once. A handle remembers the position up to which
everything was handed over (`delivered`). Its own write, once committed, first queues the
others' commits below its positions (all committed: positions follow commit order), then its
own. `poll()` queues whatever others committed since; the listener thread polls after each
NOTIFY. While one of the handle's own writes is in flight a poll is left to that write,
because it could find the write's commit in the log and deliver it on the listener thread,
after `append` has returned.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final

import psycopg

from domain.backends.postgres.listen import Listener
from domain.backends.postgres.rows import Statements, group_commits
from domain.core.notify import CommitHub
from domain.core.protocol import CommitListener, Subscription
from domain.core.records import RecordedEvent

log = logging.getLogger(__name__)

POLL_CHUNK: Final = 2000

Fetch = Callable[[Any, Sequence[Any]], list[tuple[Any, ...]]]


class CommitFeed:
    """The hub of one handle, fed in position order from its writes and from the log."""

    def __init__(
        self,
        fetch: Fetch,
        sql: Statements,
        connect: Callable[[], psycopg.Connection[Any]],
        channel: str,
        poll_interval: float | None,
    ) -> None:
        self._fetch = fetch
        self._sql = sql
        self._connect = connect
        self._channel = channel
        self._poll_interval = poll_interval
        self._hub = CommitHub()
        self._lock = threading.Lock()
        self._writing = 0
        self._poll_deferred = False
        self._delivered = self._head()
        """Every commit at or below this position was handed to the hub (or came before)."""
        self._listener_lock = threading.Lock()
        self._listener: Listener | None = None
        self._closed = False

    def _head(self) -> int:
        rows = self._fetch(self._sql.head, ())
        return int(rows[0][0]) if rows else 0

    # -- this handle's writes ------------------------------------------------------------

    @contextlib.contextmanager
    def write_turn(self) -> Iterator[list[RecordedEvent]]:
        """Mark a write in flight; when it ends, hand what it committed (the records the
        caller puts in the yielded list, once committed) to listeners."""
        with self._lock:
            self._writing += 1
        committed: list[RecordedEvent] = []
        try:
            yield committed
        finally:
            self._finish_write(committed)

    def _finish_write(self, records: list[RecordedEvent]) -> None:
        with self._lock:
            self._writing -= 1
            try:
                if records and records[-1].position > self._delivered:
                    if self._hub.has_listeners:
                        if records[0].position - 1 > self._delivered:
                            self._queue_others(records[0].position - 1)
                        self._hub.enqueue(records)
                    self._delivered = records[-1].position
                if self._poll_deferred and not self._writing:
                    self._poll_deferred = False
                    self._catch_up()
            except Exception:  # the write is committed: a later poll hands these over
                log.exception("reading other processes' commits for listeners failed")
                self._poll_deferred = True
        self._hub.deliver()

    # -- others' commits -----------------------------------------------------------------

    def poll(self) -> int:
        """Queue and deliver the commits made elsewhere since the last look; returns how many
        events. Without listeners it only moves the mark, so a later subscriber starts from
        now. While this handle is writing, the write hands them over when it ends."""
        with self._lock:
            if self._writing:
                self._poll_deferred = True
                count = 0
            else:
                count = self._catch_up()
        self._hub.deliver()
        return count

    def _catch_up(self) -> int:
        """Queue every commit above the mark (without listeners, move the mark to the head);
        returns how many events. Holds the lock, no write in flight."""
        if not self._hub.has_listeners:
            self._delivered = max(self._delivered, self._head())
            return 0
        total = 0
        while count := self._queue_others(None):
            total += count
        return total

    def _queue_others(self, upto: int | None) -> int:
        """Queue the commits above the mark (up to `upto`, else one chunk), a whole commit at
        a time; returns how many events. Holds the lock."""
        sql = self._sql
        if upto is not None:
            rows = self._fetch(sql.commits_upto, (self._delivered, upto))
        else:
            rows = self._fetch(sql.commits_from, (self._delivered, POLL_CHUNK))
            if rows and rows[-1][9] > rows[-1][3]:  # the chunk cut a commit: finish it
                rows += self._fetch(sql.commits_upto, (rows[-1][3], rows[-1][9]))
        for commit in group_commits(rows):
            self._hub.enqueue(commit)
        if rows:
            self._delivered = max(self._delivered, rows[-1][3])
        return len(rows)

    # -- listeners and the listener thread -----------------------------------------------

    def subscribe(self, listener: CommitListener) -> Subscription:
        self.poll()  # earlier commits of others go to earlier listeners, not this one
        sub = self._hub.subscribe(listener)
        if self._poll_interval is not None:
            self._start_listener(self._poll_interval, replace=False)
        return sub

    def start_polling(self, interval: float) -> None:
        self._start_listener(interval, replace=True)

    def stop_polling(self) -> None:
        with self._listener_lock:
            listener, self._listener = self._listener, None
            self._poll_interval = None
        if listener is not None:
            listener.stop()

    def wait_listening(self, timeout: float) -> bool:
        with self._listener_lock:
            listener = self._listener
        return listener is not None and listener.wait_listening(timeout)

    def _start_listener(self, interval: float, *, replace: bool) -> None:
        with self._listener_lock:
            old = self._listener
            if self._closed or (old is not None and not replace):
                return
            self._poll_interval = interval
            self._listener = Listener(
                self._connect,
                self._channel,
                self.poll,
                lambda position: position > self._delivered,
                interval,
            )
        if old is not None:
            old.stop()

    def close(self) -> None:
        """Stop the listener thread (waiting for a poll in progress)."""
        with self._listener_lock:
            self._closed = True
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()
