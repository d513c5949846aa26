"""Read models' rows as kept in an SQLite store file, opened for reading only: what an
erasure check reads when this process may not write the file (a full disk, a read-only
file system), so the rows at rest are checked as they are rather than skipped."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from domain.backends.sqlite.schema import connect_read_only

_TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+)", re.IGNORECASE)


def open_kept(path: Path, schema: Iterable[str]) -> sqlite3.Connection:
    """A read-only connection to `path` in which every table of `schema` can be queried: a
    table the file does not have (its read model never wrote there) is an empty one of this
    connection's own, so it reads as no rows; nothing is written to the file."""
    conn, _ = connect_read_only(path, when_idle=True)
    try:
        present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        for statement in schema:
            found = _TABLE.search(statement)
            if found is not None and found.group(1) not in present:
                conn.execute(_TABLE.sub(r"CREATE TEMP TABLE \1", statement, count=1))
    except BaseException:
        conn.close()
        raise
    return conn
