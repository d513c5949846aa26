"""Proof of erasure where nothing can be written: given a forgotten aggregate in a store on a
small tmpfs, when the disk is full or the file system is read-only, then `verify-erasure`
still checks every place, the read-model rows kept in the file included (read as they are,
read-only): exit 0 with every place clean, or exit 1 naming the read model when a private
value was planted in another row. Both the ideas read model and a generic domain's rows.

The tests mount a tmpfs (see test_read_only_and_full_disk.py); where mounting is not
permitted they skip with the reason."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from es_tui.cli import EXIT_OK, EXIT_RESIDUE
from tests.cli.conftest import Cli, publish
from tests.cli.test_read_only_and_full_disk import _run, fill, mount

__all__ = ["mount"]

CANARY = "Canary holder Quentin Example"

Setup = Callable[[Cli, Path], tuple[list[str], Callable[[], None]]]
"""Makes a forgotten aggregate: the arguments naming it, and a planter of its private value."""


@pytest.fixture
def db(mount: Path) -> Path:
    """The store file, on the small tmpfs (the `cli` fixture runs on it)."""
    return mount / "store.db"


def _ideas(cli: Cli, db: Path) -> tuple[list[str], Callable[[], None]]:
    """A forgotten idea and a planter of its description in another idea's row, in clear."""
    forgotten = publish(cli, "Canary plan", CANARY)
    other = publish(cli, "Another plan", "nothing private here")
    assert cli("forget", forgotten).code == EXIT_OK

    def plant() -> None:
        execute(db, "UPDATE view_ideas SET description = ? WHERE idea_id = ?", CANARY, other)

    return [forgotten], plant


def _accounts(cli: Cli, db: Path) -> tuple[list[str], Callable[[], None]]:
    """A forgotten account holder and a planter of the name in another account's row."""

    def open_account(holder: str) -> str:
        opened = cli("--domain", "accounts", "send", "OpenAccount", "--holder", holder)
        assert opened.code == EXIT_OK, opened.err
        account: str = opened.json()["aggregate_id"]
        return account

    forgotten = open_account(CANARY)
    other = open_account("Bo Other")
    assert cli("--domain", "accounts", "forget", forgotten).code == EXIT_OK

    def plant() -> None:
        con = sqlite3.connect(db)
        (value,) = con.execute(
            "SELECT value FROM read_model_rows WHERE model = 'balances' AND key = ?", (other,)
        ).fetchone()
        row = json.loads(value)
        row["holder"] = CANARY
        con.execute(
            "UPDATE read_model_rows SET value = ? WHERE model = 'balances' AND key = ?",
            (json.dumps(row), other),
        )
        con.commit()
        con.close()

    return ["--domain", "accounts", forgotten], plant


def execute(db: Path, sql: str, *params: object) -> None:
    con = sqlite3.connect(db)
    con.execute(sql, params)
    con.commit()
    con.close()


def no_room(mount: Path, how: str) -> None:
    if how == "full disk":
        fill(mount)
        return
    remounted = _run("mount", "-o", "remount,ro", str(mount))
    if remounted.returncode != 0:
        pytest.skip(f"cannot remount read-only: {remounted.stderr.strip()}")


@pytest.mark.parametrize("how", ["full disk", "read-only file system"])
@pytest.mark.parametrize("domain", [_ideas, _accounts], ids=["ideas", "accounts"])
@pytest.mark.parametrize("planted", [False, True], ids=["clean", "planted"])
def test_verify_erasure_reads_the_rows_kept_in_the_file_when_nothing_can_be_written(
    cli: Cli, db: Path, mount: Path, how: str, domain: Setup, planted: bool
) -> None:
    target, plant = domain(cli, db)
    if planted:
        plant()
    no_room(mount, how)
    result = cli("verify-erasure", *target, "--text", CANARY)
    places = {p["place"]: p for p in result.json()["places"]}
    assert "read-only" in result.err and "Traceback" not in result.err, result.err
    if planted:
        assert result.code == EXIT_RESIDUE, result
        assert places["read model"]["clean"] is False
        assert "1 row(s) hold the values" in places["read model"]["detail"]
        unclean = {name for name, p in places.items() if not p["clean"]}
        assert unclean <= {"read model", "store file", "store WAL"}, unclean
    else:
        assert result.code == EXIT_OK, result
        assert all(p["clean"] for p in places.values()), places
