"""A PostgreSQL store's pooled connections, and what a failure of the server means to it.

Reads are tried once more on a new connection when the server dropped the first (a restart):
a read changes nothing. Writes are not: a connection lost mid-write raises
StoreUnavailableError, since the write may have committed or not, and the store decides what
to try again. A position or version counted past 2**63-1 raises LogFullError.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, LiteralString, TypeVar

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from domain.backends.postgres.schema import (
    CONNECT_TIMEOUT_S,
    Target,
    connection_lost,
    first_line,
)
from domain.core.errors import LogFullError, StoreClosedError, StoreUnavailableError
from domain.core.records import RecordedEvent

T = TypeVar("T")
BeforeCommit = Callable[[Sequence[RecordedEvent]], None]
Written = Callable[[tuple[Any, ...]], list[RecordedEvent]]


class Connections:
    """The pool one store handle writes and reads through (autocommit connections)."""

    def __init__(
        self,
        target: Target,
        schema: str,
        head_query: LiteralString,
        *,
        pool_size: int,
        before_commit: BeforeCommit | None,
    ) -> None:
        self.shown_url = target.shown
        self.before_commit = before_commit
        """For tests: called with the records inside the writing transaction, just before
        the commit (it may stall it, or raise to roll it back)."""
        self._head_query = head_query
        self._close_lock = threading.Lock()
        self._closed = False
        self.pool = ConnectionPool(
            "",
            kwargs={**target.params, "autocommit": True},
            min_size=1,
            max_size=max(pool_size, 1),
            open=False,
            timeout=CONNECT_TIMEOUT_S * 2,
            # A connection the server dropped (a restart) is replaced before it is handed out.
            check=ConnectionPool.check_connection,
            num_workers=2,
            name=f"es-tui-{schema}",
        )
        self.pool.open()

    def check_open(self) -> None:
        if self._closed:
            raise StoreClosedError(self.shown_url)

    def mark_closed(self) -> bool:
        """Refuse every later call (StoreClosedError); False if that was done already. The
        pool itself is closed by `close_pool`, once what uses it has stopped."""
        with self._close_lock:
            if self._closed:
                return False
            self._closed = True
            return True

    def close_pool(self) -> None:
        self.pool.close(timeout=5)

    def unavailable(self, exc: Exception) -> StoreUnavailableError:
        if isinstance(exc, PoolTimeout):
            return StoreUnavailableError(self.shown_url, "no connection to the server")
        return StoreUnavailableError(self.shown_url, first_line(exc))

    def fetch(self, query: LiteralString, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read; once again on a new connection if the server dropped the first."""
        for attempt in (0, 1):
            self.check_open()
            try:
                with self.pool.connection() as conn:
                    return conn.execute(query, params, binary=True).fetchall()
            except PoolTimeout as exc:
                raise self.unavailable(exc) from None
            except psycopg.OperationalError as exc:
                if not connection_lost(exc):
                    raise
                if attempt:
                    raise self.unavailable(exc) from None
        raise AssertionError("unreachable")

    def call(
        self, query: LiteralString, params: Sequence[Any], written: Written | None = None
    ) -> list[tuple[Any, ...]]:
        """Run a write function, committed on return. With `before_commit`, it runs in an
        explicit transaction and the hook sees `written(row)` before the commit."""

        def work(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
            if self.before_commit is None or written is None:
                return conn.execute(query, params, binary=True).fetchall()
            with conn.transaction():
                rows = conn.execute(query, params, binary=True).fetchall()
                if rows[0][0] == "appended":
                    self.before_commit(written(rows[0]))
                return rows

        return self.transact(work)

    def transact(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        """Run `work` on a pooled connection (its own transaction, committed on return)."""
        self.check_open()
        try:
            with self.pool.connection() as conn:
                return work(conn)
        except PoolTimeout as exc:
            raise self.unavailable(exc) from None
        except psycopg.errors.NumericValueOutOfRange:
            # every number a write is given is checked first: this is a position (or a
            # version) counted past 2**63-1
            rows = self.fetch(self._head_query)
            raise LogFullError(self.shown_url, int(rows[0][0]) if rows else 0) from None
        except psycopg.OperationalError as exc:
            if not connection_lost(exc):
                raise
            raise self.unavailable(exc) from None
