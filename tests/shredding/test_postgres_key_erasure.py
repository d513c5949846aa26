"""Forgetting on PostgreSQL: the server's own files never hold a stream key in the clear, and
after a forget what they hold of it (its wrapped form) is under a key-encryption key that no
longer exists. The scan reads the test cluster's data directory (heap files and `pg_wal`),
which .ci/postgres.sh names in PG_CI_DIR."""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from domain.backends.postgres.kek import KekFiles, KekMissingError
from domain.backends.postgres.keys import PostgresKeyStore
from domain.bootstrap import bootstrap
from domain.core.shredding.keys import KeyDestroyedError
from tests.store.test_postgres_helpers import URL_VAR, new_schema, server_url, with_schema


def _require_cluster() -> Path:
    missing = [v for v in (URL_VAR, "PG_CI_DIR") if not os.environ.get(v)]
    if missing:
        reason = f'set {" and ".join(missing)} (eval "$(bash .ci/postgres.sh start)")'
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (required on CI)")
        pytest.skip(reason)
    return Path(os.environ["PG_CI_DIR"])


@pytest.fixture
def cluster() -> Path:
    return _require_cluster()


@pytest.fixture
def url(cluster: Path) -> str:
    return with_schema(server_url(), new_schema())


@pytest.fixture
def keys(url: str, tmp_path: Path) -> Iterator[PostgresKeyStore]:
    store = PostgresKeyStore(url, kek_dir=tmp_path / "kek")
    yield store
    store.close()


def superuser(cluster: Path) -> psycopg.Connection[tuple[object, ...]]:
    """The cluster's superuser, through its socket directory (CHECKPOINT needs it)."""
    port = urllib.parse.urlsplit(server_url()).port
    return psycopg.connect(
        host=str(cluster), port=port, user="postgres", dbname="es_tui", autocommit=True
    )


def flush_to_disk(cluster: Path, schema: str, *tables: str) -> None:
    """VACUUM the tables (deleted row versions leave the pages) and CHECKPOINT (every page
    written to the data files)."""
    with superuser(cluster) as db:
        for table in tables:
            db.execute(f'VACUUM "{schema}".{table}')
        db.execute("CHECKPOINT")


def occurrences(cluster: Path, needle: bytes) -> dict[str, int]:
    """How often `needle` occurs in `pg_wal/` and in every other file of the data directory
    (the table files under `base/` among them)."""
    found = {"data files": 0, "pg_wal": 0}
    data = cluster / "data"
    for path in data.rglob("*"):
        if path.is_file():
            label = "pg_wal" if (data / "pg_wal") in path.parents else "data files"
            found[label] += path.read_bytes().count(needle)
    return found


def schema_of(url: str) -> str:
    return url.rsplit("schema=", 1)[1]


def test_a_forgotten_key_is_in_no_data_file_nor_the_wal(
    cluster: Path, url: str, keys: PostgresKeyStore, tmp_path: Path
) -> None:
    others = {f"idea-{i}": keys.create_key(f"idea-{i}") for i in range(50)}
    key = keys.create_key("idea-canary")
    schema = schema_of(url)
    with psycopg.connect(server_url(), autocommit=True) as db:
        row = db.execute(
            f"SELECT wrapped FROM \"{schema}\".es_wrapped_keys WHERE stream_id = 'idea-canary'"
        ).fetchone()
    assert row is not None
    wrapped = bytes(row[0])
    flush_to_disk(cluster, schema, "es_wrapped_keys")

    # The scan sees the table: its wrapped form is on disk, the key itself nowhere.
    assert occurrences(cluster, wrapped)["data files"] >= 1
    assert occurrences(cluster, key) == {"data files": 0, "pg_wal": 0}

    assert keys.destroy("idea-canary")
    flush_to_disk(cluster, schema, "es_wrapped_keys", "es_kek")

    assert occurrences(cluster, key) == {"data files": 0, "pg_wal": 0}
    # What copies may still hold is the wrapped form, under a KEK no file keeps any more.
    assert keys.generation == 2
    assert not keys.files.path(1).exists()
    assert sorted(p.name for p in (tmp_path / "kek").iterdir()) == [keys.files.path(2).name]
    reopened = PostgresKeyStore(url, kek_dir=tmp_path / "kek")
    try:
        assert reopened.key_for("idea-canary") is None
        assert {s: reopened.key_for(s) for s in others} == others
        with pytest.raises(KeyDestroyedError):
            reopened.create_key("idea-canary")
    finally:
        reopened.close()


def test_the_scan_finds_a_key_that_was_stored_in_the_clear(cluster: Path, url: str) -> None:
    # The control: a key kept raw in a table, deleted, vacuumed and checkpointed, is still
    # in the WAL, which is what the wrapped keys above are there to prevent.
    raw = os.urandom(32)
    schema = schema_of(url)
    with psycopg.connect(server_url(), autocommit=True) as db:
        db.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        db.execute(f'CREATE TABLE "{schema}".raw_keys (k bytea)')
        db.execute(f'INSERT INTO "{schema}".raw_keys VALUES (%s)', (raw,))
        db.execute(f'DELETE FROM "{schema}".raw_keys')
    flush_to_disk(cluster, schema, "raw_keys")

    found = occurrences(cluster, raw)
    assert found["data files"] + found["pg_wal"] >= 1


def test_thousands_of_keys_are_rewrapped_in_one_forget(
    url: str, keys: PostgresKeyStore, tmp_path: Path
) -> None:
    made = {f"s-{i}": keys.create_key(f"s-{i}") for i in range(3000)}
    keys.destroy("s-17")
    del made["s-17"]
    fresh = PostgresKeyStore(url, kek_dir=tmp_path / "kek")
    try:
        assert fresh.generation == 2
        assert {s: fresh.key_for(s) for s in made} == made
    finally:
        fresh.close()


def test_another_handle_follows_a_rotation(
    url: str, keys: PostgresKeyStore, tmp_path: Path
) -> None:
    other = PostgresKeyStore(url, kek_dir=tmp_path / "kek")
    try:
        a, b = keys.create_key("a"), keys.create_key("b")
        other.destroy("a")
        assert keys.key_for("b") == b  # cached
        keys.forget_cached("b")
        assert keys.key_for("b") == b  # read again: wrapped under the new KEK
        assert keys.generation == other.generation == 2
        assert keys.create_key("c") == other.key_for("c")
        keys.forget_cached("a")
        assert keys.key_for("a") is None and a
    finally:
        other.close()


def test_a_crash_before_the_rewrap_commits_leaves_every_key_readable(
    url: str, keys: PostgresKeyStore, tmp_path: Path
) -> None:
    made = {s: keys.create_key(s) for s in ("a", "b", "c")}
    # The new KEK file is written first; the process dies before the database names it.
    KekFiles(tmp_path / "kek", keys.files.kek_id).create(keys.generation + 1)
    keys.close()
    reopened = PostgresKeyStore(url, kek_dir=tmp_path / "kek")
    try:
        assert reopened.generation == 1
        assert {s: reopened.key_for(s) for s in made} == made
        reopened.destroy("a")  # the orphan of generation 2 is simply replaced
        assert reopened.generation == 2
        assert reopened.key_for("b") == made["b"]
    finally:
        reopened.close()


def test_a_crash_after_the_rewrap_commits_destroys_the_old_kek_at_the_next_open(
    url: str, keys: PostgresKeyStore, tmp_path: Path
) -> None:
    b = keys.create_key("b")
    keys.create_key("a")
    keys.destroy("a")
    # The old file as it would be had the process died right after the commit.
    stale = keys.files.path(1)
    stale.write_bytes(os.urandom(32))
    keys.close()
    reopened = PostgresKeyStore(url, kek_dir=tmp_path / "kek")
    try:
        assert not stale.exists()
        assert reopened.key_for("b") == b
    finally:
        reopened.close()


@pytest.mark.parametrize("damage", ["missing", "wrong"])
def test_without_its_kek_file_the_key_store_says_which_file(
    url: str, keys: PostgresKeyStore, tmp_path: Path, damage: str
) -> None:
    keys.create_key("a")
    path = keys.files.path(keys.generation)
    keys.close()
    if damage == "missing":
        path.unlink()
    else:
        path.write_bytes(os.urandom(32))
    with pytest.raises(KekMissingError) as caught:
        PostgresKeyStore(url, kek_dir=tmp_path / "kek")
    assert caught.value.path == path


def test_kek_files_are_private(keys: PostgresKeyStore, tmp_path: Path) -> None:
    path = keys.files.path(keys.generation)
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "kek").stat().st_mode & 0o777 == 0o700


def test_the_erasure_report_says_what_was_checked_and_what_cannot_be(
    url: str, keys: PostgresKeyStore, tmp_path: Path
) -> None:
    system = bootstrap(url, keys=keys)
    try:
        kept = system.ideas.publish("kept", "still here").idea_id
        idea = system.ideas.publish("secret title", "secret text").idea_id
        old_kek = keys.files.path(keys.generation)
        copy_of_old_kek = old_kek.read_bytes()

        _, report = system.eraser.forget(idea)

        (finding,) = [p for p in report.findings if p.place == "key store"]
        assert finding.clean
        assert "checked: no older KEK file is left" in finding.detail
        assert "Not checked: copies of the database" in finding.detail
        assert system.view.get(kept).title == "kept"
        # A copy of the old KEK put back (a restored backup of the directory) is reported.
        old_kek.write_bytes(copy_of_old_kek)
        (finding,) = [p for p in system.eraser.verify(idea).findings if p.place == "key store"]
        assert not finding.clean
        assert "1 older KEK file(s) still in" in finding.detail
    finally:
        system.close()


def test_keys_an_older_store_kept_in_the_clear_are_wrapped_and_their_table_dropped(
    url: str, tmp_path: Path
) -> None:
    schema = schema_of(url)
    raw = os.urandom(32)
    with psycopg.connect(server_url(), autocommit=True) as db:
        db.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        db.execute(
            f'CREATE TABLE "{schema}".es_stream_keys (stream_id text PRIMARY KEY, '
            "key bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
        )
        db.execute(f'INSERT INTO "{schema}".es_stream_keys VALUES (%s, %s)', ("old-1", raw))
    keys = PostgresKeyStore(url, kek_dir=tmp_path / "kek")
    try:
        assert keys.key_for("old-1") == raw
        with psycopg.connect(server_url(), autocommit=True) as db:
            gone = db.execute("SELECT to_regclass(%s)", (f"{schema}.es_stream_keys",))
            assert gone.fetchone() == (None,)
            (wrapped,) = db.execute(
                f'SELECT wrapped FROM "{schema}".es_wrapped_keys'
            ).fetchone() or (b"",)
        assert raw not in bytes(wrapped)
    finally:
        keys.close()
