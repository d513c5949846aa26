"""`es-tui --demo-events N`: a generated store with the shape of real use, and the explorer
opening on it."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.bootstrap import System, bootstrap
from domain.core.aggregate import load
from domain.core.records import CAUSATION_ID, SnapshotPolicy, StreamStatus
from domain.core.shredding.cipher import SEALED
from domain.ideas.codec import idea_id_of
from domain.ideas.state import IdeaStatus
from es_tui.app import ExplorerApp
from es_tui.cli import main as cli_main
from es_tui.ideas.demo_events import fill
from es_tui.widgets.state_pane import compute_state, plain_fields
from tests.ui.conftest import text_of, wait_for, wait_text

EVENTS = 3000


@pytest.fixture
def generated() -> Iterator[System]:
    system = bootstrap("memory:", threaded=True, snapshot_policy=SnapshotPolicy(10, 3))
    out = io.StringIO()
    fill(system, EVENTS, out=out)
    assert "events in" in out.getvalue() and "30 ideas" in out.getvalue()  # the summary line
    yield system
    system.close()


def test_a_generated_store_has_ideas_with_long_lives(generated: System) -> None:
    store = generated.store
    streams = store.list_streams()
    assert len(streams) == EVENTS // 100
    stored = sum(s.event_count for s in streams)
    assert EVENTS * 0.9 < stored <= EVENTS
    statuses = Counter(
        generated.ideas.load(idea_id_of(s.stream_id) or "").state.status for s in streams
    )
    assert statuses[IdeaStatus.ACCEPTED] >= len(streams) // 2
    assert statuses[IdeaStatus.FORGOTTEN] >= 1
    assert set(statuses) <= {
        IdeaStatus.ACCEPTED,
        IdeaStatus.REJECTED,
        IdeaStatus.DELETED,
        IdeaStatus.FORGOTTEN,
    }
    assert max(s.event_count for s in streams) >= 100  # some long streams
    assert {e.type for e in store.read_all()} >= {
        "IdeaCreationRequested",
        "IdeaCreationAccepted",
        "IdeaUpdated",
        "IdeaForgotten",
    }


def test_private_fields_are_sealed_and_decisions_name_their_cause(generated: System) -> None:
    events = generated.store.read_all()
    edits = [e for e in events if e.type == "IdeaUpdated"]
    assert edits and all(SEALED in e.data for e in edits)
    assert all("title" not in e.data or e.data["title"] is None for e in edits)
    first = generated.codec.decode(edits[0])
    assert first.title or first.description  # readable with the stream's key
    requests = {e.event_id for e in events if e.type == "IdeaCreationRequested"}
    decisions = [e for e in events if e.type in ("IdeaCreationAccepted", "IdeaCreationRejected")]
    assert decisions and all(
        d.metadata[CAUSATION_ID] in {str(r) for r in requests} for d in decisions
    )


def test_snapshots_follow_the_policy_and_load_like_a_full_replay(generated: System) -> None:
    store, fold = generated.store, generated.fold
    for info in store.list_streams():
        snaps = store.snapshots(info.stream_id)
        if info.status is StreamStatus.FORGOTTEN or info.version < 10:
            assert not snaps
            continue
        assert [s.version for s in snaps][-1] == info.version // 10 * 10
        assert len(snaps) == min(3, info.version // 10)
        from_snapshot = load(store, info.stream_id, fold)
        full = load(store, info.stream_id, fold, snapshot=None)
        assert from_snapshot.snapshot is not None
        assert from_snapshot.state == full.state


def test_a_durable_store_is_filled_in_one_import_and_must_be_empty(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'big.db'}"
    system = bootstrap(url)
    try:
        summary = fill(system, 1500, out=io.StringIO())
        assert system.store.head_position() >= 1500
        assert summary.ideas == 15
        times = [e.recorded_at for e in system.store.read_all(1, 1400)]
        assert times == sorted(times) and (times[-1] - times[0]).days >= 1  # spread in time
        with pytest.raises(ValueError, match="not empty"):
            fill(system, 100, out=io.StringIO())
    finally:
        system.close()


def test_the_cli_refuses_a_store_that_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'used.db'}"
    bootstrap(url, demo=True).close()
    assert cli_main(["--store", url, "--demo-events", "500"]) == 2
    assert "not empty" in capsys.readouterr().err


async def test_the_explorer_opens_on_generated_data(generated: System) -> None:
    app = ExplorerApp(generated)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        head = generated.store.head_position()
        await wait_for(pilot, lambda: main.timeline.events.row_count == head, "the log")
        await wait_text(pilot, lambda: main.timeline.events, str(head))
        await wait_for(pilot, lambda: generated.view.lag() == 0, "the read model to catch up")
        listed = len(generated.view.list())
        await wait_for(pilot, lambda: main.projection.ideas.row_count == listed, "every idea")
        assert main.streams.row_count == len(generated.store.list_streams()) + 1
        assert "IdeaUpdated" in text_of(main.timeline.events)


def test_the_state_shown_for_any_event_is_the_full_replay_up_to_it(generated: System) -> None:
    store, fold = generated.store, generated.fold
    stream = max(store.list_streams(), key=lambda s: s.event_count).stream_id
    for record in store.read_stream(stream):
        shown = compute_state(generated, record)
        replayed = load(store, stream, fold, snapshot=None, to_version=record.version)
        assert shown.fields == plain_fields(replayed.state), record.version
        assert shown.version == record.version
        if record.version % 10 == 0 and shown.from_snapshot is not None:
            assert shown.how.endswith("+ 0 events")  # its own snapshot, nothing to apply
