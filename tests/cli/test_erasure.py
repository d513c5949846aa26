"""`forget` and `verify-erasure` through the CLI: exit 0 when every place is clean, 1 when a
residue of the forgotten idea is found, 5 for an idea that never existed."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Cli, one_line, publish

TITLE = "Hedgehog crossing on Elm Road"
DESC = "Ask the council for a tunnel under the road near number 12"


def places(report: dict[str, Any]) -> dict[str, bool]:
    return {p["place"]: p["clean"] for p in report["places"]}


def forgotten(cli: Cli, tmp_path: Path) -> tuple[str, Path]:
    """An edited idea, exported, then forgotten; its id and the export taken before."""
    publish(cli, title="Neighbour", desc="Stays")
    idea_id = publish(cli, title=TITLE, desc=DESC)
    assert cli("edit", idea_id, "--title", TITLE + " (v2)").code == 0
    export = tmp_path / "before.jsonl"
    assert cli("export", str(export)).code == 0
    result = cli("forget", idea_id)
    assert result.code == 0, result.out
    return idea_id, export


def test_verify_erasure_after_a_clean_forget_exits_0(cli: Cli, tmp_path: Path) -> None:
    idea_id, export = forgotten(cli, tmp_path)
    result = cli(
        "verify-erasure", idea_id, "--text", TITLE, "--text", DESC, "--export", str(export)
    )
    assert (result.code, result.err) == (0, "")
    report = result.json()
    assert report["clean"] is True
    assert places(report) == {
        "events": True,
        "global log": True,
        "snapshots": True,
        "read model": True,
        "process manager": True,
        "key store": True,
        "store file": True,
        "store WAL": True,
        "key store file": True,
        "key store WAL": True,
        f"export {export.name}": True,
    }


def plant(db: Path, sql: str, *params: object) -> None:
    con = sqlite3.connect(db)
    con.execute(sql, params)
    con.commit()
    con.close()


def test_a_planted_snapshot_is_a_residue(cli: Cli, db: Path, tmp_path: Path) -> None:
    idea_id, _ = forgotten(cli, tmp_path)
    plant(
        db,
        "INSERT INTO snapshots VALUES (?, 2, ?, ?, 1, '2026-01-01T00:00:00+00:00')",
        f"idea-{idea_id}",
        "00000000-0000-0000-0000-000000000000",
        f'{{"title": "{TITLE}"}}',
    )
    result = cli("verify-erasure", idea_id)
    assert result.code == 1
    found = places(result.json())
    assert found["snapshots"] is False
    assert found["events"] is True


def test_a_planted_read_model_row_is_a_residue(cli: Cli, db: Path, tmp_path: Path) -> None:
    idea_id, _ = forgotten(cli, tmp_path)
    plant(
        db,
        "INSERT INTO view_ideas VALUES (?, ?, ?, 'accepted', 3, ?, ?)",
        idea_id,
        TITLE,
        DESC,
        "2026-01-01T00:00:00+00:00",
        "2026-01-01T00:00:00+00:00",
    )
    result = cli("verify-erasure", idea_id, "--text", TITLE)
    assert result.code == 1
    found = places(result.json())
    assert (found["read model"], found["store file"] and found["store WAL"]) == (False, False)
    # without the row, the same check is clean again
    plant(db, "DELETE FROM view_ideas WHERE idea_id = ?", idea_id)
    assert cli("verify-erasure", idea_id).code == 0


def test_an_idea_that_was_not_forgotten_is_a_residue(cli: Cli) -> None:
    idea_id = publish(cli, title=TITLE, desc=DESC)
    result = cli("verify-erasure", idea_id, "--text", TITLE)
    assert result.code == 1
    found = places(result.json())
    assert (found["events"], found["key store"]) == (False, False)


def test_verify_erasure_of_an_unknown_idea_is_not_found(cli: Cli) -> None:
    publish(cli)
    result = cli("verify-erasure", "000000")
    assert (result.code, result.out) == (5, "")
    assert "000000" in one_line(result.err)


def test_verify_erasure_with_a_missing_export_is_bad_usage(cli: Cli, tmp_path: Path) -> None:
    idea_id, _ = forgotten(cli, tmp_path)
    result = cli("verify-erasure", idea_id, "--export", str(tmp_path / "gone.jsonl"))
    assert (result.code, result.out) == (2, "")
    assert "gone.jsonl" in one_line(result.err)


@pytest.mark.parametrize(("title", "desc"), [("T", "D"), ("Idea", "Events"), ("Tea", "Ok")])
def test_forget_of_an_idea_with_short_values_is_clean(cli: Cli, title: str, desc: str) -> None:
    # Short values match by chance: in the schema, type names, ciphertext in base64.
    idea_id = publish(cli, title=title, desc=desc)
    cli("edit", idea_id, "--desc", desc + "!")
    result = cli("forget", idea_id)
    assert result.code == 0, [p for p in result.json()["erasure"]["places"] if not p["clean"]]
    assert cli("verify-erasure", idea_id, "--text", title).code == 0
