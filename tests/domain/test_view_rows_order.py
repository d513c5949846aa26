"""The ideas read model's storages list their rows in idea-id order, whatever order they were
written in: given rows committed out of order, one removed and written again, when `rows()` is
read, then the ids come sorted, on memory and on SQLite (so two views that applied the same
events in different page sizes list the same rows the same way)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.ideas.projection import IdeaRow, MemoryViewStorage, ViewStorage
from domain.ideas.projection_sqlite import SQLiteViewStorage

AT = datetime(2026, 1, 1, tzinfo=UTC)


def row(idea_id: str, version: int = 1) -> IdeaRow:
    return IdeaRow(idea_id, "t", "d", "requested", version, AT, AT)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_rows_come_in_idea_id_order(kind: str, tmp_path: Path) -> None:
    storage: ViewStorage = (
        MemoryViewStorage() if kind == "memory" else SQLiteViewStorage(tmp_path / "v.db")
    )
    ids = ["ccc333", "aaa111", "fff666", "bbb222"]
    for position, idea_id in enumerate(ids, start=1):
        storage.commit({idea_id: row(idea_id)}, set(), set(), position, first_position=position)
    storage.commit({}, set(), {"aaa111"}, 5, first_position=5)  # forgotten: dropped
    storage.commit({"aaa111": row("aaa111", 3)}, set(), set(), 6, first_position=6)
    assert [r.idea_id for r in storage.rows()] == sorted(ids)
    assert storage.get("aaa111") == row("aaa111", 3)
