"""A key store that does not go with its event store: given an SQLite store with sealed
events whose key file was moved away, replaced by an empty one, or swapped for another
store's, when it is opened for writing, then it is refused with a specific error naming the
key file, and nothing is created or changed there; opened for reading, every private value
reads as the redaction marker (never as corrupted), public values read as before, and a
warning says why."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.backends.sqlite.keys import SQLiteKeyStore
from domain.bootstrap import bootstrap
from domain.core.errors import StoreReadOnlyError
from domain.core.shredding.cipher import CORRUPTED, REDACTED
from domain.core.shredding.keys import (
    KeyStoreBindingError,
    KeyStoreMismatchError,
    KeyStoreMissingError,
)
from tests.shredding.conftest import POLICY, World, sqlite_system


def keys_of(db: Path) -> Path:
    return db.with_name(db.name + ".keys")


def remove_keys(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        keys = keys_of(db)
        keys.with_name(keys.name + suffix).unlink(missing_ok=True)


def moved_away(db: Path, tmp: Path) -> tuple[Path, type[KeyStoreBindingError]]:
    shutil.move(keys_of(db), tmp / "moved.keys")
    return keys_of(db), KeyStoreMissingError


def empty_new_file(db: Path, tmp: Path) -> tuple[Path, type[KeyStoreBindingError]]:
    remove_keys(db)
    SQLiteKeyStore(keys_of(db)).close()  # a key store that never held a key
    return keys_of(db), KeyStoreMissingError


def another_stores_keys(db: Path, tmp: Path) -> tuple[Path, type[KeyStoreBindingError]]:
    other = tmp / "other.db"
    system = sqlite_system(other)
    system.ideas.publish("Another store", "Its own keys")
    system.close()
    remove_keys(db)
    shutil.copy(keys_of(other), keys_of(db))
    return keys_of(db), KeyStoreMismatchError


def copy_without_keys(db: Path, tmp: Path) -> tuple[Path, type[KeyStoreBindingError]]:
    copy = tmp / "copy" / db.name
    copy.parent.mkdir()
    for suffix in ("", "-wal"):  # the store as a file copy would take it, keys left behind
        if db.with_name(db.name + suffix).exists():
            shutil.copy(db.with_name(db.name + suffix), copy.with_name(copy.name + suffix))
    return keys_of(copy), KeyStoreMissingError


BREAKAGES: dict[str, Callable[[Path, Path], tuple[Path, type[KeyStoreBindingError]]]] = {
    "moved away": moved_away,
    "empty new file": empty_new_file,
    "another store's keys": another_stores_keys,
    "copy of the store without keys": copy_without_keys,
}


def fingerprint(path: Path) -> tuple[bool, str, list[str]]:
    """Whether the key file exists, its digest, and its own files (WAL, index) beside it."""
    data = path.read_bytes() if path.exists() else b""
    return (
        path.exists(),
        hashlib.sha256(data).hexdigest(),
        sorted(p.name for p in path.parent.glob(path.name + "*")),
    )


@pytest.fixture(params=sorted(BREAKAGES))
def broken(
    request: pytest.FixtureRequest, small_world: World, db: Path, tmp_path: Path
) -> tuple[World, Path, Path, type[KeyStoreBindingError]]:
    """The small world closed, its keys broken one way: (world, store file, key file the
    store would use, the error expected)."""
    small_world.system.close()
    keys, error = BREAKAGES[request.param](db, tmp_path)
    store = keys.with_name(keys.name.removesuffix(".keys"))
    return small_world, store, keys, error


def test_opening_for_writing_is_refused_and_touches_nothing(
    broken: tuple[World, Path, Path, type[KeyStoreBindingError]],
) -> None:
    _, store, keys, error = broken
    before = fingerprint(keys)
    with pytest.raises(error) as caught:
        bootstrap(f"sqlite:///{store}", snapshot_policy=POLICY)
    assert caught.value.where == str(keys)
    assert str(keys) in str(caught.value)
    assert fingerprint(keys) == before  # no new key file, nothing changed in the old one


def test_reading_shows_private_values_redacted_with_a_warning(
    broken: tuple[World, Path, Path, type[KeyStoreBindingError]],
) -> None:
    world, store, keys, _ = broken
    before = fingerprint(keys)
    world.system = bootstrap(f"sqlite:///{store}", snapshot_policy=POLICY, read_only=True)
    assert any(str(keys) in w for w in world.system.warnings)
    count = 0
    for record in world.system.store.read_all():
        event = world.system.codec.decode(record)
        for name in world.private.get((record.stream_id, record.version), {}):
            assert getattr(event, name) == REDACTED, (record.stream_id, record.version, name)
            count += 1
    assert count == sum(len(v) for v in world.private.values())
    rows = world.system.view.list()
    assert {r.idea_id for r in rows} == set(world.current)
    assert {(r.title, r.description, r.status) for r in rows} == {(REDACTED, REDACTED, "accepted")}
    assert CORRUPTED not in {r.title for r in rows}
    with pytest.raises((StoreReadOnlyError, KeyStoreBindingError)):
        world.system.ideas.publish("Written without keys", "Must not be sealed")
    assert fingerprint(keys) == before


def test_the_right_keys_put_back_read_everything(
    small_world: World, db: Path, tmp_path: Path
) -> None:
    """Refusing the write is what keeps the data readable once the keys are back."""
    world = small_world
    world.system.close()
    shutil.move(keys_of(db), tmp_path / "aside.keys")
    with pytest.raises(KeyStoreMissingError):
        sqlite_system(db)
    shutil.move(tmp_path / "aside.keys", keys_of(db))
    world.system = sqlite_system(db)
    rows = {r.idea_id: (r.title, r.description) for r in world.system.view.list()}
    assert rows == world.current
