"""Export and import through the CLI: export → import (into an empty store) → export gives the
same file; import checks the whole file before writing, so a malformed file leaves the target
store empty; an export never leaves half a file behind."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from domain.core.shredding.cipher import REDACTED
from tests.cli.conftest import Cli, one_line, publish, store_rows

PRIVATE = ("title", "description")


@pytest.fixture
def source(cli: Cli, db: Path) -> Path:
    """A store with a life: accepted, edited (past a snapshot), deleted and forgotten ideas."""
    kept = publish(cli, title="Rain barrel", desc="Collects roof water")
    for n in range(4):
        assert cli("edit", kept, "--desc", f"Collects roof water, take {n}").code == 0
    publish(cli, title="Bike rack", desc="By the station")
    assert cli("delete", publish(cli, title="Gone", desc="Deleted soon")).code == 0
    assert cli("forget", publish(cli, title="Secret", desc="Forgotten soon")).code == 0
    publish(cli, title="Café ☕ naïve", desc="Non-ASCII survives the round trip")
    return db


@pytest.fixture
def exported(cli: Cli, source: Path, tmp_path: Path) -> Path:
    path = tmp_path / "export.jsonl"
    result = cli("export", str(path))
    assert result.code == 0, result.err
    assert result.json() == {"exported": 14, "file": str(path)}
    return path


def keys_of(db: Path) -> Path:
    return db.with_name(db.name + ".keys")


def empty(cli: Cli, target: Path) -> None:
    """The target store holds nothing: head position 0, no streams, no event rows."""
    assert cli("log", store=target).out == ""
    assert cli("streams", store=target).out == ""
    rows = store_rows(target)
    assert rows["events"] == [] and rows["streams"] == []


def test_export_writes_one_line_per_event_in_position_order(exported: Path) -> None:
    lines = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    positions = [line["position"] for line in lines]
    assert len(positions) == 14 and positions == sorted(set(positions))
    # exports stay sealed: private values never appear in clear in the file
    text = exported.read_text(encoding="utf-8")
    for clear in ("Rain barrel", "Bike rack", "Secret", "naïve"):
        assert clear not in text
    assert "$sealed" in text


def test_round_trip_with_the_original_key_store_gives_an_identical_file(
    cli: Cli, source: Path, exported: Path, tmp_path: Path
) -> None:
    target = tmp_path / "copy.db"
    keys = ["--key-store", str(keys_of(source))]

    result = cli(*keys, "import", str(exported), store=target)

    assert (result.code, result.err) == (0, "")
    assert result.json() == {
        "imported": 14,
        "file": str(exported),
        "sealed": 8,  # the forgotten idea's tombstone holds nothing private
        "unreadable": {"no key": 0, "tampered": 0},
    }
    again = tmp_path / "again.jsonl"
    assert cli(*keys, "export", str(again), store=target).code == 0
    assert again.read_bytes() == exported.read_bytes()
    # the same streams, and the read model rebuilt from the imported log reads in clear
    assert cli("streams", store=target).lines() == cli("streams").lines()
    assert cli(*keys, "ideas", store=target).lines() == cli("ideas").lines()
    assert cli(*keys, "events", "idea-" + cli("ideas").lines()[0]["idea_id"], store=target).lines()


def test_without_its_key_store_an_import_shows_redaction_for_private_fields_only(
    cli: Cli, exported: Path, tmp_path: Path
) -> None:
    target = tmp_path / "no-keys.db"
    result = cli("import", str(exported), store=target)
    assert result.code == 0
    # the import says so, and how to read them
    assert result.json()["unreadable"] == {"no key": 8, "tampered": 0}
    assert "8 of 8 sealed event(s) have no key" in one_line(result.err)
    assert "--key-store" in result.err

    original, imported = cli("ideas").lines(), cli("ideas", store=target).lines()
    assert len(imported) == len(original) == 3
    for before, after in zip(original, imported, strict=True):
        assert (after["title"], after["description"]) == (REDACTED, REDACTED)
        public = {k: v for k, v in before.items() if k not in PRIVATE}
        assert {k: v for k, v in after.items() if k not in PRIVATE} == public

    readable, shredded = cli("log").lines(), cli("log", store=target).lines()
    assert len(readable) == len(shredded) == 14
    sealed = 0
    for clear, redacted in zip(readable, shredded, strict=True):
        assert {k: v for k, v in redacted.items() if k != "data"} == {
            k: v for k, v in clear.items() if k != "data"
        }
        for name, value in clear["data"].items():
            if name in PRIVATE and value is not None:
                assert redacted["data"][name] == REDACTED
                sealed += 1
            else:
                assert redacted["data"][name] == value
    assert sealed == 2 * 4 + 4  # four creations (title + description), four edits
    assert REDACTED not in json.dumps(readable, ensure_ascii=False)


Mutation = Callable[[list[dict[str, Any]]], list[str]]


def _dump(lines: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(line, ensure_ascii=False) for line in lines]


def _bad_json(lines: list[dict[str, Any]]) -> list[str]:
    out = _dump(lines)
    out[6] = "{this is not JSON"
    return out


def _unknown_type(lines: list[dict[str, Any]]) -> list[str]:
    lines[6]["type"] = "IdeaTeleported"
    return _dump(lines)


def _version_gap(lines: list[dict[str, Any]]) -> list[str]:
    return _dump(lines[:4] + lines[5:])  # the kept idea's v5 goes missing


def _duplicate_id(lines: list[dict[str, Any]]) -> list[str]:
    lines[6]["event_id"] = lines[2]["event_id"]
    return _dump(lines)


def _bad_last_line(lines: list[dict[str, Any]]) -> list[str]:
    return [*_dump(lines), '{"position": 99}']


@pytest.mark.parametrize(
    ("mutate", "line", "reason"),
    [
        (_bad_json, 7, "Expecting"),
        (_unknown_type, 7, "IdeaTeleported"),
        (_version_gap, 5, "gap"),
        (_duplicate_id, 7, "duplicate event id"),
        (_bad_last_line, 15, "missing field"),
    ],
    ids=["bad-json", "unknown-type", "version-gap", "duplicate-id", "bad-last-line"],
)
def test_a_malformed_file_is_refused_whole_and_the_target_stays_empty(
    cli: Cli, exported: Path, tmp_path: Path, mutate: Mutation, line: int, reason: str
) -> None:
    lines = [json.loads(text) for text in exported.read_text(encoding="utf-8").splitlines()]
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(mutate(lines)) + "\n", encoding="utf-8")
    target = tmp_path / "target.db"
    cli("streams", store=target)  # an empty store

    result = cli("import", str(broken), store=target)

    assert (result.code, result.out) == (2, "")
    message = one_line(result.err)
    assert f"broken.jsonl:{line}:" in message
    assert reason in message
    empty(cli, target)


def test_a_file_that_is_not_text_is_refused(cli: Cli, source: Path, tmp_path: Path) -> None:
    target = tmp_path / "target.db"
    result = cli("import", str(source), store=target)  # the store file itself, by mistake
    assert (result.code, result.out) == (2, "")
    assert "UTF-8" in one_line(result.err)
    empty(cli, target)


def test_import_into_a_store_that_is_not_empty_is_refused(
    cli: Cli, source: Path, exported: Path
) -> None:
    before = store_rows(source)
    result = cli("import", str(exported))
    assert (result.code, result.out) == (2, "")
    assert "empty store" in one_line(result.err)
    assert store_rows(source) == before


def test_import_of_a_missing_file_is_refused(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "target.db"
    result = cli("import", str(tmp_path / "nothing.jsonl"), store=target)
    assert (result.code, result.out) == (2, "")
    assert "nothing.jsonl" in one_line(result.err)


def test_export_into_a_missing_directory_leaves_no_file(
    cli: Cli, source: Path, tmp_path: Path
) -> None:
    target = tmp_path / "missing" / "export.jsonl"
    result = cli("export", str(target))
    assert (result.code, result.out) == (2, "")
    message = one_line(result.err)
    assert str(target) in message and "No such file or directory" in message
    assert not (tmp_path / "missing").exists()


def test_a_failed_export_leaves_neither_a_partial_file_nor_a_temp_file(
    cli: Cli, source: Path, tmp_path: Path
) -> None:
    target = tmp_path / "a-directory.jsonl"
    target.mkdir()
    (target / "inside").write_text("kept")
    before = sorted(p.name for p in tmp_path.iterdir())

    result = cli("export", str(target))

    assert (result.code, result.out) == (2, "")
    assert str(target) in one_line(result.err)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert [p.name for p in target.iterdir()] == ["inside"]


def test_export_replaces_an_older_longer_file_whole(
    cli: Cli, exported: Path, tmp_path: Path
) -> None:
    fresh = exported.read_bytes()
    exported.write_text("x" * (3 * len(fresh)))
    assert cli("export", str(exported)).code == 0
    assert exported.read_bytes() == fresh
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
