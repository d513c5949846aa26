"""Law: for any interleaving of deposits, withdrawals and transfers from several threads on
a few accounts, no balance ever goes below minus its overdraft limit, and at every
checkpoint of the ledger, balances + money in flight == deposits - withdrawals."""

from __future__ import annotations

import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.accounts.errors import AccountsError
from domain.accounts.views import ledger_law_holds
from domain.core.errors import ConcurrencyError
from tests.accounts.conftest import Bank, make_bank

LIMITS = ("0", "50", "20")
OPENING = ("100", "30", "0")
RETRIES = 200
DEADLINE = 30.0

Op = tuple[str, int, int, int]
op = st.tuples(
    st.sampled_from(("deposit", "withdraw", "transfer")),
    st.integers(0, len(LIMITS) - 1),
    st.integers(0, len(LIMITS) - 1),
    st.integers(1, 90),
)
plans = st.lists(st.lists(op, min_size=1, max_size=6), min_size=2, max_size=4)


def command(bank: Bank, accounts: list[str], step: Op) -> None:
    kind, a, b, amount = step
    if kind == "transfer":
        if a != b:
            bank.run(
                "RequestTransfer",
                from_account=accounts[a],
                to_account=accounts[b],
                amount=str(amount),
            )
        return
    name = "Deposit" if kind == "deposit" else "Withdraw"
    bank.run(name, account_id=accounts[a], amount=f"{amount}.25")


def writer(bank: Bank, accounts: list[str], steps: list[Op], start: threading.Barrier) -> None:
    start.wait()
    for step in steps:
        for _ in range(RETRIES):  # a conflict means: reload and decide again
            try:
                command(bank, accounts, step)
            except ConcurrencyError:
                continue
            except AccountsError:
                pass  # refused by a rule: that is the point
            break


def run_plan(bank: Bank, plan: list[list[Op]]) -> None:
    accounts = [
        bank.open(f"Holder {i}", limit=limit, funds=funds)
        for i, (limit, funds) in enumerate(zip(LIMITS, OPENING, strict=True))
    ]
    saga = bank.saga(threaded=True)
    saga.start()
    start = threading.Barrier(len(plan))
    threads = [
        threading.Thread(target=writer, args=(bank, accounts, steps, start)) for steps in plan
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(DEADLINE)
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline and not all_settled(bank):
            time.sleep(0.02)
    finally:
        saga.stop()
    assert all_settled(bank)
    check_every_checkpoint(bank, accounts)


def all_settled(bank: Bank) -> bool:
    transfers = [
        s.stream_id for s in bank.store.list_streams() if s.stream_id.startswith("transfer-")
    ]
    return all(bank.state(t).status != "requested" for t in transfers)


def check_every_checkpoint(bank: Bank, accounts: list[str]) -> None:
    # Every account's balance after each of its events stays at or above -limit.
    for account, limit in zip(accounts, LIMITS, strict=True):
        state = bank.handler.fold.initial(f"account-{account}")
        for record in bank.store.read_stream(f"account-{account}"):
            state = bank.handler.fold.evolve(state, record)
            assert state.balance >= -Decimal(limit), (account, record.version, state.balance)
    # The ledger, one event at a time: the law holds at every checkpoint.
    ledger, balances = bank.view("ledger"), bank.view("balances")
    while ledger.catch_up(max_events=1):
        assert ledger_law_holds(ledger.rows()), ledger.checkpoint
    balances.catch_up()
    deposited = withdrawn = Decimal(0)
    for record in bank.store.read_all():
        if record.type == "MoneyDeposited":
            deposited += Decimal(record.data["amount"])
        elif record.type == "MoneyWithdrawn":
            withdrawn += Decimal(record.data["amount"])
    eur = ledger.rows()["currency:EUR"]
    assert Decimal(str(eur["total"])) == deposited - withdrawn
    assert Decimal(str(eur["in_flight"])) == 0
    rows = balances.rows()
    assert sum(Decimal(str(rows[a]["balance"])) for a in accounts) == deposited - withdrawn


@pytest.mark.parametrize(("backend", "examples"), [("memory", 50), ("sqlite", 15)])
def test_racing_writers_keep_every_balance_within_its_limit(backend: str, examples: int) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(plans)
    def check(plan: list[list[Op]]) -> None:
        with tempfile.TemporaryDirectory() as where:
            bank = make_bank(backend, Path(where))
            try:
                run_plan(bank, plan)
            finally:
                bank.store.close()
                bank.keys.close()

    check()
