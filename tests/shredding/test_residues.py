"""Proof of erasure finds what is left: given a forgotten canary idea, when a residue is
planted — the canary in the read-model table, a snapshot row, a copy of the key — then the
check reports that place (and `verify-erasure` exits 1); with nothing planted it exits 0."""

from __future__ import annotations

import sqlite3
from io import StringIO
from pathlib import Path

import pytest

from domain.core.transfer import export_events
from domain.ideas.codec import stream_id_of
from es_tui.cli import main
from tests.cli.conftest import Result, run_cli
from tests.shredding.conftest import World, sqlite_system


@pytest.fixture
def forgotten(small_world: World, db: Path, tmp_path: Path) -> tuple[World, Path]:
    """The canary idea forgotten (an export taken just before), the system closed."""
    world = small_world
    export = tmp_path / "before.jsonl"
    out = StringIO()
    export_events(world.system.store, out)
    export.write_text(out.getvalue(), encoding="utf-8")
    _, report = world.system.eraser.forget(world.canary_id)
    assert report.clean
    world.system.close()
    return world, export


def verify(
    capsys: pytest.CaptureFixture[str], db: Path, world: World, *more: str
) -> tuple[Result, dict[str, bool]]:
    texts = [arg for canary in world.canaries for arg in ("--text", canary)]
    result = run_cli(
        capsys, "--store", f"sqlite:///{db}", "verify-erasure", world.canary_id, *texts, *more
    )
    report = result.json()
    return result, {p["place"]: p["clean"] for p in report["places"]}


def execute(db: Path, sql: str, *params: object) -> None:
    con = sqlite3.connect(db)
    con.execute(sql, params)
    con.commit()
    con.close()


def test_a_clean_forget_verifies_with_exit_0(
    forgotten: tuple[World, Path], db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world, export = forgotten
    result, places = verify(capsys, db, world, "--export", str(export))
    assert result.code == 0
    assert all(places.values()) and len(places) == 11


def test_the_canary_planted_in_the_read_model_exits_1(
    forgotten: tuple[World, Path], db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world, _ = forgotten
    other = next(iter(world.others))
    # hidden in another idea's row, in clear
    execute(
        db, "UPDATE view_ideas SET description = ? WHERE idea_id = ?", world.canaries[-1], other
    )
    result, places = verify(capsys, db, world)
    assert result.code == 1
    assert places["read model"] is False
    assert places["store file"] is False or places["store WAL"] is False
    assert places["events"] and places["key store"] and places["snapshots"]


def test_a_planted_snapshot_of_the_forgotten_stream_exits_1(
    forgotten: tuple[World, Path], db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world, _ = forgotten
    execute(
        db,
        "INSERT INTO snapshots VALUES (?, 10, ?, '{}', 1, '2026-01-01T00:00:00+00:00')",
        stream_id_of(world.canary_id),
        "00000000-0000-0000-0000-000000000000",
    )
    result, places = verify(capsys, db, world)
    assert result.code == 1
    assert [p for p, clean in places.items() if not clean] == ["snapshots"]


def test_a_copy_of_the_key_left_in_another_place_is_found(small_world: World, db: Path) -> None:
    world = small_world
    stream = stream_id_of(world.canary_id)
    key = world.system.keys.key_for(stream)
    assert key is not None
    backup = db.with_name("keys-backup.bin")
    backup.write_bytes(b"backup of " + key + b" taken earlier")
    world.system.eraser.files.append(("key backup", backup))
    # and one inside the store file itself
    execute(db, "INSERT INTO meta VALUES ('stray', ?)", b"\x00" + key)

    _, report = world.system.eraser.forget(world.canary_id)

    unclean = {f.place for f in report.findings if not f.clean}
    assert "key backup" in unclean
    assert "store file" in unclean or "store WAL" in unclean
    assert {"events", "snapshots", "read model", "key store"}.isdisjoint(unclean)


def test_forget_through_the_cli_reports_clean_and_exits_0(
    small_world: World, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = small_world
    world.system.close()
    capsys.readouterr()
    code = main(["--store", f"sqlite:///{db}", "forget", world.canary_id])
    out = capsys.readouterr().out
    assert code == 0, out
    for canary in world.canaries:
        assert canary not in out
    result, places = verify(capsys, db, world)
    assert result.code == 0 and all(places.values())
    world.system = sqlite_system(db)
