"""An SQLite store made before tracking and the type index gains them when opened for
writing; read-only it reads a tracking position of 0. The filtered reads use the indexes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from domain.backends import open_store
from domain.backends.sqlite.store import SQLiteEventStore
from domain.core.records import ANY, NewEvent


def _old_store(path: Path) -> None:
    store = open_store(f"sqlite:///{path}")
    store.append("idea-1", [NewEvent("Noted", {})], ANY)
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE tracking")
        conn.execute("DROP INDEX events_by_type")
    conn.close()


def test_an_older_store_gains_tracking_when_opened_for_writing(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_store(path)
    reader = SQLiteEventStore.open(f"sqlite:///{path}", read_only=True)
    assert reader.tracking_position("pm") == 0
    reader.close()
    store = open_store(f"sqlite:///{path}")
    store.save_tracking("pm", 1)
    assert store.tracking_position("pm") == 1
    assert [e.type for e in store.read_all(types=["Noted"])] == ["Noted"]
    store.close()


def test_the_indexes_filtered_reads_name_exist_in_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    open_store(f"sqlite:///{path}").close()
    conn = sqlite3.connect(path)
    indexes = {r[1]: r for r in conn.execute("PRAGMA index_list(events)")}
    columns = [r[2] for r in conn.execute("PRAGMA index_info(sqlite_autoindex_events_2)")]
    by_type = [r[2] for r in conn.execute("PRAGMA index_info(events_by_type)")]
    conn.close()
    assert columns == ["stream_id", "version"]
    assert by_type == ["type", "position"]
    assert "events_by_type" in indexes
