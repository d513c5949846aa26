"""Time travel, snapshots, replay and the conflict lab, driven as a person would."""

from __future__ import annotations

from domain.bootstrap import System
from domain.core.records import NO_STREAM, NewEvent
from es_tui.app import ExplorerApp
from es_tui.ideas.screens.conflict_lab import ConflictLab
from es_tui.screens.replay import ReplayScreen
from tests.ui.conftest import text_of, wait_for, wait_text


def published_with_edits(system: System, edits: int) -> str:
    idea = system.ideas.publish("Snapshot me", "Edited many times.").idea_id
    for n in range(edits):
        system.ideas.edit(idea, description=f"Edited many times (rev {n}).")
    return idea


async def test_ten_edits_keep_a_snapshot_and_state_loads_from_it(
    app: ExplorerApp, system: System
) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        await pilot.pause()
        # Another writer (not this app's forms) edits: the panes follow live.
        idea = published_with_edits(system, 10)
        stream = f"idea-{idea}"
        await wait_for(pilot, lambda: (system.store.stream_info(stream) or 0).version >= 12, "PM")
        main.select_stream(stream)
        snapshots = await wait_text(pilot, lambda: main.snapshots, "v10")
        assert "v20" not in snapshots
        version = system.store.stream_info(stream).version  # type: ignore[union-attr]
        state = await wait_text(pilot, lambda: main.state_pane, f"snapshot v10 + {version - 10}")
        assert f"as of v{version} (latest)" in state
        assert "from a snapshot, not a replay from v1" in state

        # Time travel: before the snapshot the state is replayed from v1.
        await pilot.press("2")
        for _ in range(version - 5):
            await pilot.press("up")
        state = await wait_text(pilot, lambda: main.state_pane, "as of v5 of")
        assert "replayed 5 events from v1" in state
        assert "time travel" in state
        details = text_of(main.timeline.details)
        assert "IdeaUpdated" in details and "v5" in details and "stored v2 · read v2" in details


async def test_replay_from_a_snapshot_equals_the_full_replay(
    app: ExplorerApp, system: System
) -> None:
    idea = published_with_edits(system, 22)  # snapshots at v10 and v20
    stream = f"idea-{idea}"
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        await wait_for(pilot, lambda: (system.store.stream_info(stream) or 0).version >= 24, "PM")
        main.select_stream(stream)
        await wait_for(pilot, lambda: main.stream_id == stream, "the stream to be selected")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), "the replay screen")
        replay = app.screen
        await wait_text(pilot, lambda: replay.query_one("#replay-start"), "snapshot v20")
        await pilot.press("enter")  # the latest snapshot is preselected
        status = await wait_text(pilot, lambda: replay.query_one("#replay-status"), "to apply")
        assert "snapshot v20" in status and "4 events" in status
        await pilot.press("n")
        steps = await wait_text(pilot, lambda: replay.query_one("#replay-steps"), "v21")
        assert "IdeaUpdated" in steps
        assert "snapshot v20 + 1 event" in text_of(replay.query_one("#replay-state"))
        for _ in range(3):
            await pilot.press("n")
        status = await wait_text(pilot, lambda: replay.query_one("#replay-status"), "equal")
        assert "4 events applied from snapshot v20" in status
        assert "full replay from v1 applies 24" in status
        assert "equal ✔" in status

        # From zero, played to the end in one go.
        await pilot.press("s", "home", "enter")
        await wait_text(pilot, lambda: replay.query_one("#replay-status"), "from zero")
        await pilot.press("a")
        status = await wait_text(pilot, lambda: replay.query_one("#replay-status"), "equal ✔")
        assert "24 events applied from zero" in status
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main, "back to the main screen")


async def test_conflict_lab_refuses_the_stale_writer_then_retry_succeeds(
    app: ExplorerApp, system: System
) -> None:
    idea = system.ideas.publish("Contested", "Two writers want this.").idea_id
    stream = f"idea-{idea}"
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        await wait_for(pilot, lambda: (system.store.stream_info(stream) or 0).version == 2, "PM")
        main.select_stream(stream)
        await wait_for(pilot, lambda: main.stream_id == stream, "the stream to be selected")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictLab), "the conflict lab")
        lab = app.screen
        steps = lambda: lab.query_one("#lab-steps")  # noqa: E731
        await wait_text(pilot, steps, "both load")
        await pilot.press("b")
        await wait_text(pilot, steps, "B commits")
        assert system.store.stream_info(stream).version == 3  # type: ignore[union-attr]
        last = system.store.read_stream(stream)[-1].event_id
        await pilot.press("a")
        refusal = await wait_text(pilot, steps, "A is refused")
        assert "expected v2, actual v3" in refusal
        assert str(last)[:8] in refusal
        assert "still at v3" in refusal
        assert system.store.stream_info(stream).version == 3  # type: ignore[union-attr]
        assert "refused" in text_of(lab.query_one("#writer-a"))
        await pilot.press("r")
        await wait_text(pilot, steps, "v3 → v4")
        state = system.ideas.load(idea).state
        assert state.title == "Contested (B)"
        assert state.description == "Two writers want this. (edited by A)"
        assert "committed v4" in text_of(lab.query_one("#writer-a"))
        await pilot.press("escape")
        log = await wait_text(pilot, lambda: main.log_pane, "writer A")
        assert "ConcurrencyError" in log


async def test_a_stream_of_another_kind_is_shown_but_not_folded(
    app: ExplorerApp, system: System
) -> None:
    # Other processes may write streams this system has no aggregate for.
    system.store.append("sensor-1", [NewEvent("SensorRead", {"celsius": 21})], NO_STREAM)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        main.select_stream("sensor-1")
        await wait_text(pilot, lambda: main.timeline.events, "SensorRead")
        state = await wait_text(pilot, lambda: main.state_pane, "Cannot compute")
        assert "sensor-1" in state
        details = await wait_text(pilot, lambda: main.timeline.details, "celsius")
        assert "unreadable" in details
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), "the replay screen")
        replay = app.screen
        await wait_text(pilot, lambda: replay.query_one("#replay-start"), "zero")
        await pilot.press("enter")
        await wait_text(pilot, lambda: replay.query_one("#replay-status"), "to apply")
        await pilot.press("n")
        await wait_text(pilot, lambda: replay.query_one("#replay-status"), "Cannot apply v1")
        assert app.is_running
