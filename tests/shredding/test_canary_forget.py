"""Forgetting the canary idea on SQLite: given fifty ideas and one canary idea edited past
several snapshots, and an export taken before; when the canary idea is forgotten, then no
canary byte and no byte of its key is left in any file or in the read model, the fifty others
read back exactly, and the old export shows the redaction marker for the canary idea only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest

from domain.core.records import StreamStatus
from domain.core.shredding.cipher import CORRUPTED, REDACTED
from domain.core.shredding.erasure import ErasureReport
from domain.core.transfer import export_events, record_from_dict
from domain.ideas import IdeaNotFoundError
from domain.ideas.codec import stream_id_of
from tests.shredding.conftest import World, bytes_of, grow, hits, place_files, sqlite_system


@dataclass
class Scenario:
    world: World
    db: Path
    key: bytes
    snapshots_before: int
    files_before: dict[str, bytes]
    export: list[str]
    read_before: tuple[str | None, str | None, str, str, list[str]]
    report: ErasureReport

    @property
    def needles(self) -> list[bytes]:
        return [c.encode() for c in self.world.canaries] + [self.key]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    db = tmp_path_factory.mktemp("canary") / "ideas.db"
    system = sqlite_system(db)
    world = grow(system)
    canary = world.canary_id
    stream = stream_id_of(canary)
    key = system.keys.key_for(stream)
    assert key is not None
    out = StringIO()
    export_events(system.store, out)
    loaded = system.ideas.load(canary).state
    row = system.view.get(canary)
    decoded = [
        v
        for record in system.store.read_stream(stream)
        for v in (getattr(system.codec.decode(record), "title", None),)
        if isinstance(v, str)
    ]
    files_before = {place: bytes_of(path) for place, path in place_files(db).items()}
    snapshots_before = len(system.store.snapshots(stream))

    _, report = system.eraser.forget(canary)

    yield Scenario(
        world,
        db,
        key,
        snapshots_before,
        files_before,
        out.getvalue().splitlines(),
        (loaded.title, loaded.description, row.title, row.description, decoded),
        report,
    )
    system.close()


def test_the_canary_idea_had_history_and_snapshots(scenario: Scenario) -> None:
    world = scenario.world
    assert len(world.others) == 50
    assert len(world.canaries) >= 2 + 25
    assert len(set(world.canaries)) == len(world.canaries)
    assert scenario.snapshots_before >= 2


def test_before_forget_the_canary_was_readable_through_the_app(scenario: Scenario) -> None:
    world = scenario.world
    title, desc = world.current[world.canary_id]
    loaded_title, loaded_desc, view_title, view_desc, decoded = scenario.read_before
    assert (loaded_title, loaded_desc) == (title, desc)
    assert (view_title, view_desc) == (title, desc)
    written_titles = [v["title"] for (s, _), v in sorted(world.private.items()) if "title" in v]
    canary_titles = [t for t in written_titles if t.startswith("CANARY")]
    assert decoded == canary_titles


def test_before_forget_no_canary_was_in_clear_in_any_file_or_export(scenario: Scenario) -> None:
    canaries = [c.encode() for c in scenario.world.canaries]
    assert scenario.files_before["store file"]  # the check below can fail: there are bytes
    for place, data in scenario.files_before.items():
        assert hits(data, canaries) == [], place
    export = "\n".join(scenario.export).encode()
    assert hits(export, canaries) == []
    # the key lives in the key store only, never beside the events
    assert (
        scenario.key
        in scenario.files_before["key store file"] + scenario.files_before["key store WAL"]
    )
    assert scenario.key not in scenario.files_before["store file"]


def test_after_forget_no_canary_or_key_byte_is_left_in_any_file(scenario: Scenario) -> None:
    for place, path in place_files(scenario.db).items():
        assert hits(bytes_of(path), scenario.needles) == [], place
    # nor any other file beside the store (-shm included)
    for path in scenario.db.parent.iterdir():
        assert hits(path.read_bytes(), scenario.needles) == [], path.name


def test_after_forget_the_read_model_holds_nothing_of_it(scenario: Scenario) -> None:
    system, world = scenario.world.system, scenario.world
    rows = system.view.storage.rows()
    assert world.canary_id not in {r.idea_id for r in rows}
    clear = json.dumps([[r.title, r.description] for r in rows])
    assert not [c for c in world.canaries if c in clear]
    with pytest.raises(IdeaNotFoundError):
        system.view.get(world.canary_id)


def test_after_forget_only_the_tombstone_remains(scenario: Scenario) -> None:
    system = scenario.world.system
    stream = stream_id_of(scenario.world.canary_id)
    (tombstone,) = system.store.read_stream(stream)
    assert tombstone.type == "IdeaForgotten"
    assert system.store.snapshots(stream) == []
    info = system.store.stream_info(stream)
    assert info is not None and info.status is StreamStatus.FORGOTTEN
    assert system.keys.key_for(stream) is None and system.keys.is_destroyed(stream)


def test_after_forget_every_other_idea_reads_back_exactly(scenario: Scenario) -> None:
    system, world = scenario.world.system, scenario.world
    rows = {r.idea_id: (r.title, r.description) for r in system.view.list()}
    assert rows == world.others
    for idea_id, written in world.others.items():
        state = system.ideas.load(idea_id).state
        assert (state.title, state.description) == written
        assert (system.view.get(idea_id).title, system.view.get(idea_id).description) == written
    for record in system.store.read_all():
        expected = world.private.get((record.stream_id, record.version), {})
        event = system.codec.decode(record)
        assert {k: getattr(event, k) for k in expected} == expected


def test_the_export_taken_before_shows_redaction_for_the_canary_idea_only(
    scenario: Scenario,
) -> None:
    system, world = scenario.world.system, scenario.world
    canary_stream = stream_id_of(world.canary_id)
    redacted = clear = 0
    for line in scenario.export:
        record = record_from_dict(json.loads(line))
        event = system.codec.decode(record)
        expected = world.private.get((record.stream_id, record.version), {})
        for name, value in expected.items():
            got = getattr(event, name)
            if record.stream_id == canary_stream:
                assert got == REDACTED, (record.version, name)
                redacted += 1
            else:
                assert got == value
                clear += 1
        assert CORRUPTED not in {getattr(event, n, None) for n in ("title", "description")}
    assert redacted == len(world.canaries)
    assert clear == 2 * 50


def test_the_erasure_report_is_clean_place_by_place(scenario: Scenario) -> None:
    findings = {f.place: f for f in scenario.report.findings}
    assert set(findings) == {
        "events",
        "global log",
        "snapshots",
        "read model",
        "process manager",
        "key store",
        *place_files(scenario.db),
    }
    assert {place: f.clean for place, f in findings.items()} == dict.fromkeys(findings, True)
    assert scenario.report.clean
    assert "not searched" not in findings["global log"].detail  # every canary was looked for
    assert "bytes scanned" in findings["store file"].detail
