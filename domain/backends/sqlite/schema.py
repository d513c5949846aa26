"""The SQLite store's file: URL parsing, a read-only look at an existing file, connections
with the store's pragmas, and the schema.

An existing file is inspected before anything writes to it: a file that is not an es-tui
store (a text file, another application's database) or a store of a newer schema is refused
with the file left byte-for-byte untouched and no `-wal`/`-shm` created beside it.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Final

from domain.backends.sqlite.faults import directory_is_writable, disk_is_full, translate
from domain.core.errors import StoreDamagedError, StoreUrlError

APPLICATION_ID: Final = 0x45535455  # "ESTU": marks the file as an es-tui event store
SCHEMA_VERSION: Final = 1
MARKER: Final = "es-tui event store"
BUSY_TIMEOUT_S: Final = 10.0

_HEADER_MAGIC = b"SQLite format 3\x00"
_SCHEME = "sqlite:"

SCHEMA: Final = (
    """CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    # A rowid table: rowid order is the order of creation, which list_streams keeps.
    """CREATE TABLE streams (
        stream_id TEXT NOT NULL PRIMARY KEY,
        version INTEGER NOT NULL,
        event_count INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'deleted', 'forgotten')),
        last_position INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    # position is the rowid; commit_end (the position of the last event of the same append)
    # lets a poller hand other processes' commits to listeners one commit at a time.
    """CREATE TABLE events (
        position INTEGER PRIMARY KEY,
        commit_end INTEGER NOT NULL,
        event_id TEXT NOT NULL UNIQUE,
        stream_id TEXT NOT NULL REFERENCES streams (stream_id),
        version INTEGER NOT NULL,
        type TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        recorded_at TEXT NOT NULL,
        data TEXT NOT NULL,
        metadata TEXT NOT NULL,
        UNIQUE (stream_id, version)
    )""",
    """CREATE TABLE snapshots (
        stream_id TEXT NOT NULL REFERENCES streams (stream_id),
        version INTEGER NOT NULL,
        last_event_id TEXT NOT NULL,
        state TEXT NOT NULL,
        state_schema_version INTEGER NOT NULL,
        taken_at TEXT NOT NULL,
        PRIMARY KEY (stream_id, version)
    )""",
)


EXTRAS: Final = (
    # Consumers' durable positions (name -> last position handled), written with their
    # reactions in one transaction.
    """CREATE TABLE IF NOT EXISTS tracking (
        name TEXT NOT NULL PRIMARY KEY,
        position INTEGER NOT NULL
    ) WITHOUT ROWID""",
    # A read of some event types costs the events of those types, not the log.
    "CREATE INDEX IF NOT EXISTS events_by_type ON events (type, position)",
)
"""Added to a store of schema version 1 when it is opened for writing (an older es-tui
ignores them); a stream-prefix read uses the (stream_id, version) index of the schema."""


def distinct_types(conn: sqlite3.Connection) -> list[str]:
    """Every event type stored, in order. With the (type, position) index each type costs one
    index seek (the next type after the last found), so a log of millions of events and a
    handful of types answers at once; without it (an old store read-only), one scan."""
    indexed = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'events_by_type'"
    ).fetchone()
    if indexed is None:
        return [str(r[0]) for r in conn.execute("SELECT DISTINCT type FROM events ORDER BY type")]
    found: list[str] = []
    row = conn.execute("SELECT min(type) FROM events INDEXED BY events_by_type").fetchone()
    while row is not None and row[0] is not None:
        found.append(str(row[0]))
        row = conn.execute(
            "SELECT min(type) FROM events INDEXED BY events_by_type WHERE type > ?", (row[0],)
        ).fetchone()
    return found


def add_extras(conn: sqlite3.Connection) -> None:
    """Create the EXTRAS a store opened for writing lacks (a no-op once they exist)."""
    have = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE name IN ('tracking', 'events_by_type')"
        )
    }
    if len(have) == 2:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in EXTRAS:
            conn.execute(statement)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def parse_url(url: str) -> Path:
    """The file a `sqlite:///relative.db` or `sqlite:////absolute.db` URL names.

    `sqlite:///:memory:` is refused: a store that vanishes with its connection is what
    `memory:` is for, and SQLite's in-memory databases cannot be shared by a pool of
    connections or by other processes."""
    if not url[: len(_SCHEME)].lower() == _SCHEME:
        raise StoreUrlError(url, "not a sqlite: URL")
    rest = url[len(_SCHEME) :]
    if not rest.startswith("///"):
        if rest.startswith("//"):
            raise StoreUrlError(
                url, "a SQLite URL has no host: use sqlite:///relative.db or sqlite:////abs.db"
            )
        raise StoreUrlError(url, "use sqlite:///relative.db or sqlite:////absolute/path.db")
    raw = rest[3:]
    if not raw:
        raise StoreUrlError(url, "no file named: use sqlite:///relative.db")
    if raw == ":memory:" or raw.startswith("file:"):
        raise StoreUrlError(url, "an in-memory SQLite store is not supported; use memory:")
    if "?" in raw or "#" in raw:
        raise StoreUrlError(url, "query parameters are not supported in a SQLite store URL")
    if "\x00" in raw:
        raise StoreUrlError(url, "the file name contains a NUL character")
    return Path(raw)


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _read_only_uri(path: Path, immutable: bool) -> str:
    return path.resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")


def check_file(url: str, path: Path) -> bool:
    """Decide whether `path` may be opened as a store, touching nothing.

    Returns False when the file must be created or initialised (missing, empty, or a SQLite
    database without any table), True when it is an es-tui store this code can open; raises
    StoreUrlError otherwise."""
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise StoreUrlError(url, f"the directory {str(parent)!r} does not exist")
    if not path.exists():
        return False
    if not path.is_file():
        raise StoreUrlError(url, f"{str(path)!r} is not a regular file")
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise StoreUrlError(url, f"cannot read {str(path)!r}: {exc.strerror}") from exc
    if not header:
        return False
    if len(header) == 100 and not any(header):
        # An es-tui store whose first bytes were wiped; any other file starts with something.
        raise StoreDamagedError(url, str(path), "its header is zeroed")
    if len(header) < 100 or not header.startswith(_HEADER_MAGIC):
        raise StoreUrlError(url, f"{str(path)!r} is not an SQLite database (nor an es-tui store)")
    return _inspect(url, path)


def _inspect(url: str, path: Path) -> bool:
    # With no -wal beside it the main file holds everything, so `immutable` reads it without
    # locks and without creating -wal/-shm. With a -wal present (a store in use, or one whose
    # last user crashed) a plain read-only connection uses the files that are already there.
    wal = _sidecar(path, "-wal")
    has_wal = wal.exists() and wal.stat().st_size > 0  # an empty WAL holds nothing either
    try:
        conn = sqlite3.connect(_read_only_uri(path, not has_wal), uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise StoreUrlError(url, f"cannot open {str(path)!r} read-only: {exc}") from exc
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        user_version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            ).fetchall()
        ]
        meta = (
            dict(conn.execute("SELECT key, value FROM meta").fetchall()) if "meta" in tables else {}
        )
    except sqlite3.Error as exc:
        fault = translate(exc, url, path)
        if fault is not None:
            raise fault from exc
        raise StoreUrlError(url, f"{str(path)!r} is not a readable SQLite database: {exc}") from exc
    finally:
        conn.close()
    if app_id != APPLICATION_ID:
        if app_id == 0 and user_version == 0 and not tables:
            return False  # an empty SQLite database: nothing to lose by initialising it
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        what = f"it holds the tables {shown}" if tables else f"application id {app_id}"
        raise StoreUrlError(
            url, f"{str(path)!r} is an SQLite database but not an es-tui store ({what})"
        )
    version = max(user_version, _int(meta.get("schema_version")))
    if version > SCHEMA_VERSION:
        raise StoreUrlError(
            url,
            f"{str(path)!r} is an es-tui store of schema version {version}; this version of "
            f"es-tui reads up to {SCHEMA_VERSION}: upgrade es-tui to open it",
        )
    if meta.get("marker") != MARKER or version < 1:
        raise StoreUrlError(url, f"{str(path)!r} carries the es-tui mark but its schema is damaged")
    return True


def _int(text: str | None) -> int:
    try:
        return int(text) if text is not None else 0
    except ValueError:
        return 0


def connect(path: Path, *, read_only: bool = False, immutable: bool = False) -> sqlite3.Connection:
    """A connection with the store's pragmas. Transactions are explicit
    (`isolation_level=None`): appends run in `BEGIN IMMEDIATE`. `read_only` opens the file
    with `mode=ro` (SQLite then refuses every write); `immutable` also promises SQLite that
    nobody writes it, so it needs no WAL index (for a read-only or full file system)."""
    target, uri = os.fspath(path), False
    if read_only:
        target, uri = _read_only_uri(path, immutable), True
    conn = sqlite3.connect(
        target,
        timeout=BUSY_TIMEOUT_S,
        isolation_level=None,
        check_same_thread=False,  # a pooled connection serves one thread at a time
        cached_statements=64,
        uri=uri,
    )
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    if not read_only:
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def needs_immutable(path: Path, *, when_idle: bool = False) -> bool:
    """Whether a read-only connection must be `immutable`: no WAL holds commits that the
    main file lacks (a WAL with content means a writer is, or was, at work) and SQLite
    cannot create or grow the WAL index beside the file (read-only directory, full disk),
    or `when_idle` asks to leave nothing beside an idle file."""
    wal = _sidecar(path, "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return False
    if when_idle and not wal.exists():
        return True
    return not directory_is_writable(path) or disk_is_full(path)


def connect_read_only(path: Path, *, when_idle: bool = False) -> tuple[sqlite3.Connection, bool]:
    """A read-only connection that can read the file now, and whether it is immutable
    (`when_idle`: immutable whenever no WAL is beside the file, so nothing is created)."""
    immutable = needs_immutable(path, when_idle=when_idle)
    conn = connect(path, read_only=True, immutable=immutable)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        conn.close()
        wal = _sidecar(path, "-wal")
        if immutable or (wal.exists() and wal.stat().st_size > 0):
            raise
        # SQLite could not make its WAL index (no room, no permission): read the file as is.
        return connect(path, read_only=True, immutable=True), True
    return conn, immutable


def store_id_of(conn: sqlite3.Connection, *, create: bool) -> str | None:
    """The store's id (made with its schema; given to a store that predates ids when
    `create`), which its key store records to detect a wrong pairing."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
    if row is None and create:
        conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', ?)", (str(uuid.uuid4()),)
        )
        row = conn.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
    return str(row[0]) if row else None


def initialise(url: str, conn: sqlite3.Connection, now: str) -> None:
    """Create the schema if the file is still empty (another process may have just done
    it), then switch to WAL. The schema is written in rollback-journal mode, so the file's
    header carries the es-tui mark as soon as the schema exists."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id == 0 and tables == 0:
            for statement in (*SCHEMA, *EXTRAS):
                conn.execute(statement)
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [
                    ("marker", MARKER),
                    ("schema_version", str(SCHEMA_VERSION)),
                    ("created_at", now),
                    ("store_id", str(uuid.uuid4())),
                ],
            )
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif app_id != APPLICATION_ID:
            raise StoreUrlError(url, "another program initialised this file at the same time")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    use_wal(url, conn)


def use_wal(url: str, conn: sqlite3.Connection) -> None:
    """Switch the file to WAL (a persistent setting). It needs a moment without readers in
    rollback mode, so a busy answer is retried briefly."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError:
            mode = "busy"
        if str(mode).lower() == "wal":
            return
        if time.monotonic() > deadline:
            raise StoreUrlError(url, f"cannot switch the file to WAL mode (got {mode!r})")
        time.sleep(0.01)
