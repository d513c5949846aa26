"""The CLI with a key store that does not go with the store: given a store with ideas whose
key file was moved away, replaced by an empty one or by another store's, or a copy of the
store without its keys, then every write is refused with exit 2 and one line naming the key
file (nothing created or changed there), and reading commands still list everything with
private values redacted and a warning on stderr."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.backends.sqlite.keys import SQLiteKeyStore
from domain.core.shredding.cipher import REDACTED
from es_tui.cli import EXIT_USAGE
from tests.cli.conftest import Cli, publish


def keys_of(db: Path) -> Path:
    return db.with_name(db.name + ".keys")


def _moved(db: Path, tmp: Path, cli: Cli) -> tuple[Path, tuple[str, ...]]:
    shutil.move(keys_of(db), tmp / "elsewhere.keys")
    return db, ()


def _wrong_path(db: Path, tmp: Path, cli: Cli) -> tuple[Path, tuple[str, ...]]:
    return db, ("--key-store", str(tmp / "typo.keys"))


def _empty(db: Path, tmp: Path, cli: Cli) -> tuple[Path, tuple[str, ...]]:
    keys_of(db).unlink()
    SQLiteKeyStore(keys_of(db)).close()
    return db, ()


def _other_stores(db: Path, tmp: Path, cli: Cli) -> tuple[Path, tuple[str, ...]]:
    other = tmp / "other.db"
    assert cli("publish", "--title", "Other", "--desc", "Elsewhere", store=other).code == 0
    return db, ("--key-store", str(keys_of(other)))


def _copied(db: Path, tmp: Path, cli: Cli) -> tuple[Path, tuple[str, ...]]:
    copy = tmp / "copy" / db.name
    copy.parent.mkdir()
    for suffix in ("", "-wal"):  # the store as a file copy takes it, the keys left behind
        if db.with_name(db.name + suffix).exists():
            shutil.copy(db.with_name(db.name + suffix), copy.with_name(copy.name + suffix))
    return copy, ()


def _zero_bytes(db: Path, tmp: Path, cli: Cli) -> tuple[Path, tuple[str, ...]]:
    keys_of(db).write_bytes(b"")
    return db, ()


def _garbage(db: Path, tmp: Path, cli: Cli) -> tuple[Path, tuple[str, ...]]:
    keys_of(db).write_bytes(bytes(range(256)) * 64)
    return db, ()


def _another_database(db: Path, tmp: Path, cli: Cli) -> tuple[Path, tuple[str, ...]]:
    keys_of(db).unlink()
    other = sqlite3.connect(keys_of(db))
    other.execute("CREATE TABLE notes (body TEXT)")
    other.commit()
    other.close()
    return db, ()


def _damaged(db: Path, tmp: Path, cli: Cli) -> tuple[Path, tuple[str, ...]]:
    keys = keys_of(db)
    data = bytearray(keys.read_bytes())
    data[:100] = b"\x5a" * 100  # its header overwritten
    keys.write_bytes(bytes(data))
    return db, ()


CASES: dict[str, Callable[[Path, Path, Cli], tuple[Path, tuple[str, ...]]]] = {
    "key file of zero bytes": _zero_bytes,
    "key file of random bytes": _garbage,
    "key file is another SQLite database": _another_database,
    "key file with its header overwritten": _damaged,
    "key file moved away": _moved,
    "--key-store names a missing file": _wrong_path,
    "empty new key file": _empty,
    "another store's key file": _other_stores,
    "copy of the store without its keys": _copied,
}


def state(keys: Path) -> tuple[str, list[str]]:
    data = keys.read_bytes() if keys.exists() else b""
    return hashlib.sha256(data).hexdigest(), sorted(
        p.name for p in keys.parent.glob(keys.name + "*")
    )


@pytest.fixture(params=sorted(CASES))
def mispaired(
    request: pytest.FixtureRequest, cli: Cli, db: Path, tmp_path: Path
) -> tuple[Path, tuple[str, ...], Path, list[str]]:
    """Two published ideas, then the keys broken: (store, extra options, the key file the
    store now uses, the idea ids)."""
    ids = [publish(cli, "Solar kettle", "Boils water"), publish(cli, "Rain bell", "Rings")]
    store, options = CASES[request.param](db, tmp_path, cli)
    keys = Path(options[1]) if options else keys_of(store)
    return store, options, keys, ids


def test_writes_are_refused_naming_the_key_file(
    cli: Cli, mispaired: tuple[Path, tuple[str, ...], Path, list[str]]
) -> None:
    store, options, keys, ids = mispaired
    before = state(keys)
    for argv in (
        ("publish", "--title", "New", "--desc", "Sealed under which key?"),
        ("edit", ids[0], "--title", "Edited"),
        ("delete", ids[1]),
        ("forget", ids[0]),
    ):
        result = cli(*options, *argv, store=store)
        assert result.code == EXIT_USAGE, (argv, result)
        assert result.out == ""
        assert str(keys) in result.err and result.err.count("\n") == 1, result.err
        assert state(keys) == before  # no key file made, nothing changed in it


def test_reading_goes_on_redacted_with_a_warning(
    cli: Cli, mispaired: tuple[Path, tuple[str, ...], Path, list[str]]
) -> None:
    store, options, keys, ids = mispaired
    before = state(keys)
    ideas = cli(*options, "ideas", store=store)
    assert ideas.code == 0
    assert "warning" in ideas.err and str(keys) in ideas.err
    rows = ideas.lines()
    assert sorted(r["idea_id"] for r in rows) == sorted(ids)
    assert {(r["title"], r["description"]) for r in rows} == {(REDACTED, REDACTED)}
    for argv in (("streams",), ("log",), ("events", f"idea-{ids[0]}"), ("idea", ids[1])):
        result = cli(*options, *argv, store=store)
        assert result.code == 0, (argv, result)
        assert "warning" in result.err
    log = cli(*options, "log", store=store).lines()
    assert {e["data"]["title"] for e in log if "title" in e["data"]} == {REDACTED}
    assert state(keys) == before


async def test_the_explorer_opens_read_only_and_says_the_keys_are_missing(
    cli: Cli, db: Path, tmp_path: Path
) -> None:
    from domain.core.records import SnapshotPolicy
    from es_tui.app import ExplorerApp
    from es_tui.cli import _open_explorer_system, build_parser

    publish(cli)
    shutil.move(keys_of(db), tmp_path / "elsewhere.keys")
    args = build_parser().parse_args(["--store", f"sqlite:///{db}"])
    system = _open_explorer_system(args, SnapshotPolicy(10, 3), False)
    try:
        app = ExplorerApp(system)
        async with app.run_test(size=(160, 48)):
            assert "READ-ONLY" in app.sub_title and str(keys_of(db)) in app.sub_title
        assert [r.title for r in system.view.list()] == [REDACTED]
    finally:
        system.close()
    assert not keys_of(db).exists()


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("key file moved away", "is missing"),
        ("key file of zero bytes", "is empty"),
        ("key file of random bytes", "is not a readable es-tui key store"),
        ("key file is another SQLite database", "is not a readable es-tui key store"),
    ],
)
def test_the_refusal_says_what_is_wrong_with_the_key_file(
    cli: Cli, db: Path, tmp_path: Path, case: str, says: str
) -> None:
    publish(cli, "Solar kettle", "Boils water")
    store, options = CASES[case](db, tmp_path, cli)
    result = cli(*options, "publish", "--title", "New", "--desc", "Refused", store=store)
    assert result.code == EXIT_USAGE and f"{keys_of(store)} {says}" in result.err, result.err
