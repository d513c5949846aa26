"""What an SQLite failure means for the store: a damaged file, a full disk, a read-only
file system. Each becomes a specific store error carrying the file and SQLite's own words,
so a front end can say what happened instead of showing a traceback."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Final

from domain.core.errors import (
    EventStoreError,
    StorageFullError,
    StoreDamagedError,
    StoreReadOnlyError,
)

# Primary result codes (the low byte of an extended code).
_SQLITE_READONLY: Final = 8
_SQLITE_IOERR: Final = 10
_SQLITE_CORRUPT: Final = 11
_SQLITE_FULL: Final = 13
_SQLITE_NOTADB: Final = 26

LOW_SPACE_BYTES: Final = 64 * 1024
"""Below this much free space a write cannot even grow the WAL index: the disk is full."""

CHECK_ROWS: Final = 5
"""How many of `PRAGMA quick_check`'s complaints are shown."""


def free_bytes(path: Path) -> int | None:
    """Bytes an unprivileged writer may still use on the file system holding `path`."""
    try:
        stats = os.statvfs(path if path.is_dir() else (path.parent or Path(".")))
    except OSError:
        return None
    return stats.f_bavail * stats.f_frsize


def disk_is_full(path: Path) -> bool:
    """Whether the file system holding `path` has (nearly) no room left."""
    free = free_bytes(path)
    return free is not None and free < LOW_SPACE_BYTES


def directory_is_writable(path: Path) -> bool:
    """Whether new files (a WAL, its index) can be made beside `path` (a read-only mount
    answers no even to root)."""
    return os.access(path.parent if str(path.parent) else Path("."), os.W_OK)


def quick_check(conn: sqlite3.Connection) -> str | None:
    """None if `PRAGMA quick_check` finds the file sound, else what it found (shortened)."""
    try:
        rows = conn.execute(f"PRAGMA quick_check({CHECK_ROWS})").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    found = [" ".join(str(r[0]).split()) for r in rows]  # one line: it goes into messages
    return None if found == ["ok"] else "; ".join(found)


def is_damage(exc: sqlite3.Error) -> bool:
    """Whether SQLite says the file is malformed (not merely busy or unwritable)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    return "malformed" in str(exc) or "not a database" in str(exc)


def translate(exc: sqlite3.Error, url: str, path: Path) -> EventStoreError | None:
    """The store error `exc` stands for, or None when it is none of these faults."""
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if is_damage(exc):
        return StoreDamagedError(url, str(path), str(exc))
    if code == _SQLITE_FULL or (code == _SQLITE_IOERR and disk_is_full(path)):
        return StorageFullError(url, str(path), str(exc))
    if code == _SQLITE_READONLY:
        return StoreReadOnlyError(url, f"the file system refused the write: {exc}")
    return None
