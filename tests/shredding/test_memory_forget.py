"""Forget on the memory store works as on SQLite: given fifty ideas and an edited canary idea
in memory, when it is forgotten, then the report is clean, nothing of it is left in the events,
snapshots or read model, the others read back exactly, and an earlier export is redacted."""

from __future__ import annotations

import json
from io import StringIO

from domain.bootstrap import bootstrap
from domain.core.shredding.cipher import REDACTED
from domain.core.transfer import export_events, record_from_dict
from domain.ideas.codec import stream_id_of
from tests.shredding.conftest import POLICY, grow


def test_forget_in_memory_is_clean_and_spares_the_others() -> None:
    system = bootstrap("memory:", snapshot_policy=POLICY, accept_probability=1.0)
    try:
        world = grow(system)
        stream = stream_id_of(world.canary_id)
        assert system.store.snapshots(stream)
        out = StringIO()
        export_events(system.store, out)

        _, report = system.eraser.forget(world.canary_id)

        assert report.clean
        assert {f.place for f in report.findings} == {
            "events",
            "global log",
            "snapshots",
            "read model",
            "process manager",
            "key store",
        }
        stored = json.dumps(
            [[r.data, r.metadata] for r in system.store.read_all()], ensure_ascii=False
        )
        rows = json.dumps([[r.title, r.description] for r in system.view.storage.rows()])
        for canary in world.canaries:
            assert canary not in stored and canary not in rows
        assert system.keys.key_for(stream) is None
        assert {r.idea_id: (r.title, r.description) for r in system.view.list()} == world.others
        for idea_id, written in world.others.items():
            state = system.ideas.load(idea_id).state
            assert (state.title, state.description) == written

        redacted = 0
        for line in out.getvalue().splitlines():
            record = record_from_dict(json.loads(line))
            event = system.codec.decode(record)
            for name, value in world.private.get((record.stream_id, record.version), {}).items():
                if record.stream_id == stream:
                    assert getattr(event, name) == REDACTED
                    redacted += 1
                else:
                    assert getattr(event, name) == value
        assert redacted == len(world.canaries)
    finally:
        system.close()
