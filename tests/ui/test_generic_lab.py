"""The conflict lab, read model pane and traffic key on a user's domain (a bank account
defined in a file, with no traffic profile)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import Input

from domain.bootstrap import System, bootstrap
from domain.core.errors import ConcurrencyError
from es_tui.app import ExplorerApp
from es_tui.screens.command_form import CommandForm
from es_tui.screens.domain_lab import DomainLab
from tests.ui.conftest import text_of, wait_for, wait_text

BANK_FILE = Path(__file__).resolve().parents[1] / "domains" / "bank_account.py"


@pytest.fixture
def bank() -> Iterator[System]:
    built = bootstrap("memory:", domain=str(BANK_FILE), threaded=True)
    yield built
    built.close()


async def fill(pilot: object, app: ExplorerApp, writer: str, amount: str) -> None:
    form = app.screen
    assert isinstance(form, CommandForm)
    assert f"Writer {writer}" in form.heading
    field = form.query_one(f"#{form.widget_id('amount')}", Input)
    field.value = amount
    form.action_submit()


async def test_two_writers_on_a_user_domain_conflict_and_the_retry_commits(bank: System) -> None:
    assert bank.handler is not None
    opened = bank.handler.execute(bank.handler.build("OpenAccount", {"holder": "Ann"}))
    account = opened.aggregate_id
    bank.handler.execute(bank.handler.build("Deposit", {"account_id": account, "amount": 100}))
    app = ExplorerApp(bank)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        await wait_text(pilot, lambda: main.streams, f"account-{account}"[:12])
        main.select_stream(f"account-{account}")
        await wait_for(pilot, lambda: main.focus_stream == f"account-{account}", "selected")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandForm), "A's form")
        await fill(pilot, app, "A", "30")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, CommandForm) and "Writer B" in app.screen.heading,
            "B's form",
        )
        await fill(pilot, app, "B", "5")
        await wait_for(pilot, lambda: isinstance(app.screen, DomainLab), "the lab")
        lab = app.screen
        assert isinstance(lab, DomainLab)
        await wait_text(pilot, lambda: lab.query_one("#lab-unchecked"), "balance: 135")
        await pilot.press("a")
        await wait_text(pilot, lambda: lab.query_one("#writer-a"), "committed v3")
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(lab.results.get("B"), ConcurrencyError), "B")
        await pilot.press("r")
        await wait_text(pilot, lambda: lab.query_one("#writer-b"), "committed v4")
        assert bank.handler.load(account).state.balance == Decimal(135)
        await pilot.press("escape")

        # Its one read model shows; g says there is no traffic profile, crashing nothing.
        await wait_text(pilot, lambda: main.projection.ideas, "135")
        await pilot.press("g")
        assert "no traffic" in text_of(main.traffic)
