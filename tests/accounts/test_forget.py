"""Forgetting a holder (GDPR): the name is gone from the SQLite file and its WAL, the
account keeps a tombstone with its figures, and balances and ledger stay correct -- live and
rebuilt from the log after the erasure."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from domain.accounts.errors import AccountNotOpenError
from domain.accounts.views import ledger_law_holds
from domain.core.records import SnapshotPolicy, StreamStatus
from tests.accounts.conftest import Bank, make_bank

HOLDER = "Zebulon Quixotewright-Faraday"


def file_bytes(bank: Bank) -> bytes:
    return b"".join(path.read_bytes() for path in bank.files if path.exists())


def totals(bank: Bank) -> dict[str, Decimal]:
    view = bank.view("ledger")
    view.catch_up()
    assert ledger_law_holds(view.rows())
    row = view.rows()["currency:EUR"]
    return {k: Decimal(str(row[k])) for k in ("deposits", "withdrawals", "balances", "in_flight")}


@pytest.mark.parametrize("sealed", [False, True], ids=["clear", "sealed"])
def test_a_forgotten_holder_is_nowhere_in_the_file_and_the_books_still_balance(
    tmp_path: Path, sealed: bool
) -> None:
    bank = make_bank("sqlite", tmp_path / "bank", SnapshotPolicy(every=2, keep=2))
    if not sealed:  # the store alone must erase the clear text
        bank.handler = type(bank.handler)(bank.handler.domain, bank.store)
    try:
        zeb = bank.open(HOLDER, funds="300", limit="10")
        grace = bank.open("Grace", funds="20")
        bank.run("Withdraw", account_id=zeb, amount="45.50")
        bank.run("RequestTransfer", from_account=zeb, to_account=grace, amount="100")
        bank.run("RequestTransfer", from_account=grace, to_account=zeb, amount="7.25")
        bank.saga().catch_up()
        live = bank.view("ledger")
        balances = bank.view("balances")
        live.catch_up()
        balances.catch_up()
        before = totals(bank)
        assert balances.rows()[zeb]["holder"] == HOLDER
        assert (HOLDER.encode() in file_bytes(bank)) is not sealed

        bank.run("ForgetHolder", account_id=zeb)

        assert HOLDER.encode() not in file_bytes(bank)
        info = bank.store.stream_info(f"account-{zeb}")
        assert info is not None and info.status is StreamStatus.FORGOTTEN
        state = bank.state(zeb)
        assert (state.status, state.holder, state.balance) == (
            "forgotten",
            None,
            Decimal("161.75"),
        )
        with pytest.raises(AccountNotOpenError):
            bank.run("Deposit", account_id=zeb, amount="1")
        # Live views move on from where they were; a rebuild reads only the tombstone.
        live.catch_up()
        balances.catch_up()
        assert ledger_law_holds(live.rows())
        assert totals(bank) == before
        assert balances.rows()[zeb]["holder"] == ""
        assert balances.rows()[zeb]["balance"] == "161.75"
        assert balances.rows()[grace]["balance"] == "112.75"
        assert {k: v for k, v in live.rows().items() if k.startswith("currency:")} == {
            k: v for k, v in bank_ledger(bank).items() if k.startswith("currency:")
        }
    finally:
        bank.store.close()
        bank.keys.close()


def bank_ledger(bank: Bank) -> dict[str, object]:
    view = bank.view("ledger")
    view.catch_up()
    return dict(view.rows())
