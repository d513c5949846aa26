"""The explorer's generic screens on the accounts domain, as the ideas tests drive them:
every pane and dialog takes the mouse, random input never crashes it, footers keep help and
quit at both sizes, replay "to the end" agrees with stepping on the busy account, and
forgetting a holder from the explorer leaves a clean erasure report and the books whole."""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal

import pytest
from textual.pilot import Pilot
from textual.widgets import Tree

from domain.accounts.views import ledger_law_holds
from domain.bootstrap import System, bootstrap
from domain.core.records import RecordedEvent, SnapshotPolicy
from es_tui.app import ExplorerApp
from es_tui.screens.causation import CausationScreen
from es_tui.screens.confirm import ConfirmCommand
from es_tui.screens.domain_lab import DomainLab
from es_tui.screens.erasure import ErasureReportScreen
from es_tui.screens.main import MainScreen
from es_tui.screens.replay import ReplayScreen
from tests.ui.conftest import text_of, wait_for, wait_text
from tests.ui.mouse import every_gesture, gestures_on_every_pane, still_answers
from tests.ui.test_accounts_lab import request_a_transfer
from tests.ui.test_layout import (
    assert_footer_keeps_help_and_leaving,
    main_footers_keep_help_and_leaving,
)
from tests.ui.test_monkey import random_run
from tests.ui.test_replay_screen import open_replay, replay_to_end


@pytest.fixture
def bank() -> Iterator[System]:
    built = bootstrap(
        "memory:",
        domain="accounts",
        demo=True,
        seed=3,
        threaded=True,
        snapshot_policy=SnapshotPolicy(10, 3),
    )
    yield built
    built.close()


def busiest_account(system: System) -> str:
    """The account stream with the most events (the demo's busy account, with snapshots)."""
    streams = [s for s in system.store.list_streams() if s.stream_id.startswith("account-")]
    return max(streams, key=lambda s: s.version).stream_id


def balances(system: System) -> dict[str, Decimal]:
    rows = system.views["balances"].rows()
    return {key: Decimal(str(row["balance"])) for key, row in rows.items()}


async def select_busiest(app: ExplorerApp, pilot: Pilot[None]) -> MainScreen:
    """The main screen, on the busy account's stream."""
    main = app.main_screen
    stream = busiest_account(main.system)
    main.select_stream(stream)
    await wait_for(pilot, lambda: main.stream_id == stream, "the busy account")
    return main


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_mouse_on_every_pane_of_the_accounts_explorer(
    bank: System, size: tuple[int, int]
) -> None:
    app = ExplorerApp(bank)
    async with app.run_test(size=size) as pilot:
        await gestures_on_every_pane(app, pilot)


@pytest.mark.parametrize("key", ["r", "c", "question_mark"])
async def test_mouse_on_the_accounts_dialogs(bank: System, key: str) -> None:
    app = ExplorerApp(bank)
    async with app.run_test(size=(80, 24)) as pilot:
        main = await select_busiest(app, pilot)
        await pilot.press(key)
        await wait_for(pilot, lambda: app.screen is not main, "a dialog", 15)
        screen = app.screen
        await every_gesture(pilot, screen)
        await still_answers(app, pilot)


@pytest.mark.usefixtures("brisk_pilot")
async def test_random_keys_and_clicks_never_crash_on_accounts(bank: System) -> None:
    await random_run(ExplorerApp(bank), random.Random(4))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_every_accounts_footer_shows_help_and_quit_or_back(
    bank: System, size: tuple[int, int]
) -> None:
    app = ExplorerApp(bank)
    async with app.run_test(size=size) as pilot:
        await select_busiest(app, pilot)
        await main_footers_keep_help_and_leaving(app, pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), "the replay")
        await pilot.pause()
        assert_footer_keeps_help_and_leaving(app, "replay")
        await pilot.press("escape", "c")
        await wait_for(pilot, lambda: isinstance(app.screen, DomainLab), "the conflict lab")
        await pilot.pause()
        assert_footer_keeps_help_and_leaving(app, "conflict lab")
        await pilot.press("a", "b")
        await wait_text(pilot, lambda: app.screen.query_one("#writer-b"), "refused")
        assert_footer_keeps_help_and_leaving(app, "conflict lab, after a conflict")


@pytest.mark.parametrize("start", ["home", "end"])  # from zero, from the latest snapshot
async def test_replay_to_the_end_of_the_busy_account_agrees_with_stepping(
    bank: System, start: str
) -> None:
    stream = busiest_account(bank)
    head = bank.store.stream_info(stream)
    assert head is not None and head.version > 20
    assert bank.store.snapshots(stream), "the busy account has kept snapshots"
    app = ExplorerApp(bank)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        replay = await open_replay(app, pilot, stream)
        stepped = await replay_to_end(pilot, replay, start, step=True)
        jumped = await replay_to_end(pilot, replay, start, step=False)
        assert jumped == stepped and "0 fields" not in jumped
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main, "the main screen")
        pane = await wait_text(pilot, lambda: main.state_pane, f"(v{head.version})")
        assert jumped in pane.splitlines()


async def test_forgetting_a_holder_from_the_explorer_keeps_the_books(bank: System) -> None:
    stream = busiest_account(bank)
    account = stream.removeprefix("account-")
    holder = bank.handler.load(account).state.holder  # type: ignore[union-attr]
    assert holder and "⟦" not in holder
    app = ExplorerApp(bank)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        for view in bank.views.values():
            await wait_for(pilot, lambda v=view: v.lag() == 0, "the read models", 30)
        before = balances(bank)
        main.select_stream(stream)
        await wait_for(pilot, lambda: main.stream_id == stream, "the busy account")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmCommand), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ErasureReportScreen), "report", 60)
        report = app.screen
        shown = await wait_text(pilot, lambda: report, "clean", timeout=60)
        assert "residue" not in shown.lower(), shown
        assert holder not in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main, "the main screen")
        for view in bank.views.values():
            await wait_for(pilot, lambda v=view: v.lag() == 0, "the read models", 30)
        after = balances(bank)
        assert after == before  # forgetting the holder moved no money
        assert holder not in str(bank.views["balances"].rows()[account])
        assert ledger_law_holds(bank.views["ledger"].rows())
        assert holder not in text_of(main.projection)


async def test_each_saga_reaction_in_the_graph_names_its_own_trigger(bank: System) -> None:
    transfer = request_a_transfer(bank)
    app = ExplorerApp(bank)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        await wait_for(
            pilot,
            lambda: (
                [e.type for e in bank.store.read_stream(transfer)][-1:] == ["TransferCompleted"]
            ),
            "the saga",
            30,
        )
        main.select_stream(transfer)
        await wait_for(
            pilot,
            lambda: main.event is not None and main.event.stream_id == transfer,
            "the transfer",
        )
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, CausationScreen), "the graph")
        graph = app.screen
        assert isinstance(graph, CausationScreen)
        await wait_for(pilot, lambda: len(graph.events) >= 4, "the saga's events")
        tree = graph.query_one(Tree)
        reactions: list[tuple[str, str]] = []  # (trigger type, the reaction's label)
        nodes = list(tree.root.children)
        while nodes:
            node = nodes.pop()
            for child in node.children:
                if isinstance(node.data, RecordedEvent) and child.data is None:
                    reactions.append((node.data.type, str(child.label)))
                nodes.append(child)
        assert len(reactions) >= 3, reactions
        for trigger, label in reactions:
            assert f"process manager: transfer-saga reacts to {trigger})" in label, label
            assert label.count("Transfer") == 2, label  # its command and its one trigger
