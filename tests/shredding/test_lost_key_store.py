"""A lost key store: given a SQLite store whose key file was deleted, when it is reopened,
then every private value reads as the redaction marker (never as corrupted, never a crash),
public values read as before, and the app stays usable: new ideas are readable, lists work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.ideas.codec import stream_id_of
from domain.shredding.cipher import CORRUPTED, REDACTED
from domain.store.aggregate import take_snapshot
from es_tui.cli import main
from tests.shredding.conftest import World, sqlite_system


@pytest.fixture
def keyless(small_world: World, db: Path) -> World:
    """The small world reopened after its key store files were deleted."""
    world = small_world
    world.system.close()
    keys = db.with_name(db.name + ".keys")
    assert keys.exists()
    for suffix in ("", "-wal", "-shm"):
        keys.with_name(keys.name + suffix).unlink(missing_ok=True)
    world.system = sqlite_system(db)
    return world


def all_private_redacted(world: World) -> None:
    """Every stored private value reads as the redaction marker; public ones unchanged."""
    count = 0
    for record in world.system.store.read_all():
        event = world.system.codec.decode(record)
        assert getattr(event, "idea_id", None) == record.stream_id.removeprefix("idea-")
        for name in world.private.get((record.stream_id, record.version), {}):
            assert getattr(event, name) == REDACTED, (record.stream_id, record.version, name)
            count += 1
    assert count == sum(len(v) for v in world.private.values())


def test_every_private_value_reads_as_redacted(keyless: World) -> None:
    world = keyless
    all_private_redacted(world)
    for idea_id in world.current:
        loaded = world.system.ideas.load(idea_id)
        assert (loaded.state.title, loaded.state.description) == (REDACTED, REDACTED)
        assert loaded.state.status.value == "accepted"
    rows = world.system.view.list()
    assert {r.idea_id for r in rows} == set(world.current)
    assert {(r.title, r.description, r.status) for r in rows} == {(REDACTED, REDACTED, "accepted")}


def test_a_rebuild_and_a_snapshot_keep_old_values_redacted_not_corrupted(keyless: World) -> None:
    world = keyless
    world.system.view.rebuild()
    stream = stream_id_of(world.canary_id)
    loaded = world.system.ideas.load(world.canary_id, snapshot=None)
    take_snapshot(world.system.store, world.system.fold, loaded)
    # nothing readable was written, so no new key was made for the old streams
    assert all(world.system.keys.key_for(stream_id_of(i)) is None for i in world.current)
    all_private_redacted(world)
    assert world.system.ideas.load(world.canary_id).snapshot is not None
    row = world.system.view.get(world.canary_id)
    assert (row.title, row.description) == (REDACTED, REDACTED)
    assert CORRUPTED not in json.dumps([r.title for r in world.system.view.list()])
    assert world.system.store.stream_info(stream) is not None


def test_the_app_stays_usable(keyless: World, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    world = keyless
    fresh = world.system.ideas.publish("Written after the loss", "Readable again").idea_id
    row = world.system.view.get(fresh)
    assert (row.title, row.description, row.status) == (
        "Written after the loss",
        "Readable again",
        "accepted",
    )
    state = world.system.ideas.load(fresh).state
    assert (state.title, state.description) == ("Written after the loss", "Readable again")
    old = next(iter(world.others))
    world.system.ideas.delete(old)
    assert old not in {r.idea_id for r in world.system.view.list()}
    world.system.close()

    capsys.readouterr()
    assert main(["--store", f"sqlite:///{db}", "ideas"]) == 0
    listed = {r["idea_id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert listed[fresh]["title"] == "Written after the loss"
    assert set(listed) == set(world.current) - {old} | {fresh}
    assert {r["title"] for i, r in listed.items() if i != fresh} == {REDACTED}
    world.system = sqlite_system(db)
