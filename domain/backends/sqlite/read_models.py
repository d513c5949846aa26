"""Generic read-model rows in the SQLite store's own file: one table holds every read
model's rows (JSON values under (read model, key)), another each read model's checkpoint;
a page's rows and its checkpoint are written in one transaction, and a page another process
applied first (the checkpoint already reached it) is written by nobody else."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Mapping
from pathlib import Path

from domain.backends.sqlite.kept import open_kept
from domain.core.port import Row

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS read_model_rows ("
    " model TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (model, key))",
    "CREATE TABLE IF NOT EXISTS read_model_checkpoint ("
    " model TEXT PRIMARY KEY, position INTEGER NOT NULL)",
)


class SQLiteRowStorage:
    """The rows of read model `name` in an SQLite file (normally the event store's)."""

    def __init__(self, path: str | Path, name: str, *, read_only: bool = False) -> None:
        """`read_only`: the rows as kept in the file, for a process that may not write it
        (an erasure check on a full disk); nothing is created or written then."""
        self.path = str(path)
        self.name = name
        self._lock = threading.Lock()
        if read_only:
            self._db = open_kept(Path(path), SCHEMA)
            return
        self._db = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=10.0
        )
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "secure_delete=ON"):
            self._db.execute(f"PRAGMA {pragma}")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            for statement in SCHEMA:
                self._db.execute(statement)
            self._db.execute(
                "INSERT OR IGNORE INTO read_model_checkpoint(model, position) VALUES (?, 0)",
                (name,),
            )
            self._db.execute("COMMIT")

    def checkpoint(self) -> int:
        with self._lock:
            found = self._db.execute(
                "SELECT position FROM read_model_checkpoint WHERE model = ?", (self.name,)
            ).fetchone()
        return int(found[0]) if found else 0

    def get(self, key: str) -> Row | None:
        with self._lock:
            found = self._db.execute(
                "SELECT value FROM read_model_rows WHERE model = ? AND key = ?", (self.name, key)
            ).fetchone()
        return _row(found[0]) if found else None

    def rows(self) -> dict[str, Row]:
        with self._lock:
            found = self._db.execute(
                "SELECT key, value FROM read_model_rows WHERE model = ?", (self.name,)
            ).fetchall()
        return {key: _row(value) for key, value in found}

    def commit(
        self, upserts: Mapping[str, Row], removed: set[str], checkpoint: int, *, first: int
    ) -> bool:
        values = [(self.name, key, json.dumps(dict(row))) for key, row in upserts.items()]
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                (stored,) = db.execute(
                    "SELECT position FROM read_model_checkpoint WHERE model = ?", (self.name,)
                ).fetchone()
                if stored >= first:
                    db.execute("ROLLBACK")
                    return False
                db.executemany(
                    "INSERT OR REPLACE INTO read_model_rows(model, key, value) VALUES (?, ?, ?)",
                    values,
                )
                db.executemany(
                    "DELETE FROM read_model_rows WHERE model = ? AND key = ?",
                    [(self.name, key) for key in sorted(removed)],
                )
                db.execute(
                    "UPDATE read_model_checkpoint SET position = ? WHERE model = ?",
                    (checkpoint, self.name),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return True

    def reset(self) -> None:
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM read_model_rows WHERE model = ?", (self.name,))
            db.execute(
                "UPDATE read_model_checkpoint SET position = 0 WHERE model = ?", (self.name,)
            )
            db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _row(text: str) -> Row:
    value = json.loads(text)
    return value if isinstance(value, dict) else {}
