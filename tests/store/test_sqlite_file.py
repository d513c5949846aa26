"""The SQLite store's file: what opens, what is refused (left untouched), and its settings."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.backends import open_store
from domain.backends.sqlite.schema import APPLICATION_ID, SCHEMA_VERSION
from domain.backends.sqlite.store import SQLiteEventStore
from domain.core.errors import StoreUrlError
from domain.core.records import NO_STREAM, NewEvent, Snapshot, StreamStatus

SIDECARS = ("-wal", "-shm", "-journal")


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


def sidecars(path: Path) -> list[str]:
    return [s for s in SIDECARS if path.with_name(path.name + s).exists()]


def assert_refused_untouched(path: Path, *words: str) -> None:
    before = path.read_bytes()
    with pytest.raises(StoreUrlError) as caught:
        open_store(url_of(path))
    message = str(caught.value)
    for word in words:
        assert word in message
    assert path.read_bytes() == before
    assert sidecars(path) == []


def test_everything_committed_survives_close_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    store = open_store(url_of(path), deleted_types={"Deleted"})
    a = store.append("a-1", [NewEvent("Noted", {"n": i, "é": "ü"}) for i in range(5)], NO_STREAM)
    store.append("b-1", [NewEvent("Noted", {}), NewEvent("Deleted", {})], NO_STREAM)
    store.append("c-1", [NewEvent("Noted", {"secret": "x"})], NO_STREAM)
    store.forget("c-1", NewEvent("Forgotten", {}))
    store.save_snapshot(Snapshot("a-1", 5, a[-1].event_id, {"sum": 10}, 1, datetime.now(UTC)))
    log, streams, snaps = store.read_all(), store.list_streams(), store.snapshots("a-1")
    store.close()
    assert sidecars(path) == []  # the last connection folded the WAL back into the file

    again = open_store(url_of(path), deleted_types={"Deleted"})

    assert again.read_all() == log
    assert again.list_streams() == streams
    assert [i.status for i in streams] == [
        StreamStatus.ACTIVE,
        StreamStatus.DELETED,
        StreamStatus.FORGOTTEN,
    ]
    assert again.snapshots("a-1") == snaps
    (more,) = again.append("a-1", [NewEvent("Noted", {})], 5)
    assert (more.version, more.position) == (6, log[-1].position + 1)
    again.close()


def test_a_relative_url_names_a_file_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store("sqlite:///rel.db")
    store.append("a-1", [NewEvent("Noted", {})], NO_STREAM)
    store.close()

    assert (tmp_path / "rel.db").stat().st_size > 0
    again = open_store(f"SQLite:///{tmp_path / 'rel.db'}")
    assert [e.stream_id for e in again.read_all()] == ["a-1"]
    again.close()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("sqlite:///:memory:", "memory:"),
        ("sqlite://host/events.db", "no host"),
        ("sqlite:events.db", "sqlite:///"),
        ("sqlite:///", "no file"),
        ("sqlite:///events.db?mode=ro", "query"),
    ],
)
def test_urls_that_name_no_durable_file_are_refused(
    url: str, words: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreUrlError) as caught:
        open_store(url)
    assert words in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_directory_is_refused_and_not_created(tmp_path: Path) -> None:
    with pytest.raises(StoreUrlError) as caught:
        open_store(url_of(tmp_path / "nowhere" / "events.db"))
    assert "does not exist" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreUrlError):
        open_store(url_of(tmp_path))


def test_a_text_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("shopping list: tea, milk\n" * 20)
    assert_refused_untouched(path, "not an SQLite database")


def test_a_short_binary_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "short.db"
    path.write_bytes(b"SQLite format 3\x00")
    assert_refused_untouched(path, "not an SQLite database")


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_another_programs_database_is_refused_untouched(tmp_path: Path, journal: str) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO customers (name) VALUES ('Ada')")
    conn.commit()
    conn.close()

    assert_refused_untouched(path, "not an es-tui store", "customers")


def test_a_database_with_a_foreign_application_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("PRAGMA user_version = 1")  # writes the header even without tables
    conn.close()

    assert_refused_untouched(path, "not an es-tui store", "1234")


def test_a_store_of_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    open_store(url_of(path)).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION + 1,))
    conn.commit()
    conn.close()

    assert_refused_untouched(path, f"schema version {SCHEMA_VERSION + 1}", "upgrade")


def test_an_empty_file_or_empty_database_becomes_a_store(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    blank = tmp_path / "blank.db"
    sqlite3.connect(blank).execute("VACUUM").connection.close()

    for path in (empty, blank):
        store = open_store(url_of(path))
        store.append("a-1", [NewEvent("Noted", {})], NO_STREAM)
        store.close()
        assert open_store(url_of(path)).head_position() == 1


def test_the_file_is_marked_and_the_settings_are_in_effect(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    store = SQLiteEventStore.open(url_of(path))

    settings = store.settings()
    assert settings["journal_mode"] == "wal"
    assert settings["synchronous"] == 2  # FULL
    assert settings["secure_delete"] == 1
    assert settings["foreign_keys"] == 1
    assert settings["busy_timeout"] == 10_000
    store.close()

    conn = sqlite3.connect(path)
    marks = [conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("application_id", "user_version")]
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert marks == [APPLICATION_ID, SCHEMA_VERSION]
    assert mode == "wal"


def test_the_file_refuses_a_second_event_at_a_stream_version(tmp_path: Path) -> None:
    """The schema itself guards the contract against any other writer of the file."""
    path = tmp_path / "events.db"
    store = open_store(url_of(path))
    (rec,) = store.append("a-1", [NewEvent("Noted", {})], NO_STREAM)
    store.close()

    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO events (position, commit_end, event_id, stream_id, version, type,"
            " schema_version, recorded_at, data, metadata)"
            " VALUES (2, 2, 'other', 'a-1', 1, 'Noted', 1, 'now', '{}', '{}')"
        )
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO events (position, commit_end, event_id, stream_id, version, type,"
            " schema_version, recorded_at, data, metadata)"
            " VALUES (2, 2, ?, 'a-1', 2, 'Noted', 1, 'now', '{}', '{}')",
            (str(rec.event_id),),
        )
    conn.close()
