"""Export and import as JSON lines: export → import into an empty store → export gives the
same text, and import checks the whole file first — every problem is refused with its line
number, before anything is written."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from domain.backends.memory.store import MemoryEventStore
from domain.bootstrap import DELETED_TYPES, TOMBSTONE_TYPES, System, bootstrap
from domain.core.protocol import EventStore
from domain.core.records import StreamStatus
from domain.core.shredding.cipher import REDACTED
from domain.core.transfer import TransferError, check_import, export_events, import_file
from domain.ideas import IdeaForgottenError


def exported(system: System) -> list[str]:
    out = StringIO()
    export_events(system.store, out)
    return out.getvalue().splitlines()


def check(system: System, lines: list[str]) -> None:
    check_import(lines, system.codec.decode, TOMBSTONE_TYPES)


def test_export_parses_back_to_exactly_the_stored_events(demo: System) -> None:
    lines = exported(demo)
    stored = demo.store.read_all()
    assert len(lines) == len(stored)
    plan = check_import(lines, demo.codec.decode, TOMBSTONE_TYPES)
    assert plan.records == stored
    assert plan.streams == 20


def test_an_export_line_is_one_event_in_a_fixed_key_order(demo: System) -> None:
    first = json.loads(exported(demo)[0])
    assert list(first) == [
        "position",
        "stream_id",
        "version",
        "event_id",
        "type",
        "schema_version",
        "recorded_at",
        "data",
        "metadata",
    ]
    assert (first["position"], first["version"], first["type"]) == (
        1,
        1,
        "IdeaCreationRequested",
    )


def test_a_version_gap_is_refused_with_its_line(demo: System) -> None:
    lines = exported(demo)
    first_stream = demo.store.list_streams()[0].stream_id
    second = demo.store.read_stream(first_stream, 2, 2)[0]
    gapped = [line for line in lines if str(second.event_id) not in line]
    with pytest.raises(TransferError, match="gap") as err:
        check(demo, gapped)
    assert err.value.line > 0


def test_a_duplicate_event_id_is_refused(demo: System) -> None:
    lines = exported(demo)
    last = json.loads(lines[-1])
    again = {**last, "position": last["position"] + 1, "version": last["version"] + 1}
    with pytest.raises(TransferError, match="duplicate event id") as err:
        check(demo, [*lines, json.dumps(again)])
    assert err.value.line == len(lines) + 1


def _line(position: int, **changes: Any) -> str:
    record = {
        "position": position,
        "stream_id": "idea-abc",
        "version": position,
        "event_id": f"00000000-0000-0000-0000-{position:012d}",
        "type": "IdeaCreationRequested",
        "schema_version": 1,
        "recorded_at": "2026-01-01T00:00:00+00:00",
        "data": {"idea_id": "abc", "title": "t", "description": "d"},
        "metadata": {},
    }
    record.update(changes)
    return json.dumps(record)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"data": [1]}, "JSON object"),
        ({"metadata": "x"}, "JSON object"),
        ({"stream_id": "$all"}, "reserved"),
        ({"stream_id": ""}, "stream id"),
        ({"event_id": "nope"}, "UUID"),
        ({"recorded_at": "2026-01-01T00:00:00"}, "time zone"),
        ({"type": "Mystery"}, "Mystery"),
        ({"data": {"idea_id": "abc", "title": "", "description": "d"}}, "title"),
        ({"version": 2}, "first event has version 2"),
    ],
)
def test_a_malformed_line_is_a_transfer_error_with_its_number(
    demo: System, changes: dict[str, Any], reason: str
) -> None:
    with pytest.raises(TransferError, match=reason) as err:
        check(demo, [_line(1), _line(2, **{"stream_id": "idea-xyz", "version": 1, **changes})])
    assert err.value.line == 2


def test_nothing_may_follow_a_tombstone(demo: System) -> None:
    stone = _line(1, type="IdeaForgotten", version=3, data={"idea_id": "abc", "erased_events": 2})
    later = _line(2, type="IdeaDeleted", version=4, data={"idea_id": "abc"})
    check(demo, [stone])  # a forgotten stream's lone tombstone, above v1, is fine
    with pytest.raises(TransferError, match="forgotten") as err:
        check(demo, [stone, later])
    assert err.value.line == 2


def test_a_tombstone_stands_alone_in_its_stream(demo: System) -> None:
    stone = _line(2, type="IdeaForgotten", data={"idea_id": "abc", "erased_events": 1})
    with pytest.raises(TransferError, match="forgotten") as err:
        check(demo, [_line(1), stone])
    assert err.value.line == 2


def test_a_forgotten_stream_exports_as_its_lone_tombstone(demo: System) -> None:
    (forgotten,) = [s for s in demo.store.list_streams() if s.status is StreamStatus.FORGOTTEN]
    lines = [json.loads(line) for line in exported(demo)]
    mine = [line for line in lines if line["stream_id"] == forgotten.stream_id]
    assert [(m["type"], m["version"]) for m in mine] == [("IdeaForgotten", forgotten.version)]


def test_import_refuses_a_non_empty_store(demo: System, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(exported(demo)) + "\n", encoding="utf-8")
    head = demo.store.head_position()
    with pytest.raises(TransferError, match="empty store"):
        import_file(demo.store, path, demo.codec.decode, TOMBSTONE_TYPES)
    assert demo.store.head_position() == head


def test_a_tombstone_is_never_v1(demo: System) -> None:
    stone = _line(1, type="IdeaForgotten", data={"idea_id": "abc", "erased_events": 0})
    with pytest.raises(TransferError, match="cannot be v1"):
        check(demo, [stone])


def test_export_import_export_is_identical_and_the_system_runs_on_it(
    demo: System, tmp_path: Path
) -> None:
    path = tmp_path / "export.jsonl"
    text = "\n".join(exported(demo)) + "\n"
    path.write_text(text, encoding="utf-8")

    copy = MemoryEventStore(deleted_types=DELETED_TYPES)
    assert import_file(copy, path, demo.codec.decode, TOMBSTONE_TYPES) == len(demo.store.read_all())
    out = StringIO()
    export_events(copy, out)
    assert out.getvalue() == text

    def statuses(store: EventStore) -> list[tuple[str, int, StreamStatus]]:
        # sorted: a forgotten stream's creation is erased, it reappears where its tombstone is
        return sorted((s.stream_id, s.version, s.status) for s in store.list_streams())

    assert statuses(copy) == statuses(demo.store)
    # Without the key store it was written with, an export's private fields stay sealed.
    blind = bootstrap(store=copy, start=False)
    blind.view.catch_up()
    try:
        rows = blind.view.list()
        assert [r.idea_id for r in rows] == [r.idea_id for r in demo.view.list()]
        assert {r.title for r in rows} == {REDACTED}
    finally:
        blind.close()
    copy = MemoryEventStore(deleted_types=DELETED_TYPES)
    import_file(copy, path, demo.codec.decode, TOMBSTONE_TYPES)
    system = bootstrap(store=copy, keys=demo.keys)
    try:
        assert system.view.list() == demo.view.list()
        for info in copy.list_streams():
            idea_id = info.stream_id.removeprefix("idea-")
            assert system.ideas.load(idea_id).state == demo.ideas.load(idea_id).state
        (forgotten,) = [s for s in copy.list_streams() if s.status is StreamStatus.FORGOTTEN]
        with pytest.raises(IdeaForgottenError):
            system.ideas.edit(forgotten.stream_id.removeprefix("idea-"), title="back?")
        live = system.view.list()[0]
        assert system.ideas.edit(live.idea_id, title="after import").version == live.version + 1
    finally:
        system.close()
