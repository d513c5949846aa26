"""Replay on a database the `eventsourcing` library wrote: `r` sets the load from a stored
snapshot plus its tail beside a full replay, by the application's own classes, with the
verdict; a stream without snapshots says so; without the classes, the screen says why; after
the classes changed, the fields that disagree are marked."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from domain.backends.eventsourcing.replay import import_modules
from domain.bootstrap import System, bootstrap
from es_tui.app import ExplorerApp
from es_tui.screens.library_replay import LibraryReplayScreen
from tests.foreign.changed_classes import AMOUNTS, second_version, write_tallies
from tests.foreign.conftest import sqlite_system, written_system
from tests.ui.conftest import text_of, wait_for, wait_text


async def open_replay(app: ExplorerApp, pilot: Pilot[None], stream: str) -> LibraryReplayScreen:
    """Select `stream` in the explorer and press `r`."""
    main = app.main_screen
    await wait_text(pilot, lambda: main.streams, "$all")
    main.select_stream(stream)
    await wait_for(pilot, lambda: main.timeline.stream_id == stream, f"{stream} selected")
    await pilot.press("r")
    await wait_for(pilot, lambda: isinstance(app.screen, LibraryReplayScreen), "the replay")
    screen = app.screen
    assert isinstance(screen, LibraryReplayScreen)
    return screen


def status(screen: LibraryReplayScreen) -> str:
    return text_of(screen.query_one("#replay-status"))


def pane(screen: LibraryReplayScreen, name: str) -> str:
    found = screen.query_one(f"#library-{name}")
    lines = f"{found.border_title}\n{text_of(found)}".splitlines()
    return "\n".join(" ".join(line.split()) for line in lines)  # the columns' padding out


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_snapshot_plus_tail_beside_a_full_replay_with_the_verdict(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    import_modules(["tests.foreign.bank_app"])
    written = written_system(backend, "compressed", tmp_path_factory)
    system = bootstrap(written.bank_url, threaded=True)
    try:
        app = ExplorerApp(system, imported=True)
        async with app.run_test(size=(160, 48)) as pilot:
            account = written.accounts[1]
            final = written.final_states[account]
            kept = written.snapshot_versions[account]
            screen = await open_replay(app, pilot, str(account))
            said = await wait_text(pilot, lambda: screen.query_one("#replay-status"), "States")
            assert "equal ✔" in said
            assert f"snapshot v{kept[-1]} + {final.version - kept[-1]} event" in said
            assert f"a full replay read {final.version}" in said
            loaded, full = pane(screen, "from-snapshot"), pane(screen, "full")
            assert f"Snapshot v{kept[-1]} + " in loaded
            assert f"Full replay · {final.version} events read" in full
            for shown in (loaded, full):
                assert str(final.balance) in shown and final.owner in shown
            starts = text_of(screen.query_one("#replay-start"))
            assert all(f"snapshot v{v}" in starts for v in kept)
            await pilot.press("down", "enter")  # the older snapshot: a longer tail
            await wait_text(pilot, lambda: screen.query_one("#replay-status"), f"v{kept[-2]} +")
            said = status(screen)
            assert f"snapshot v{kept[-2]} + {final.version - kept[-2]} events" in said
            assert "equal ✔" in said
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.main_screen, "back")
            screen = await open_replay(app, pilot, str(written.customers[0]))
            said = await wait_text(pilot, lambda: screen.query_one("#replay-status"), "snapshot")
            assert "No snapshot of" in said and "read 2 events" in said
            assert "none stored" in pane(screen, "from-snapshot")
            assert "cyd" in pane(screen, "full")
            assert "no snapshot stored" in text_of(screen.query_one("#replay-start"))
    finally:
        system.close()


@pytest.fixture
def changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[System, str]:
    """A tally database whose classes changed after its snapshots were taken."""
    tallies = write_tallies(tmp_path, "tallies_changed_in_the_explorer")
    monkeypatch.syspath_prepend(str(second_version(tmp_path, tallies.module)))
    import_modules([tallies.module])
    return bootstrap(tallies.url, threaded=True), str(tallies.tally)


async def test_a_snapshot_the_changed_classes_disagree_with_is_marked(
    changed: tuple[System, str],
) -> None:
    system, tally = changed
    try:
        app = ExplorerApp(system, imported=True)
        async with app.run_test(size=(160, 48)) as pilot:
            screen = await open_replay(app, pilot, tally)
            said = await wait_text(pilot, lambda: screen.query_one("#replay-status"), "States")
            assert "DIFFERENT ✘" in said and "2 fields differ (total, unit)" in said
            loaded, full = pane(screen, "from-snapshot"), pane(screen, "full")
            assert f"✘ total {sum(AMOUNTS[:5]) + AMOUNTS[5] * 100}" in loaded
            assert "✘ unit (absent)" in loaded
            assert f"✘ total {sum(AMOUNTS) * 100}" in full
            assert "✘ unit cent" in full
    finally:
        system.close()


async def test_without_the_classes_the_screen_says_why(tmp_path: Path) -> None:
    written = sqlite_system(tmp_path, "plain")
    system = bootstrap(written.bank_url, threaded=True)
    try:
        app = ExplorerApp(system)  # no --import
        async with app.run_test(size=(160, 48)) as pilot:
            screen = await open_replay(app, pilot, str(written.accounts[0]))
            await wait_text(pilot, lambda: screen.query_one("#replay-status"), "No comparison")
            assert "--import package.module" in pane(screen, "from-snapshot")
            assert "(cannot compute)" in pane(screen, "full")
            kept = written.snapshot_versions[written.accounts[0]]
            starts = text_of(screen.query_one("#replay-start"))
            assert all(f"snapshot v{v}" in starts for v in kept)  # what is stored still shows
    finally:
        system.close()
