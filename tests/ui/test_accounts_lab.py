"""The explorer on the accounts domain: the conflict lab shows the invariant only the
expected-version check protects."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from domain.accounts.messages import Deposit
from domain.accounts.views import ledger_law_holds
from domain.bootstrap import System, bootstrap
from domain.core.errors import ConcurrencyError
from es_tui.app import ExplorerApp
from es_tui.screens.domain_lab import DomainLab
from es_tui.screens.help import HelpScreen, HelpText
from es_tui.traffic import DEFAULT_RATE, RATES, DomainTraffic, Ran
from tests.ui.conftest import text_of, wait_for, wait_text


@pytest.fixture
def accounts() -> Iterator[System]:
    built = bootstrap("memory:", domain="accounts", demo=True, seed=3, threaded=True)
    yield built
    built.close()


async def test_the_accounts_lab_refuses_by_version_then_by_funds(accounts: System) -> None:
    app = ExplorerApp(accounts)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, DomainLab), "the lab opens")
        lab = app.screen
        assert isinstance(lab, DomainLab)
        unchecked = lab.query_one("#lab-unchecked")
        shown = await wait_text(pilot, lambda: unchecked, "balance: -60")
        assert "invariant broken" in shown and "never stored" in shown
        account = lab.aggregate_id
        assert account is not None
        stream = accounts.store.stream_info(f"account-{account}")
        assert stream is not None and stream.version == 2  # opened, deposited: nothing more

        await pilot.press("r")  # nothing refused yet: the key says why it does nothing
        assert "no writer was refused yet" in text_of(lab.query_one("#lab-notice"))

        await pilot.press("a")
        await wait_text(pilot, lambda: lab.query_one("#writer-a"), "committed v3")
        await pilot.press("b")
        card = await wait_text(pilot, lambda: lab.query_one("#writer-b"), "refused")
        assert "expected v2, actual v3" in card and "last event" in card
        error = lab.results["B"]
        assert isinstance(error, ConcurrencyError) and error.actual == 3

        await pilot.press("a")  # A is done: dead key, said so
        assert "already committed" in text_of(lab.query_one("#lab-notice"))

        await pilot.press("r")
        steps = await wait_text(pilot, lambda: lab.query_one("#lab-steps"), "not the version")
        assert "InsufficientFundsError" in steps
        await pilot.press("r")  # refused by a rule: a retry would not help
        assert "by a rule" in text_of(lab.query_one("#lab-notice"))

        # The store holds one withdrawal; the -60 of the column was never stored.
        assert accounts.handler is not None
        state = accounts.handler.load(account).state
        assert state.balance == Decimal(20)
        events = accounts.store.read_stream(f"account-{account}")
        assert [e.type for e in events].count("MoneyWithdrawn") == 1
        await pilot.press("escape")


def folded_totals(system: System) -> dict[str, Decimal]:
    """Per currency, the sum of every account's balance, folded from the store."""
    assert system.handler is not None
    totals: dict[str, Decimal] = {}
    for info in system.store.list_streams():
        account = system.domain.aggregate_id(info.stream_id) if system.domain else None
        if account is None or not info.stream_id.startswith("account-"):
            continue
        state = system.handler.load(account).state
        if state.currency is not None:
            totals[state.currency] = totals.get(state.currency, Decimal(0)) + state.balance
    return totals


async def test_the_read_model_pane_shows_balances_and_the_ledger(accounts: System) -> None:
    app = ExplorerApp(accounts)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        pane = main.projection
        await wait_text(pilot, lambda: pane.summary, "rows")
        assert pane.current == "balances"
        assert "balances" in str(pane.border_title)
        rows = accounts.views["balances"].rows()
        shown = await wait_text(pilot, lambda: pane.ideas, "balance")
        for key in rows:
            assert key[:8] in shown
        if any(r.get("status") == "forgotten" for r in rows.values()):
            assert "⟦shredded⟧" in shown  # the forgotten holder's name is gone

        await pilot.press("4")  # focus the read model, then ]: the next one
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: pane.current == "ledger", "the ledger shown")
        totals = await wait_text(pilot, lambda: pane.totals, "the law holds in every currency")
        for currency, balance in folded_totals(accounts).items():
            assert f"{currency}: {balance} + " in totals
        assert "transfers in flight" in totals

        # v pauses the shown read model: a deposit piles up as lag; v again catches up.
        await pilot.press("v")
        view = accounts.views["ledger"]
        await wait_for(pilot, lambda: view.paused, "ledger paused")
        assert accounts.handler is not None
        account = next(
            k for k, r in accounts.views["balances"].rows().items() if r["status"] == "open"
        )
        accounts.handler.execute(Deposit(account_id=account, amount=Decimal(5)))
        await wait_text(pilot, lambda: pane.summary, "paused")
        await wait_for(pilot, lambda: view.lag() > 0, "lag while paused")
        await pilot.press("v")
        await wait_for(pilot, lambda: view.lag() == 0, "caught up")
        await pilot.press("b")  # rebuild: the same totals from the log
        await wait_text(pilot, lambda: pane.totals, "the law holds in every currency")
        for currency, balance in folded_totals(accounts).items():
            await wait_text(pilot, lambda: pane.totals, f"{currency}: {balance} + ")


def test_accounts_traffic_commits_and_conflicts_and_keeps_the_ledger_law() -> None:
    built = bootstrap("memory:", domain="accounts", demo=True, seed=5)
    try:
        traffic = DomainTraffic(built, seed=5)
        traffic._load_known()
        logged: list[Ran] = []
        for _ in range(300):
            logged += traffic.step()
        assert traffic.commits > 100
        assert traffic.total_conflicts >= 1
        conflicts = [r for r in logged if isinstance(r.result, ConcurrencyError)]
        assert len(conflicts) == traffic.total_conflicts
        assert all(r.subject.startswith("account-") for r in conflicts)
        for view in built.views.values():
            view.catch_up()
        assert ledger_law_holds(built.views["ledger"].rows())
        totals = folded_totals(built)
        ledger = built.views["ledger"].rows()
        for currency, balance in totals.items():
            assert Decimal(str(ledger[f"currency:{currency}"]["balances"])) == balance
    finally:
        built.close()


async def test_g_runs_accounts_traffic_with_conflicts_shown(accounts: System) -> None:
    app = ExplorerApp(accounts)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        main.traffic.traffic = DomainTraffic(accounts, seed=9)
        head = accounts.store.head_position()
        await pilot.press("g")
        assert main.traffic.running
        await wait_for(pilot, lambda: main.traffic.traffic.total_conflicts >= 1, "a conflict", 60)
        await wait_for(pilot, lambda: accounts.store.head_position() > head + 10, "commits", 30)
        await wait_text(pilot, lambda: main.traffic, "conflict")
        await wait_text(pilot, lambda: main.log_pane, "ConcurrencyError")
        await pilot.press("plus")
        await wait_text(
            pilot, lambda: main.traffic, f"{RATES[RATES.index(DEFAULT_RATE) + 1]} cmd/s"
        )
        await pilot.press("minus")
        await pilot.press("g")
        await wait_text(pilot, lambda: main.traffic, "traffic stopped")
        await wait_for(
            pilot,
            lambda: not any(w.is_running for w in app.workers if w.group == "traffic"),
            "the generator's thread to end",
            30,
        )
        for view in accounts.views.values():
            await wait_for(pilot, lambda v=view: v.lag() == 0, "the read models catch up", 30)
        assert ledger_law_holds(accounts.views["ledger"].rows())


async def test_help_on_accounts_names_its_concepts_keys_and_commands(accounts: System) -> None:
    app = ExplorerApp(accounts)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        shown = app.screen.query_one("#help", HelpText).source
        assert "**Invariant under concurrency**" in shown and "`c` (the accounts" in shown
        assert "**Saga and compensation**" in shown and "`t` on its request" in shown
        assert "balances + money in flight = deposits" in shown
        for command in ("`Withdraw` (withdraw)", "`RequestTransfer` (transfer)"):
            assert command in shown
        assert "`CompensateTransfer`" in shown and "sent by a process manager" in shown
        assert "publish an idea" not in shown and "`idea-<id>`" not in shown
        assert "`account-<id>`" in shown


def request_a_transfer(system: System) -> str:
    """Two new accounts, 50 deposited on the first, and a transfer of 20 from it to the
    other requested; the transfer's stream (the saga runs it)."""
    handler = system.handler
    assert handler is not None
    ada = handler.execute(handler.build("OpenAccount", {"holder": "Ada"})).aggregate_id
    handler.execute(handler.build("Deposit", {"account_id": ada, "amount": "50"}))
    bob = handler.execute(handler.build("OpenAccount", {"holder": "Bob"})).aggregate_id
    fields = {"from_account": ada, "to_account": bob, "amount": "20"}
    return handler.execute(handler.build("RequestTransfer", fields)).stream_id


async def test_the_sagas_steps_are_logged_as_the_process_managers(accounts: System) -> None:
    # Every process manager's reactions reach the log, not only the ideas manager's: a
    # transfer's debit, credit and completion each show as "process manager: …".
    app = ExplorerApp(accounts)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        transfer = request_a_transfer(accounts)
        log = app.main_screen.log_pane
        for step in ("DebitForTransfer", "CreditForTransfer", "CompleteTransfer"):
            await wait_text(pilot, lambda: log, f"process manager: {step}")
        assert transfer in text_of(log)  # the saga's own stream, completed
