"""Import never stores a private value in clear: an export edited by hand (a title typed in
clear) is sealed on the way in. And what cannot be opened is said: the import counts the
sealed events the target's key store has no key for, or that fail authentication, and
`es-tui verify` opens every sealed payload — a tampered edit in the middle of a stream, which
loading the idea never opens, included — and finds private values written into the store in
clear."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Cli, one_line, publish

TITLE = "Rain barrel"
EDITS = [f"Collects roof water, take {n}" for n in range(4)]


@pytest.fixture
def idea(cli: Cli) -> str:
    idea_id = publish(cli, title=TITLE, desc="Collects roof water")
    for desc in EDITS:
        assert cli("edit", idea_id, "--desc", desc).code == 0
    publish(cli, title="Bike rack", desc="By the station")
    return idea_id


def keys_of(db: Path) -> Path:
    return db.with_name(db.name + ".keys")


def export(cli: Cli, tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "export.jsonl"
    assert cli("export", str(path)).code == 0
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write(tmp_path: Path, lines: list[dict[str, Any]]) -> Path:
    path = tmp_path / "edited.jsonl"
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    path.write_text(text, encoding="utf-8")
    return path


def edit_of(lines: list[dict[str, Any]], idea_id: str, version: int) -> dict[str, Any]:
    return next(
        line
        for line in lines
        if line["stream_id"] == f"idea-{idea_id}" and line["version"] == version
    )


def store_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*") if p.is_file())


@pytest.mark.parametrize("with_keys", [True, False], ids=["original keys", "new keys"])
def test_private_fields_in_clear_are_sealed_on_import(
    cli: Cli, db: Path, idea: str, tmp_path: Path, with_keys: bool
) -> None:
    lines = export(cli, tmp_path)
    clear = "Hand-typed description, never sealed"
    if with_keys:
        # one edit in the middle typed in clear; the others stay sealed under the original key
        edit_of(lines, idea, 4)["data"] = {"idea_id": idea, "description": clear}
    else:
        # a whole idea typed by hand: every private value in clear
        for line in lines:
            if line["stream_id"] == f"idea-{idea}" and "$sealed" in line["data"]:
                line["data"] = {"idea_id": idea, "title": TITLE, "description": clear}
                if line["type"] == "IdeaUpdated":
                    del line["data"]["title"]
    target = tmp_path / "copy.db"
    keys = ["--key-store", str(keys_of(db))] if with_keys else []

    result = cli(*keys, "import", str(write(tmp_path, lines)), store=target)

    assert result.code == 0, result.err
    assert result.json()["unreadable"]["tampered"] == 0
    assert clear.encode() not in store_bytes(target)
    assert TITLE.encode() not in store_bytes(target)
    # ... and it reads back, sealed under the target's key for the stream
    events = cli(*keys, "events", f"idea-{idea}", store=target).lines()
    assert events[3]["data"]["description"] == clear
    assert cli(*keys, "idea", idea, store=target).json()["title"] == TITLE
    again = tmp_path / "again.jsonl"
    assert cli(*keys, "export", str(again), store=target).code == 0
    assert clear not in again.read_text(encoding="utf-8")


def test_private_fields_both_sealed_and_in_clear_are_refused(
    cli: Cli, idea: str, tmp_path: Path
) -> None:
    lines = export(cli, tmp_path)
    edit_of(lines, idea, 3)["data"]["description"] = "Also in clear"
    path = write(tmp_path, lines)
    target = tmp_path / "copy.db"
    result = cli("import", str(path), store=target)
    assert result.code == 2
    number = 1 + lines.index(edit_of(lines, idea, 3))
    assert f"{path}:{number}:" in one_line(result.err) and "in clear" in result.err
    assert not target.exists() and not keys_of(target).exists()


def tamper(envelope: dict[str, Any]) -> None:
    """Flip one bit of the ciphertext, keeping it valid base64."""
    ct = bytearray(base64.b64decode(envelope["ct"]))
    ct[0] ^= 1
    envelope["ct"] = base64.b64encode(bytes(ct)).decode()


def test_a_tampered_middle_edit_is_reported_by_import_and_verify(
    cli: Cli, db: Path, idea: str, tmp_path: Path
) -> None:
    lines = export(cli, tmp_path)
    tamper(edit_of(lines, idea, 4)["data"]["$sealed"])  # v4 of 6: loading never opens it
    target = tmp_path / "copy.db"
    keys = ["--key-store", str(keys_of(db))]

    result = cli(*keys, "import", str(write(tmp_path, lines)), store=target)
    assert result.code == 0
    assert result.json()["unreadable"] == {"no key": 0, "tampered": 1}
    assert "fail authentication" in one_line(result.err)
    # the idea itself loads (its latest values are intact) ...
    assert cli(*keys, "idea", idea, store=target).json()["description"] == EDITS[-1]
    # ... and verify names the event
    found = cli(*keys, "verify", store=target)
    assert found.code == 1
    assert found.json()["unreadable"] == [
        {
            "stream_id": f"idea-{idea}",
            "version": 4,
            "what": "event",
            "position": edit_of(lines, idea, 4)["position"],
            "problem": "tampered",
        }
    ]
    assert cli("verify").code == 0  # the source is intact


def test_verify_finds_tampering_in_the_store_itself(cli: Cli, db: Path, idea: str) -> None:
    clean = cli("verify")
    assert (clean.code, clean.json()["tampered"], clean.json()["sealed"]) == (0, 0, 6)
    con = sqlite3.connect(db)
    (data,) = con.execute(
        "SELECT data FROM events WHERE stream_id = ? AND version = 3", (f"idea-{idea}",)
    ).fetchone()
    payload = json.loads(data)
    tamper(payload["$sealed"])
    con.execute(
        "UPDATE events SET data = ? WHERE stream_id = ? AND version = 3",
        (json.dumps(payload), f"idea-{idea}"),
    )
    con.commit()
    con.close()
    result = cli("verify")
    assert result.code == 1
    assert [(u["version"], u["problem"]) for u in result.json()["unreadable"]] == [(3, "tampered")]


def test_verify_tells_a_missing_key_from_tampering(cli: Cli, idea: str, tmp_path: Path) -> None:
    lines = export(cli, tmp_path)
    target = tmp_path / "copy.db"
    assert cli("import", str(write(tmp_path, lines)), store=target).code == 0
    # without the original key store nothing opens, but nothing was tampered with either
    result = cli("verify", store=target)
    assert result.code == 0
    report = result.json()
    assert (report["sealed"], report["no key"], report["tampered"]) == (6, 6, 0)
    assert {u["problem"] for u in report["unreadable"]} == {"no key"}


def test_verify_finds_a_tampered_snapshot(cli: Cli, db: Path, idea: str) -> None:
    for n in range(12):  # past the snapshot policy's interval
        assert cli("edit", idea, "--desc", f"Collects roof water, round {n}").code == 0
    con = sqlite3.connect(db)
    taken = con.execute(
        "SELECT version, state FROM snapshots WHERE stream_id = ?", (f"idea-{idea}",)
    ).fetchall()
    assert taken, "the policy took a snapshot"
    version, state = taken[-1]
    payload = json.loads(state)
    tamper(payload["$sealed"])
    con.execute(
        "UPDATE snapshots SET state = ? WHERE stream_id = ? AND version = ?",
        (json.dumps(payload), f"idea-{idea}", version),
    )
    con.commit()
    con.close()
    result = cli("verify")
    assert result.code == 1
    assert result.json()["unreadable"] == [
        {
            "stream_id": f"idea-{idea}",
            "version": version,
            "what": "snapshot",
            "position": None,
            "problem": "tampered",
        }
    ]


def unseal(db: Path, stream_id: str, version: int, clear: dict[str, str]) -> None:
    """Write `clear` private values into a stored event in place of its sealed envelope, as
    someone editing the store file by hand would."""
    con = sqlite3.connect(db)
    (data,) = con.execute(
        "SELECT data FROM events WHERE stream_id = ? AND version = ?", (stream_id, version)
    ).fetchone()
    payload = json.loads(data)
    del payload["$sealed"]
    payload.update(clear)
    con.execute(
        "UPDATE events SET data = ? WHERE stream_id = ? AND version = ?",
        (json.dumps(payload), stream_id, version),
    )
    con.commit()
    con.close()


@pytest.mark.parametrize(
    ("version", "clear"),
    [
        (1, {"title": "Typed in", "description": "by hand"}),  # the creation
        (3, {"description": "Injected"}),  # a middle edit, which loading never opens
        (6, {"description": "Injected last"}),  # the last edit
    ],
)
def test_verify_finds_a_private_value_written_in_clear_into_the_store(
    cli: Cli, db: Path, idea: str, version: int, clear: dict[str, str]
) -> None:
    assert cli("verify").json()["in clear"] == 0
    unseal(db, f"idea-{idea}", version, clear)

    result = cli("verify")

    assert result.code == 1
    report = result.json()
    assert (report["in clear"], report["tampered"]) == (1, 0)
    assert report["unreadable"] == [
        {
            "stream_id": f"idea-{idea}",
            "version": version,
            "what": "event",
            "position": report["unreadable"][0]["position"],
            "problem": "in clear",
            "fields": sorted(clear),
        }
    ]


def test_verify_finds_another_domains_private_value_in_clear(cli: Cli, db: Path) -> None:
    opened = run_accounts(cli, "send", "OpenAccount", "--holder", "Ada Lovelace")
    assert run_accounts(cli, "verify")["in clear"] == 0
    unseal(db, opened["stream_id"], 1, {"holder": "Ada in clear"})

    report = run_accounts(cli, "verify", code=1)

    assert [(u["version"], u["problem"], u["fields"]) for u in report["unreadable"]] == [
        (1, "in clear", ["holder"])
    ]


def run_accounts(cli: Cli, *argv: str, code: int = 0) -> Any:
    result = cli("--domain", "accounts", *argv)
    assert result.code == code, result.err
    return result.json()
