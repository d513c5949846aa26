"""The replay screen: what "to the end" shows agrees with stepping, the start list says in
words where the cursor is and what was chosen, and never wraps round."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from domain.bootstrap import System
from es_tui.app import ExplorerApp
from es_tui.screens.replay import ReplayScreen
from tests.ui.conftest import text_of, wait_for, wait_text


def long_idea(system: System, edits: int = 22) -> str:
    """An idea with `edits` edits: kept snapshots at v10 and v20 with 22 edits."""
    idea = system.ideas.publish("Replay me", "Edited many times.").idea_id
    for n in range(edits):
        system.ideas.edit(idea, description=f"Edited many times (rev {n}).")
    return f"idea-{idea}"


async def open_replay(app: ExplorerApp, pilot: Pilot[None], stream: str) -> ReplayScreen:
    main = app.main_screen
    main.select_stream(stream)
    await wait_for(pilot, lambda: main.stream_id == stream, f"{stream} to be selected")
    await pilot.press("r")
    await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), "the replay screen")
    replay = app.screen
    assert isinstance(replay, ReplayScreen)
    await wait_text(pilot, lambda: replay.query_one("#replay-start"), "zero")
    return replay


def legend(replay: ReplayScreen) -> str:
    lines = text_of(replay.query_one("#replay-state")).splitlines()
    return next(line for line in lines if line.startswith("●"))


async def replay_to_end(pilot: Pilot[None], replay: ReplayScreen, start: str, step: bool) -> str:
    """Choose `start` ("home": zero, "end": the latest snapshot), then step with `n` or jump
    with `a`; the legend of the final state."""
    await pilot.press("s", start, "enter")
    await wait_for(pilot, lambda: replay.verdict is None and replay.state is not None, "start")
    await wait_text(pilot, lambda: replay.query_one("#replay-status"), "to apply")
    if step:
        while not replay.done:
            await pilot.press("n")
    else:
        await pilot.press("a")
    await wait_text(pilot, lambda: replay.query_one("#replay-status"), "equal ✔", timeout=30)
    return legend(replay)


async def settled(system: System, pilot: Pilot[None], stream: str, version: int) -> None:
    await wait_for(
        pilot, lambda: (system.store.stream_info(stream) or 0).version >= version, "the PM"
    )


@pytest.mark.parametrize("kind", ["long", "snapshotted", "forgotten", "deleted", "rejected"])
async def test_to_the_end_shows_what_the_last_event_changed_as_stepping_does(
    app: ExplorerApp, system: System, kind: str
) -> None:
    demo = system.demo
    assert demo is not None
    start = "home"  # zero
    if kind in ("long", "snapshotted"):
        stream = long_idea(system)
        start = "end" if kind == "snapshotted" else "home"  # the latest snapshot, v20
        head = 24
    else:
        idea = {"forgotten": demo.forgotten, "deleted": demo.deleted, "rejected": demo.rejected}
        stream = f"idea-{idea[kind][0]}"
        head = system.store.stream_info(stream).version  # type: ignore[union-attr]
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(system, pilot, stream, head)
        main = app.main_screen
        replay = await open_replay(app, pilot, stream)
        stepped = await replay_to_end(pilot, replay, start, step=True)
        jumped = await replay_to_end(pilot, replay, start, step=False)
        assert jumped == stepped
        assert "0 fields" not in jumped
        # The state pane says the same of the stream's last event.
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main, "the main screen")
        pane = await wait_text(pilot, lambda: main.state_pane, f"(v{head})")
        assert jumped in pane.splitlines()


async def test_start_list_marks_cursor_and_choice_in_words_and_does_not_wrap(
    app: ExplorerApp, system: System
) -> None:
    stream = long_idea(system)  # kept snapshots v10 and v20
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(system, pilot, stream, 24)
        replay = await open_replay(app, pilot, stream)
        starts = replay.query_one("#replay-start")
        rows = (await wait_text(pilot, lambda: starts, "v20")).splitlines()
        assert rows[-1].startswith("▶ snapshot v20") and "latest" in rows[-1]
        assert not any(row.startswith("▶") for row in rows[:-1])
        await pilot.press("down")  # already on the last row: stays there
        await pilot.press("enter")
        status = await wait_text(pilot, lambda: replay.query_one("#replay-status"), "to apply")
        assert "snapshot v20" in status and "4 events" in status
        rows = text_of(starts).splitlines()
        assert rows[-1].endswith("(chosen)")
        await pilot.press("s", "up", "up", "up")  # stops at zero, does not wrap to the end
        rows = (await wait_text(pilot, lambda: starts, "▶ zero")).splitlines()
        assert rows[0].startswith("▶ zero") and rows[-1].startswith("  snapshot v20")
        assert rows[-1].endswith("(chosen)")  # the replay still runs from v20
        await pilot.press("enter")
        status = await wait_text(pilot, lambda: replay.query_one("#replay-status"), "from zero")
        rows = text_of(starts).splitlines()
        assert rows[0].endswith("(chosen)") and not rows[-1].endswith("(chosen)")


async def test_a_forgotten_stream_replays_from_its_tombstone_version(
    app: ExplorerApp, system: System
) -> None:
    assert system.demo is not None
    stream = f"idea-{system.demo.forgotten[0]}"
    info = system.store.stream_info(stream)
    assert info is not None and info.version > 1 and info.event_count == 1
    async with app.run_test(size=(160, 48)) as pilot:
        replay = await open_replay(app, pilot, stream)
        starts = text_of(replay.query_one("#replay-start"))
        assert f"zero — replay every event from v{info.version}" in starts
        assert "from v1" not in starts
        await pilot.press("enter")
        await pilot.press("a")
        status = await wait_text(pilot, lambda: replay.query_one("#replay-status"), "equal ✔")
        assert f"a full replay from v{info.version} applies 1" in status


async def test_starting_from_a_snapshot_at_the_head_says_no_event_was_applied(
    app: ExplorerApp, system: System
) -> None:
    stream = long_idea(system, edits=8)  # 10 events with the acceptance: a snapshot at v10
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(system, pilot, stream, 10)
        await wait_for(pilot, lambda: bool(system.store.snapshots(stream)), "the snapshot")
        replay = await open_replay(app, pilot, stream)
        await wait_text(pilot, lambda: replay.query_one("#replay-start"), "v10")
        await pilot.press("end", "enter")
        await wait_text(pilot, lambda: replay.query_one("#replay-status"), "equal ✔")
        shown = legend(replay)
        assert "snapshot v10" in shown and "no event applied yet" in shown
        assert "changed by" not in shown


async def test_the_state_of_a_forgotten_stream_says_it_replayed_from_the_tombstone(
    app: ExplorerApp, system: System
) -> None:
    assert system.demo is not None
    stream = f"idea-{system.demo.forgotten[0]}"
    version = system.store.stream_info(stream).version  # type: ignore[union-attr]
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        main.select_stream(stream)
        state = await wait_text(pilot, lambda: main.state_pane, "replayed")
        assert f"replayed 1 event from v{version}" in state
        assert "from v1" not in state
