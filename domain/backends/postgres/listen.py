"""The PostgreSQL store's listener: a daemon thread on its own connection that LISTENs on the
store's channel and polls the log when another process (or handle) commits.

Every committing transaction NOTIFYs the channel with its last position; the notification is
only a wake-up call. What reaches listeners is always read from the log, after the last
position this handle delivered, so a lost notification (a dropped connection, a restart of
the server) delays delivery by at most `interval` seconds and never loses a commit.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
from collections.abc import Callable
from typing import Any

import psycopg

from domain.core.errors import StoreClosedError, StoreUnavailableError, StoreUrlError

log = logging.getLogger(__name__)


class Listener:
    """Calls `poll()` soon after each notification on `channel` whose position `is_new`, and
    every `interval` seconds regardless; stops with `stop()`."""

    def __init__(
        self,
        connect: Callable[[], psycopg.Connection[Any]],
        channel: str,
        poll: Callable[[], object],
        is_new: Callable[[int], bool],
        interval: float,
    ) -> None:
        if not interval > 0:
            raise ValueError(f"the polling interval must be positive, got {interval!r}")
        self.interval = interval
        self._connect = connect
        self._channel = channel
        self._poll = poll
        self._is_new = is_new
        self._stopping = threading.Event()
        self._listening = threading.Event()
        # A pipe wakes the thread out of select() at once when the store closes.
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name="es-tui-pg-listen", daemon=True)
        self._thread.start()

    def wait_listening(self, timeout: float) -> bool:
        """Wait until the thread is LISTENing (commits after this reach it); for tests."""
        return self._listening.wait(timeout)

    def _run(self) -> None:
        conn: psycopg.Connection[Any] | None = None
        try:
            while not self._stopping.is_set():
                try:
                    if conn is None:
                        conn = self._connect()
                        conn.execute(f'LISTEN "{self._channel}"')
                        self._listening.set()
                        self._poll()  # whatever was committed before LISTEN took effect
                    self._wait(conn)
                except StoreClosedError:
                    return
                except (psycopg.Error, StoreUrlError, StoreUnavailableError, OSError) as exc:
                    # The server went away: reconnect after a pause; the poll that follows
                    # the new LISTEN brings everything committed meanwhile.
                    log.warning("listening for commits failed, retrying: %s", exc)
                    conn = self._drop(conn)
                    self._stopping.wait(min(self.interval, 1.0))
                except Exception:  # a listener's bug must not end cross-process delivery
                    log.exception("delivering commits from other processes failed")
        finally:
            self._drop(conn)
            with contextlib.suppress(OSError):
                os.close(self._wake_r)

    def _wait(self, conn: psycopg.Connection[Any]) -> None:
        """Wait for notifications (or the interval, or a stop) once and poll if due."""
        # Notifications that arrived during an earlier command wait in psycopg's backlog,
        # not on the socket: take those first.
        positions = [n.payload for n in conn.notifies(timeout=0)]
        if not positions:
            ready, _, _ = select.select([conn.fileno(), self._wake_r], [], [], self.interval)
            if self._stopping.is_set() or self._wake_r in ready:
                return
            if ready:
                return  # data on the socket: the next round reads the notifications
        if not positions or any(not p.isdigit() or self._is_new(int(p)) for p in positions):
            self._poll()

    @staticmethod
    def _drop(conn: psycopg.Connection[Any] | None) -> None:
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def stop(self) -> None:
        """Stop listening; waits for a poll in progress unless called from the thread."""
        self._stopping.set()
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=30)
        with contextlib.suppress(OSError):
            os.close(self._wake_w)
