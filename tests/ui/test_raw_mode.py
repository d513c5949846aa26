"""Raw mode: a store shown without a domain (`--domain none`, or a database the
`eventsourcing` library wrote). Its events are shown as stored, the state pane says why it
computes no state, the title says read-only, and no key or click crashes anything."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.binding import Binding

from domain.bootstrap import System, bootstrap
from domain.core.records import ANY, NewEvent
from es_tui.app import ExplorerApp
from es_tui.screens.explore import Explore
from es_tui.screens.main import MainScreen
from tests.foreign.conftest import sqlite_system
from tests.ui.conftest import wait_for, wait_text


@pytest.fixture(params=["none", "library"])
def raw(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[System]:
    """Raw mode over a store the accounts demo filled, and over a library database."""
    if request.param == "none":
        filled = bootstrap("memory:", domain="accounts", demo=True, start=False)
        built = bootstrap(store=filled.store, domain=None, threaded=True)
    else:
        built = bootstrap(sqlite_system(tmp_path, "plain").bank_url, threaded=True)
    yield built
    built.close()


def keys_of_the_main_screen() -> list[str]:
    """Every key bound on the main screen (and the app's help), quit left out."""
    keys: list[str] = []
    for bindings in (MainScreen.BINDINGS, Explore.BINDINGS, ExplorerApp.BINDINGS):
        for binding in bindings:
            assert isinstance(binding, Binding)
            keys.extend(k.strip() for k in binding.key.split(",") if k.strip() != "q")
    return keys


async def test_raw_mode_shows_events_as_stored_and_says_why_no_state(raw: System) -> None:
    app = ExplorerApp(raw)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        await wait_text(pilot, lambda: main.streams, "$all")
        assert "READ-ONLY" in app.sub_title
        await pilot.press("down", "enter", "down")
        await wait_text(pilot, lambda: main.state_pane, "raw mode: no domain")
        record = main.timeline.details.record
        assert record is not None
        details = await wait_text(pilot, lambda: main.timeline.details, "data")
        assert "unreadable" not in details  # no type is known: the payload as stored is it
        first_value = next(iter(record.data.values()), None)
        assert first_value is None or str(first_value).split("\n")[0][:20] in details
        assert raw.read_only


async def test_every_key_and_every_pane_in_raw_mode_crashes_nothing(raw: System) -> None:
    app = ExplorerApp(raw)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        await wait_text(pilot, lambda: main.streams, "$all")
        await pilot.press("down", "down")
        for key in keys_of_the_main_screen():
            await pilot.press(key)
            await pilot.pause(0.05)
            while app.screen is not main:  # a screen, a dialog or the filter opened: back
                await pilot.press("escape")
                await pilot.pause(0.05)
            await pilot.press("escape")  # a filter input closes
        for pane in ("#streams", "#timeline", "#snapshots", "#state", "#projection", "#log"):
            await pilot.click(pane)
            await pilot.pause(0.05)
        await pilot.press("tab", "down", "enter", "down")
        await wait_for(pilot, lambda: main.state_pane.record is not None, "an event inspected")
        assert app.return_code is None  # still running: nothing raised
        await pilot.press("q")
    assert app.return_code in (0, None)


async def test_library_store_with_its_classes_imported_shows_the_aggregate(
    tmp_path: Path,
) -> None:
    import tests.foreign.bank_app  # as --import does  # noqa: F401

    written = sqlite_system(tmp_path, "plain")
    system = bootstrap(written.bank_url, threaded=True)
    try:
        app = ExplorerApp(system, imported=True)
        async with app.run_test(size=(160, 48)) as pilot:
            main = app.main_screen
            listed = await wait_text(pilot, lambda: main.streams, "BankAccount")
            assert "Customer" in listed
            account = written.accounts[0]
            # By its id: the list's order is not what this test is about.
            main.select_stream(str(account))
            await wait_for(pilot, lambda: main.timeline.stream_id == str(account), "the account")
            await pilot.press("enter", "end")
            shown = await wait_text(pilot, lambda: main.state_pane, "rebuilt by the eventsourcing")
            final = written.final_states[account]
            assert str(final.balance) in shown
            assert final.owner in shown
            assert "time travel" not in shown
            await pilot.press("home")
            shown = await wait_text(pilot, lambda: main.state_pane, "as of v1 of")
            assert "changed by BankAccount.Opened" in shown
    finally:
        system.close()


async def test_raw_mode_follows_commits_made_elsewhere() -> None:
    """`--domain none` on a store another writer fills: its commits appear live."""
    writer = bootstrap("memory:", domain="accounts", demo=True, start=False)
    raw = bootstrap(store=writer.store, domain=None, threaded=True)
    try:
        app = ExplorerApp(raw)
        async with app.run_test(size=(160, 48)) as pilot:
            main = app.main_screen
            await wait_text(pilot, lambda: main.streams, "$all")
            writer.store.append("elsewhere-1", [NewEvent("SomethingHappened", {"n": 1})], ANY)
            await wait_text(pilot, lambda: main.streams, "elsewhere-1")
            await pilot.press("enter")  # $all
            await pilot.press("end")
            details = await wait_text(pilot, lambda: main.timeline.details, "SomethingHappened")
            assert '"n": 1' in details
    finally:
        raw.close()
        writer.close()
