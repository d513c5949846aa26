"""PostgreSQL plans a filtered read of the global log on its indexes (by type; by stream
prefix as a byte-wise range), so its cost follows the matches, not the log."""

from __future__ import annotations

import json

import psycopg

from domain.backends.memory.store import MemoryEventStore
from domain.backends.postgres.store import PostgresEventStore
from domain.core.records import NO_STREAM, NewEvent
from tests.store.test_postgres_helpers import fresh_url

EVENTS = 20_000


def _plan(store: PostgresEventStore, query: str, params: list[object]) -> str:
    with psycopg.connect(store.url.split("?")[0], autocommit=True) as conn:
        conn.execute(f"SET search_path TO {store.schema}")
        conn.execute("ANALYZE es_events")
        row = conn.execute(f"EXPLAIN (FORMAT JSON) {query}", params).fetchone()
    assert row is not None
    return json.dumps(row[0])


def test_filtered_reads_use_the_indexes() -> None:
    source = MemoryEventStore()
    for s in range(EVENTS // 1000):
        source.append(
            f"bulk-{s}",
            [NewEvent("Rare" if n == 500 else "Noted", {"n": n}) for n in range(1000)],
            NO_STREAM,
        )
    source.append("idea-1", [NewEvent("Noted", {})], NO_STREAM)
    store = PostgresEventStore.open(fresh_url(), poll_interval=None)
    try:
        store.import_records(source.read_all())
        sql = store._sql.read_log
        by_type = _plan(store, sql[True, False, False], [1, 2**62, ["Rare"], None])
        by_prefix = _plan(
            store, sql[False, True, True], [1, 2**62, "idea-", "idea-", "idea.", None]
        )
        assert "es_events_by_type" in by_type
        assert "es_events_by_stream" in by_prefix
        assert [e.stream_id for e in store.read_all(stream_prefix="idea-")] == ["idea-1"]
        assert len(store.read_all(types=["Rare"])) == EVENTS // 1000
    finally:
        store.close()
