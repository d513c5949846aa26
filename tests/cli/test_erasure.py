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


def test_a_log_file_holding_the_text_is_a_residue_named_by_line(cli: Cli, tmp_path: Path) -> None:
    idea_id, _ = forgotten(cli, tmp_path)
    log = tmp_path / "access.log"
    lines = [
        '127.0.0.1 - "GET /ideas HTTP/1.1" 200',
        f'127.0.0.1 - "POST /ideas HTTP/1.1" 201 title={TITLE}',
        '127.0.0.1 - "GET /streams HTTP/1.1" 200',
    ]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("verify-erasure", idea_id, "--text", TITLE, "--log", str(log))
    assert result.code == 1
    finding = next(p for p in result.json()["places"] if p["place"] == "log access.log")
    assert finding["clean"] is False
    assert str(log) in finding["detail"] and "line 2" in finding["detail"]


@pytest.mark.parametrize(
    "form",
    [
        "Hedgehog%20crossing%20on%20Elm%20Road",  # a query string
        "Hedgehog+crossing+on+Elm+Road",  # a form body
        '"title": "Hedgehog crossing on Elm Road"',  # a JSON request body
    ],
)
def test_the_text_is_found_in_the_forms_a_log_writes_it(
    cli: Cli, tmp_path: Path, form: str
) -> None:
    idea_id, _ = forgotten(cli, tmp_path)
    log = tmp_path / "server.log"
    log.write_text(f"first line\nsecond line\nGET /ideas?q={form} 200\n", encoding="utf-8")
    result = cli("verify-erasure", idea_id, "--text", TITLE, "--log", str(log))
    assert result.code == 1
    assert "line 3" in places_detail(result.json(), "log server.log")


def places_detail(report: dict[str, Any], place: str) -> str:
    detail: str = next(p["detail"] for p in report["places"] if p["place"] == place)
    return detail


def test_a_log_without_the_text_is_clean(cli: Cli, tmp_path: Path) -> None:
    idea_id, _ = forgotten(cli, tmp_path)
    log = tmp_path / "access.log"
    log.write_text('GET /ideas 200\nPOST /ideas title="Neighbour" 201\n', encoding="utf-8")
    result = cli("verify-erasure", idea_id, "--text", TITLE, "--text", DESC, "--log", str(log))
    assert result.code == 0
    assert places(result.json())["log access.log"] is True


def test_verify_erasure_with_a_missing_log_is_bad_usage(cli: Cli, tmp_path: Path) -> None:
    idea_id, _ = forgotten(cli, tmp_path)
    result = cli("verify-erasure", idea_id, "--log", str(tmp_path / "gone.log"))
    assert (result.code, result.out) == (2, "")
    assert "gone.log" in one_line(result.err)
