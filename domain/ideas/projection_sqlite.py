"""`IdeaView` storage in the SQLite store's own file: the rows and the checkpoint are written
in one transaction, so a crash between the two can never apply an event twice, and every
process on the file shares one read model."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from domain.backends.sqlite.kept import open_kept
from domain.ideas.projection import IdeaRow

SCHEMA = """
CREATE TABLE IF NOT EXISTS view_ideas (
    idea_id     TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    status      TEXT NOT NULL,
    version     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS view_deleted (idea_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS view_checkpoint (
    name     TEXT PRIMARY KEY,
    position INTEGER NOT NULL
);
"""

NAME = "ideas"


class SQLiteViewStorage:
    """View storage in tables of an SQLite file (normally the event store's file)."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        """`read_only`: the rows as kept in the file, for a process that may not write it
        (an erasure check on a full disk); nothing is created or written then."""
        self.path = str(path)
        self._lock = threading.Lock()
        if read_only:
            self._db = open_kept(Path(path), SCHEMA.split(";"))
            return
        self._db = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=10.0
        )
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "secure_delete=ON",
            "busy_timeout=10000",
        ):
            self._db.execute(f"PRAGMA {pragma}")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute(
                "INSERT OR IGNORE INTO view_checkpoint(name, position) VALUES (?, 0)", (NAME,)
            )
            self._db.execute("COMMIT")

    def _row(self, r: tuple[str, str, str, str, int, str, str]) -> IdeaRow:
        return IdeaRow(
            idea_id=r[0],
            title=r[1],
            description=r[2],
            status=r[3],
            version=r[4],
            created_at=datetime.fromisoformat(r[5]),
            updated_at=datetime.fromisoformat(r[6]),
        )

    def checkpoint(self) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT position FROM view_checkpoint WHERE name = ?", (NAME,)
            ).fetchone()
        return int(row[0]) if row else 0

    def get(self, idea_id: str) -> IdeaRow | None:
        with self._lock:
            r = self._db.execute(
                "SELECT idea_id, title, description, status, version, created_at, updated_at "
                "FROM view_ideas WHERE idea_id = ?",
                (idea_id,),
            ).fetchone()
        return self._row(r) if r else None

    def is_deleted(self, idea_id: str) -> bool:
        with self._lock:
            r = self._db.execute("SELECT 1 FROM view_deleted WHERE idea_id = ?", (idea_id,))
            return r.fetchone() is not None

    def rows(self) -> list[IdeaRow]:
        with self._lock:
            found = self._db.execute(
                "SELECT idea_id, title, description, status, version, created_at, updated_at "
                "FROM view_ideas ORDER BY idea_id"
            ).fetchall()
        return [self._row(r) for r in found]

    def commit(
        self,
        upserts: dict[str, IdeaRow],
        deleted: set[str],
        dropped: set[str],
        checkpoint: int,
        *,
        first_position: int,
    ) -> bool:
        rows = [
            (
                r.idea_id,
                r.title,
                r.description,
                r.status,
                r.version,
                r.created_at.isoformat(),
                r.updated_at.isoformat(),
            )
            for r in upserts.values()
        ]
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                (stored,) = db.execute(
                    "SELECT position FROM view_checkpoint WHERE name = ?", (NAME,)
                ).fetchone()
                if stored >= first_position:
                    db.execute("ROLLBACK")
                    return False
                db.executemany(
                    "INSERT OR REPLACE INTO view_ideas(idea_id, title, description, status, "
                    "version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                gone = [(i,) for i in deleted | dropped]
                db.executemany("DELETE FROM view_ideas WHERE idea_id = ?", gone)
                db.executemany(
                    "INSERT OR IGNORE INTO view_deleted(idea_id) VALUES (?)",
                    [(i,) for i in deleted],
                )
                db.executemany(
                    "DELETE FROM view_deleted WHERE idea_id = ?", [(i,) for i in dropped]
                )
                db.execute(
                    "UPDATE view_checkpoint SET position = ? WHERE name = ?", (checkpoint, NAME)
                )
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        return True

    def reset(self) -> None:
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM view_ideas")
            db.execute("DELETE FROM view_deleted")
            db.execute("UPDATE view_checkpoint SET position = 0 WHERE name = ?", (NAME,))
            db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()
