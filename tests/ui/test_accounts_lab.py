"""The explorer on the accounts domain: the conflict lab shows the invariant only the
expected-version check protects."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from domain.bootstrap import System, bootstrap
from domain.store.errors import ConcurrencyError
from es_tui.app import ExplorerApp
from es_tui.screens.domain_lab import DomainLab
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
        assert "invariant" in shown and "never stored" in shown
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
