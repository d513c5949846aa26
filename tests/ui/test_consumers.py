"""The consumers screen (`u`): every read model and process manager with its position, the
head and its lag, live; a reset (confirmed) rebuilds a read model or runs a process manager
again from 0 and it catches up; a library database's tracking records with their positions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from domain.bootstrap import System, bootstrap
from domain.core.records import ANY, NewEvent, SnapshotPolicy
from domain.core.tracking import TrackedConsumer
from es_tui.app import ExplorerApp
from es_tui.consumers import consumer_rows, running_consumers
from es_tui.screens.consumers import ConsumersScreen, ResetConfirm
from tests.foreign.conftest import sqlite_system
from tests.ui.conftest import wait_for


@pytest.fixture(params=["ideas", "accounts"])
def running(request: pytest.FixtureRequest) -> Iterator[System]:
    """A domain's system with its read models and process managers running."""
    built = bootstrap(
        "memory:",
        domain=str(request.param),
        demo=True,
        threaded=True,
        accept_probability=1.0,
        snapshot_policy=SnapshotPolicy(10, 3),
    )
    yield built
    built.close()


def table_rows(screen: ConsumersScreen) -> dict[str, list[str]]:
    """The table as shown: the cells of each row, by consumer name."""
    table = screen.table
    shown: dict[str, list[str]] = {}
    for at in range(table.row_count):
        cells = [str(cell) for cell in table.get_row_at(at)]
        shown[cells[0]] = cells
    return shown


async def open_consumers(pilot: Pilot[None], app: ExplorerApp) -> ConsumersScreen:
    await pilot.press("u")
    await wait_for(pilot, lambda: isinstance(app.screen, ConsumersScreen), "the consumers")
    screen = app.screen
    assert isinstance(screen, ConsumersScreen)
    await wait_for(pilot, lambda: bool(table_rows(screen)), "the consumers listed")
    return screen


def commit_one(system: System) -> None:
    """A commit every consumer of the log has to read (of a type no domain knows)."""
    system.store.append("probe-1", [NewEvent("ProbeHappened", {"n": 1})], ANY)


async def test_the_list_is_the_systems_consumers_with_their_lag(running: System) -> None:
    app = ExplorerApp(running)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause(0.2)
        screen = await open_consumers(pilot, app)
        expected = {entry.name: entry for entry in running_consumers(running)}
        assert expected  # a read model at least
        await wait_for(pilot, lambda: set(table_rows(screen)) == set(expected), "every one")
        head = running.store.head_position()

        def caught_up() -> bool:
            shown = table_rows(screen)
            for name, entry in expected.items():
                row, consumer = shown[name], entry.consumer
                if row[3] != str(head):
                    return False
                if isinstance(consumer, TrackedConsumer):
                    # A process manager is listed at the position the store keeps for it.
                    saved = running.store.tracking_position(consumer.tracking_name)
                    if row[2] != str(saved or consumer.checkpoint):
                        return False
                elif row[4] != "0":
                    return False
            return True

        await wait_for(pilot, caught_up, "every consumer at the head")
        view = next(e for e in expected.values() if e.kind == "read model")
        view.consumer.pause()
        commit_one(running)
        commit_one(running)
        lag_now = running.store.head_position() - view.consumer.checkpoint
        assert lag_now >= 2

        def lagging() -> bool:
            row = table_rows(screen)[view.name]
            return row[4] == str(lag_now) and row[5] == "paused"

        await wait_for(pilot, lagging, f"{view.name} lagging by {lag_now}, paused")
        await pilot.press("escape")
        view.consumer.resume()
        screen = await open_consumers(pilot, app)

        def resumed() -> bool:
            row = table_rows(screen)[view.name]
            return row[4] == "0" and row[5] == "running"

        await wait_for(pilot, resumed, f"{view.name} caught up again")


@pytest.mark.parametrize("kind", ["read model", "process manager"])
async def test_reset_after_confirmation_runs_again_from_zero_and_catches_up(
    running: System, kind: str
) -> None:
    entries = [e for e in running_consumers(running) if e.kind == kind]
    if not entries:
        pytest.skip(f"no {kind} in this domain")
    entry = entries[0]
    app = ExplorerApp(running)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_consumers(pilot, app)
        await wait_for(pilot, lambda: entry.consumer.lag() == 0, "caught up first")
        head = running.store.head_position()
        before = sorted(map(str, getattr(entry.consumer, "rows", dict)().items()))
        names = list(table_rows(screen))
        screen.table.move_cursor(row=names.index(entry.name))
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ResetConfirm), "the question")
        assert entry.consumer.checkpoint == head  # nothing happens before the answer
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: any("caught up" in n.message for n in app._notifications),
            "the reset's report",
        )
        said = [n.message for n in app._notifications]
        stored = len(running.store.read_all())  # erased positions are holes, not events
        assert any(f"{stored} events read again" in m for m in said), said
        # the listing refreshes on a timer: a refresh taken between the replay reaching the
        # head and the position being saved shows the old saved one with lag 0, so wait for both
        await wait_for(
            pilot,
            lambda: (
                table_rows(screen)[entry.name][4] == "0"
                and table_rows(screen)[entry.name][2] == str(head)
            ),
            f"lag 0, saved {head}",
        )
        assert running.store.head_position() == head  # a reaction is never appended twice
        after = sorted(map(str, getattr(entry.consumer, "rows", dict)().items()))
        assert after == before  # the same rows, rebuilt


async def test_a_library_databases_tracking_records_are_listed(tmp_path: Path) -> None:
    written = sqlite_system(tmp_path, "plain")
    system = bootstrap(written.bank_url, threaded=True)
    try:
        app = ExplorerApp(system)
        async with app.run_test(size=(160, 48)) as pilot:
            screen = await open_consumers(pilot, app)
            row = table_rows(screen)["Audit ← Bank"]
            head = len(written.notifications)
            lag = head - written.audit_position
            assert row[1:6] == [
                "tracking record",
                str(written.audit_position),
                str(head),
                str(lag),
                "recorded",
            ]
            await pilot.press("R")  # read-only: explained, nothing asked
            await wait_for(
                pilot,
                lambda: any("shown as stored" in n.message for n in app._notifications),
                "the explanation",
            )
            assert app.screen is screen
    finally:
        system.close()


def test_a_position_source_replaces_a_checkpoint(running: System) -> None:
    """A durable record of positions plugs in by consumer name."""
    name = running_consumers(running)[0].name
    rows = {r.name: r for r in consumer_rows(running, {name: lambda: 1})}
    assert rows[name].position == 1
    assert rows[name].lag == running.store.head_position() - 1
    assert re.fullmatch(r"running|paused|stopped", rows[name].state)


async def test_the_palette_opens_the_consumers_and_resets_the_selected_one(
    running: System,
) -> None:
    app = ExplorerApp(running)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        titles = [c.title for c in app.get_system_commands(main)]
        assert "Consumers" in titles
        next(c for c in app.get_system_commands(main) if c.title == "Consumers").callback()
        await wait_for(pilot, lambda: isinstance(app.screen, ConsumersScreen), "the consumers")
        screen = app.screen
        assert isinstance(screen, ConsumersScreen)
        await wait_for(pilot, lambda: bool(table_rows(screen)), "the consumers listed")
        reset = next(
            c for c in app.get_system_commands(screen) if c.title == "Reset the selected consumer"
        )
        reset.callback()
        await wait_for(pilot, lambda: isinstance(app.screen, ResetConfirm), "the question")
        await pilot.press("n")  # kept: nothing reset
        await wait_for(pilot, lambda: app.screen is screen, "back on the consumers")
        assert not any("caught up" in n.message for n in app._notifications)


@pytest.mark.parametrize("domain", ["ideas", "accounts"])
async def test_a_process_manager_is_listed_at_its_saved_position_and_a_reset_catches_up(
    tmp_path: Path, domain: str
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    bootstrap(url, domain=domain, demo=True, accept_probability=1.0).close()  # saves it
    system = bootstrap(url, domain=domain, threaded=True, accept_probability=1.0)
    try:
        store = system.store
        entry = next(e for e in running_consumers(system) if e.kind == "process manager")
        manager = entry.consumer
        assert isinstance(manager, TrackedConsumer)
        app = ExplorerApp(system)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: manager.lag() == 0, "the manager caught up")
            commit_one(system)  # nothing to react to: the saved position stays behind
            await wait_for(pilot, lambda: manager.lag() == 0, "the probe read")
            saved = store.tracking_position(manager.tracking_name)
            head = store.head_position()
            assert 0 < saved < head
            screen = await open_consumers(pilot, app)

            def listed_at_saved() -> bool:
                # At its saved position; no lag: it has read everything (nothing to react to).
                row = table_rows(screen)[entry.name]
                return row[2:5] == [str(saved), str(head), "0"]

            await wait_for(pilot, listed_at_saved, "the saved position")
            assert table_rows(screen)[entry.name][6] == f"saved · live {head}"

            names = list(table_rows(screen))
            screen.table.move_cursor(row=names.index(entry.name))
            commands = app.get_system_commands(screen)  # from the palette
            next(c for c in commands if c.title == "Reset the selected consumer").callback()
            await wait_for(pilot, lambda: isinstance(app.screen, ResetConfirm), "the question")
            await pilot.press("y")

            def at_head() -> bool:
                row = table_rows(screen)[entry.name]
                return row[2:5] == [str(head), str(head), "0"] and row[6] == "saved"

            await wait_for(pilot, at_head, "caught up to the head, saved")
            assert store.tracking_position(manager.tracking_name) == head
            assert store.head_position() == head  # no reaction appended twice
    finally:
        system.close()
