"""A tampered ciphertext: given one stored event whose sealed bytes were changed in the SQLite
file (still valid base64), when it is read — by a load, a read-model rebuild, the CLI's
`events` and an export — then its private fields show the corruption marker and nothing
crashes; every other event still reads in clear."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

import pytest

from domain.core.shredding.cipher import CORRUPTED, REDACTED, SEALED
from domain.core.transfer import record_from_dict
from domain.ideas.codec import stream_id_of
from es_tui.cli import main
from tests.shredding.conftest import World, sqlite_system


def tamper(db: Path, stream_id: str, version: int) -> None:
    """Flip one bit of the event's ciphertext, straight in the file."""
    con = sqlite3.connect(db)
    (text,) = con.execute(
        "SELECT data FROM events WHERE stream_id = ? AND version = ?", (stream_id, version)
    ).fetchone()
    data = json.loads(text)
    ct = bytearray(base64.b64decode(data[SEALED]["ct"]))
    ct[len(ct) // 2] ^= 0x20
    data[SEALED]["ct"] = base64.b64encode(bytes(ct)).decode()
    con.execute(
        "UPDATE events SET data = ? WHERE stream_id = ? AND version = ?",
        (json.dumps(data), stream_id, version),
    )
    con.commit()
    con.close()


@pytest.fixture
def tampered(small_world: World, db: Path) -> tuple[World, int]:
    """The canary idea's last event (after its latest snapshot) tampered with."""
    world = small_world
    stream = stream_id_of(world.canary_id)
    last = world.system.store.read_stream(stream)[-1].version
    snapshot = world.system.store.latest_snapshot(stream)
    assert snapshot is not None and snapshot.version < last
    world.system.close()
    tamper(db, stream, last)
    world.system = sqlite_system(db)
    return world, last


def expected_after(world: World, version: int) -> tuple[str, str]:
    """The canary's (title, description) with the tampered event's fields corrupted."""
    title, desc = world.current[world.canary_id]
    hit = world.private[(stream_id_of(world.canary_id), version)]
    return (CORRUPTED if "title" in hit else title, CORRUPTED if "description" in hit else desc)


def test_a_load_shows_the_corruption_marker(tampered: tuple[World, int]) -> None:
    world, version = tampered
    expected = expected_after(world, version)
    assert CORRUPTED in expected
    for snapshot in ("latest", None):  # from the latest snapshot, and a full replay
        state = world.system.ideas.load(world.canary_id, snapshot=snapshot).state
        assert (state.title, state.description) == expected
    for other, written in world.others.items():
        state = world.system.ideas.load(other).state
        assert (state.title, state.description) == written


def test_a_read_model_rebuild_shows_the_corruption_marker(tampered: tuple[World, int]) -> None:
    world, version = tampered
    view = world.system.view
    view.rebuild()
    row = view.get(world.canary_id)
    assert (row.title, row.description) == expected_after(world, version)
    assert view.skipped == []
    assert {r.idea_id: (r.title, r.description) for r in view.list()} == {
        **world.others,
        world.canary_id: expected_after(world, version),
    }


def test_the_cli_events_show_the_corruption_marker(
    tampered: tuple[World, int], db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world, version = tampered
    world.system.close()
    stream = stream_id_of(world.canary_id)
    capsys.readouterr()
    assert main(["--store", f"sqlite:///{db}", "events", stream]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    events = {e["version"]: e["data"] for e in map(json.loads, captured.out.splitlines())}
    for v, private in world.private.items():
        if v[0] != stream:
            continue
        shown = {k: events[v[1]][k] for k in private}
        assert shown == (dict.fromkeys(private, CORRUPTED) if v[1] == version else private)
    world.system = sqlite_system(db)


def test_an_export_carries_the_damage_and_reads_with_the_marker(
    tampered: tuple[World, int], db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world, version = tampered
    world.system.close()
    out = tmp_path / "after.jsonl"
    assert main(["--store", f"sqlite:///{db}", "export", str(out)]) == 0
    world.system = sqlite_system(db)
    stream = stream_id_of(world.canary_id)
    seen = 0
    for line in out.read_text(encoding="utf-8").splitlines():
        record = record_from_dict(json.loads(line))
        event = world.system.codec.decode(record)
        private = world.private.get((record.stream_id, record.version), {})
        got = {k: getattr(event, k) for k in private}
        if (record.stream_id, record.version) == (stream, version):
            assert got == dict.fromkeys(private, CORRUPTED)
            seen += 1
        else:
            assert got == private
            assert REDACTED not in got.values()
    assert seen == 1
