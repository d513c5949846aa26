"""The sides that `sqlite_store.py` compares: the SQLite store, raw `sqlite3` loops on the
store's schema and pragmas, the `eventsourcing` library's SQLite persistence, and the ideas
system's `edit` command. Each works on its own file; `step(count)` does its next `count`
operations and returns the seconds they took."""

from __future__ import annotations

import functools
import json
import sqlite3
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from domain.backends.sqlite.schema import SCHEMA
from domain.backends.sqlite.store import SQLiteEventStore
from domain.bootstrap import bootstrap
from domain.core.records import NO_STREAM, NewEvent
from domain.ideas.state import IdeaStatus

BATCH = 100
"""Events per batch in the batch comparison."""
WARM_UP = 20_000
"""Events each side writes in one transaction before it is timed: several MB, so its WAL
has grown past SQLite's checkpoint size and is being reused, as in a store in service
(appending to a growing WAL costs the disk more)."""


def payload(i: int) -> dict[str, Any]:
    """A small, realistic event body."""
    return {"title": f"Idea number {i}", "description": "A short description " * 3, "n": i}


class Contender(Protocol):
    """One side of a comparison, on its own file."""

    def step(self, count: int) -> float:
        """Do the next `count` operations; the seconds they took."""
        ...

    def close(self) -> None: ...


# -- raw sqlite3 references ------------------------------------------------------------------

INSERT = (
    "INSERT INTO events (position, commit_end, event_id, stream_id, version, type,"
    " schema_version, recorded_at, data, metadata)"
    " VALUES (?, ?, ?, 'raw-1', ?, 'Noted', 1, ?, ?, '{}')"
)


def raw_rows(first: int, count: int) -> list[tuple[Any, ...]]:
    """Event rows for positions (and versions) `first...`, all of one commit."""
    at, dumps, end = datetime.now(UTC).isoformat(), json.dumps, first + count - 1
    return [(p, end, str(uuid.uuid4()), p, at, dumps(payload(p))) for p in range(first, end + 1)]


class Raw:
    """A connection with the store's pragmas, on the store's schema, with one stream and
    WARM_UP events in it."""

    def __init__(self, path: Path) -> None:
        conn = self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode = WAL", "synchronous = FULL", "secure_delete = ON"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("PRAGMA foreign_keys = ON")
        for statement in SCHEMA:
            conn.execute(statement)
        now = datetime.now(UTC).isoformat()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO streams VALUES ('raw-1', ?, ?, 'active', ?, ?, ?)",
            (WARM_UP, WARM_UP, WARM_UP, now, now),
        )
        conn.executemany(INSERT, raw_rows(1, WARM_UP))
        conn.execute("COMMIT")
        self.done = WARM_UP

    def close(self) -> None:
        self.conn.close()


class RawSingle(Raw):
    """One-row transactions; with `with_stream`, also the head and stream look-up and the
    stream row update that the store does in each."""

    def __init__(self, path: Path, with_stream: bool = False) -> None:
        super().__init__(path)
        self.with_stream = with_stream

    def step(self, count: int) -> float:
        conn = self.conn
        start = time.perf_counter()
        for i in range(self.done + 1, self.done + count + 1):
            (row,) = raw_rows(i, 1)
            conn.execute("BEGIN IMMEDIATE")
            if self.with_stream:
                conn.execute(
                    "SELECT (SELECT max(position) FROM events), version FROM streams"
                    " WHERE stream_id = 'raw-1'"
                ).fetchone()
                conn.execute(
                    "UPDATE streams SET version = ?, event_count = ?, last_position = ?,"
                    " updated_at = ? WHERE stream_id = 'raw-1'",
                    (i, i, i, row[4]),
                )
            conn.execute(INSERT, row)
            conn.execute("COMMIT")
        took = time.perf_counter() - start
        self.done += count
        return took


class RawBatches(Raw):
    """Transactions of BATCH rows each, through `executemany`."""

    def step(self, count: int) -> float:
        conn = self.conn
        start = time.perf_counter()
        for first in range(self.done + 1, self.done + count * BATCH + 1, BATCH):
            rows = raw_rows(first, BATCH)
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(INSERT, rows)
            conn.execute("COMMIT")
        took = time.perf_counter() - start
        self.done += count * BATCH
        return took


# -- the store -------------------------------------------------------------------------------


def open_store(path: Path) -> SQLiteEventStore:
    """A store handle that never polls (nothing else writes to the benchmark's files)."""
    return SQLiteEventStore.open(f"sqlite:///{path}", poll_interval=None)


class StoreAppends:
    """Appends of `size` events each, at exact expected versions, after WARM_UP events."""

    def __init__(self, path: Path, size: int) -> None:
        self.store = open_store(path)
        self.size = size
        warm = [NewEvent("Noted", payload(i)) for i in range(1, WARM_UP + 1)]
        self.store.append("noted-1", warm, NO_STREAM)
        self.version = WARM_UP

    def step(self, count: int) -> float:
        append, size, version = self.store.append, self.size, self.version
        start = time.perf_counter()
        for _ in range(count):
            events = [NewEvent("Noted", payload(version + i)) for i in range(1, size + 1)]
            append("noted-1", events, version)
            version += size
        took = time.perf_counter() - start
        self.version = version
        return took

    def close(self) -> None:
        self.store.close()


# -- the eventsourcing library ---------------------------------------------------------------


@functools.cache
def library_parts() -> tuple[type[Any], type[Any]]:
    """The library's Application, snapshotting an aggregate every 10 events as es-tui's
    default policy does (the library saves the snapshot in a commit of its own), and an
    aggregate with one event method (defined once: the library refuses two classes under one
    name)."""
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event

    class Note(Aggregate):  # type: ignore[misc]
        @event("Started")
        def __init__(self) -> None:
            self.count = 0

        @event("Noted")
        def note(self, title: str, description: str, n: int) -> None:
            self.count += 1

    class Notes(Application):  # type: ignore[misc]
        snapshotting_intervals = {Note: 10}

    return Notes, Note


def library_available() -> bool:
    try:
        import eventsourcing.sqlite  # noqa: F401
    except ImportError:
        return False
    return True


class LibrarySaves:
    """An Application on the library's SQLite persistence; each save stores one new event
    (and every 10th a snapshot)."""

    def __init__(self, path: Path) -> None:
        application, note_class = library_parts()
        self.app = application(
            env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
        )
        self.note = note_class()
        for i in range(1, WARM_UP + 1):
            self.note.note(**payload(i))
        self.app.save(self.note)  # one transaction
        self.done = WARM_UP

    def step(self, count: int) -> float:
        note, save = self.note, self.app.save
        start = time.perf_counter()
        for i in range(self.done + 1, self.done + count + 1):
            note.note(**payload(i))
            save(note)
        took = time.perf_counter() - start
        self.done += count
        return took

    def close(self) -> None:
        self.app.close()


# -- the whole system ------------------------------------------------------------------------


class SystemEdits:
    """Edits of one idea through the command handler (decide on the state its previous edit
    left, seal, append, a snapshot every 10 events in the append's commit); with `consumers`,
    the read model and the process manager run too, in the committing thread."""

    def __init__(self, path: Path, consumers: bool) -> None:
        self.system = bootstrap(f"sqlite:///{path}", start=consumers, accept_probability=1.0)
        handler = self.system.ideas
        self.idea_id = handler.publish("A benchmark idea", "Edited again and again").idea_id
        if not consumers:  # otherwise the process manager has accepted it already
            handler.accept(self.idea_id)
        if handler.load(self.idea_id).state.status is not IdeaStatus.ACCEPTED:
            raise AssertionError("the benchmark idea was not accepted")
        self.done = 0

    def step(self, count: int) -> float:
        edit, idea_id = self.system.ideas.edit, self.idea_id
        start = time.perf_counter()
        for i in range(self.done, self.done + count):
            edit(idea_id, title=f"A benchmark idea, edit {i}")
        took = time.perf_counter() - start
        self.done += count
        return took

    def close(self) -> None:
        if self.system.ideas.load(self.idea_id).version != self.done + 2:
            raise AssertionError("the edits did not all land")
        self.system.close()
