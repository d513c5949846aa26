"""Commits to listeners, for one SQLite store handle: its own commits as they happen, and
the commits of other processes (or other handles on the same file) as it finds them.

Order is position order, each commit once. A handle remembers the position up to which
everything was handed over (`delivered`). Its own append advances it; before that append
takes its position it first queues the others' commits it finds below (so a listener never
sees a position lower than one it saw already). `poll()` queues whatever others committed
since. Handles on one file in one process poke each other after each commit, so they see
each other's commits at once; other processes are seen by polling.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from domain.backends.sqlite.codec import EVENT_COLUMNS, to_records
from domain.backends.sqlite.pool import ConnectionPool, Poller
from domain.core.errors import StoreClosedError
from domain.core.notify import CommitHub
from domain.core.protocol import CommitListener, Subscription
from domain.core.records import RecordedEvent

log = logging.getLogger(__name__)

HEAD: Final = "SELECT max(position) FROM events"
CATCH_UP_IN_TXN: Final = 1000
"""Others' events an append reads while holding the write lock; a larger backlog is read
first, outside the transaction, so other writers are not held up."""
POLL_CHUNK: Final = 2000
_SELECT: Final = f"SELECT {EVENT_COLUMNS}, commit_end FROM events"
_HEAD_AND_STREAM: Final = (
    "SELECT (SELECT max(position) FROM events), s.version, s.status"
    " FROM (SELECT 1) LEFT JOIN streams AS s ON s.stream_id = ?"
)

StreamRow = tuple[int, str]
"""A stream's version and status."""

_open_lock = threading.Lock()
_open: dict[str, weakref.WeakSet[CommitFeed]] = {}


def _head_of(conn: sqlite3.Connection) -> int:
    """The head position; in a damaged file whose events table ends on a malformed page, the
    last position the streams table records (the damage itself shows on reading)."""
    try:
        head: int | None = conn.execute(HEAD).fetchone()[0]
    except sqlite3.DatabaseError:
        head = conn.execute("SELECT max(last_position) FROM streams").fetchone()[0]
    return head or 0


def _file_key(path: Path) -> str:
    return os.path.normcase(os.path.realpath(path))


class CommitFeed:
    """The listeners of one store handle and what they have been handed so far."""

    def __init__(self, pool: ConnectionPool, path: Path, poll_interval: float | None) -> None:
        self.hub = CommitHub()
        self.write_lock = threading.Lock()
        """Held for the whole of a write transaction and its queueing, never while listeners
        run."""
        self._pool = pool
        self._poll_interval = poll_interval
        self._poller: Poller | None = None
        self._poller_lock = threading.Lock()
        conn = pool.take()
        try:
            self.delivered: int = _head_of(conn)
        finally:
            pool.give(conn)
        self._key = _file_key(path)
        with _open_lock:
            self._peers = _open.setdefault(self._key, weakref.WeakSet())
            self._peers.add(self)

    # -- inside a write (the caller holds write_lock) ------------------------------------

    def begin(self, conn: sqlite3.Connection, stream_id: str) -> tuple[int, StreamRow | None]:
        """BEGIN IMMEDIATE, having queued the commits others made below the coming one;
        returns the head position and the stream's (version, status) row, if it exists, as
        of inside the transaction (one query for both)."""
        while True:
            conn.execute("BEGIN IMMEDIATE")
            head, version, status = conn.execute(_HEAD_AND_STREAM, (stream_id,)).fetchone()
            head = head or 0
            row = None if version is None else (version, status)
            backlog = head - self.delivered
            if backlog <= 0:
                return head, row
            if not self.hub.has_listeners:
                self.delivered = head
                return head, row
            if backlog <= CATCH_UP_IN_TXN:
                self._queue_others(conn, head)
                return head, row
            conn.execute("ROLLBACK")
            while self._queue_others(conn, None):
                pass

    def committed(self, records: Sequence[RecordedEvent]) -> None:
        """Queue this handle's own commit (just committed, write lock still held)."""
        self.delivered = records[-1].position
        self.hub.enqueue(records)

    def _queue_others(self, conn: sqlite3.Connection, upto: int | None) -> int:
        """Queue others' commits above `delivered` (up to `upto`, else one chunk), a whole
        commit per listener call; returns how many events."""
        own_txn = not conn.in_transaction
        if own_txn:  # the chunk and the rest of its last commit from one snapshot
            conn.execute("BEGIN")
        try:
            if upto is not None:
                rows = conn.execute(
                    f"{_SELECT} WHERE position > ? AND position <= ? ORDER BY position",
                    (self.delivered, upto),
                ).fetchall()
            else:
                rows = conn.execute(
                    f"{_SELECT} WHERE position > ? ORDER BY position LIMIT ?",
                    (self.delivered, POLL_CHUNK),
                ).fetchall()
                if rows and rows[-1][-1] > rows[-1][3]:  # the chunk cut a commit: finish it
                    rows += conn.execute(
                        f"{_SELECT} WHERE position > ? AND position <= ? ORDER BY position",
                        (rows[-1][3], rows[-1][-1]),
                    ).fetchall()
        finally:
            if own_txn:
                conn.execute("COMMIT")
        if not rows:
            return 0
        records = to_records(row[:9] for row in rows)
        start = 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or rows[i][-1] != rows[start][-1]:
                self.hub.enqueue(records[start:i])
                start = i
        self.delivered = max(self.delivered, rows[-1][3])
        return len(rows)

    # -- after a write ---------------------------------------------------------------------

    def deliver(self, wrote: bool) -> None:
        """Run the listeners on what was queued; after a commit, let the other handles on
        this file in this process see it at once."""
        self.hub.deliver()
        if not wrote or len(self._peers) < 2:
            return
        with _open_lock:
            others = [f for f in self._peers if f is not self]
        for other in others:
            if other.hub.has_listeners:
                try:
                    other.poll()
                except StoreClosedError:  # it closed meanwhile
                    pass
                except Exception:  # this commit stands; the other handle's poller retries
                    log.exception("handing a commit to another handle failed")

    # -- listening ---------------------------------------------------------------------------

    def poll(self) -> int:
        """Hand listeners what others committed since this handle last looked; returns how
        many events. Without listeners it only moves the mark: a later subscriber starts
        from now."""
        total = 0
        conn = self._pool.take()
        try:
            while True:
                with self.write_lock:
                    if self.hub.has_listeners:
                        count = self._queue_others(conn, None)
                    else:
                        head = conn.execute(HEAD).fetchone()[0] or 0
                        self.delivered = max(self.delivered, head)
                        count = 0
                self.hub.deliver()
                total += count
                if not count:
                    return total
        finally:
            self._pool.give(conn)

    def subscribe(self, listener: CommitListener) -> Subscription:
        """Add a listener (earlier commits of others go to earlier listeners only) and start
        the poller if this handle polls on its own."""
        self.poll()
        sub = self.hub.subscribe(listener)
        with self._poller_lock:
            if self._poller is None and self._poll_interval is not None:
                self._poller = Poller(self.poll, self._poll_interval)
        return sub

    def start_polling(self, interval: float) -> None:
        """Poll every `interval` seconds on a daemon thread (replacing a running poller)."""
        with self._poller_lock:
            if self._pool.closed:
                raise StoreClosedError(self._pool.url)
            old, self._poller = self._poller, Poller(self.poll, interval)
            self._poll_interval = interval
        if old is not None:
            old.stop()

    def stop_polling(self) -> None:
        """Stop the background poller; `poll()` still works."""
        with self._poller_lock:
            old, self._poller = self._poller, None
            self._poll_interval = None
        if old is not None:
            old.stop()

    def close(self) -> None:
        """Stop polling and leave the file's list of open handles."""
        with _open_lock:
            self._peers.discard(self)
            if not self._peers and _open.get(self._key) is self._peers:
                del _open[self._key]
        self.stop_polling()
