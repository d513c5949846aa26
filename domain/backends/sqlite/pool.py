"""Connections and the background poller of the SQLite store.

A small pool hands each thread its own connection for the duration of one call, so readers
run in parallel with a writer (WAL) while threads that come and go (workers) do not leak
connections; closing the pool closes every idle connection at once and the busy ones as
they come back.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from domain.backends.sqlite.schema import connect
from domain.core.errors import StoreClosedError

log = logging.getLogger(__name__)


class ConnectionPool:
    """Connections to one store file, each used by one thread at a time."""

    def __init__(
        self,
        url: str,
        path: Path,
        first: sqlite3.Connection,
        opener: Callable[[Path], sqlite3.Connection] = connect,
    ) -> None:
        self.url = url
        self._path = path
        self._open = opener
        self._idle: list[sqlite3.Connection] = [first]
        self._lock = threading.Lock()
        self.closed = False

    def take(self) -> sqlite3.Connection:
        """An idle connection, or a new one; StoreClosedError once the pool is closed."""
        with self._lock:
            if self.closed:
                raise StoreClosedError(self.url)
            if self._idle:
                return self._idle.pop()
        return self._open(self._path)

    def give(self, conn: sqlite3.Connection) -> None:
        """Return a connection taken with `take`."""
        if conn.in_transaction:  # only after an interrupted rollback; never keep one open
            conn.execute("ROLLBACK")
        with self._lock:
            if not self.closed:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> bool:
        """Close idle connections now and busy ones when they are given back. Returns False
        if the pool was already closed."""
        with self._lock:
            if self.closed:
                return False
            self.closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
        return True


class Poller:
    """A daemon thread calling `poll` every `interval` seconds until stopped."""

    def __init__(self, poll: Callable[[], object], interval: float) -> None:
        if not interval > 0:
            raise ValueError(f"the polling interval must be positive, got {interval!r}")
        self.interval = interval
        self._poll = poll
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="es-tui-sqlite-poll", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._poll()
            except StoreClosedError:
                return
            except Exception:  # a locked or briefly unreadable file: try again next tick
                log.exception("polling the SQLite store failed")

    def stop(self) -> None:
        """Stop polling; waits for a poll in progress unless called from the poller itself."""
        self._stop.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=30)
