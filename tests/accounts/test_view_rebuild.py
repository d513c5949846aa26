"""A generic read model dropped and rebuilt from the log ends with the rows it kept live."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.accounts.messages import Deposit, OpenAccount
from domain.accounts.views import ledger_law_holds
from domain.bootstrap import bootstrap


@pytest.mark.parametrize("seed", [1, 3, 11])
def test_rebuild_gives_back_the_live_rows(seed: int) -> None:
    system = bootstrap("memory:", domain="accounts", demo=True, seed=seed)
    try:
        assert system.handler is not None
        opened = system.handler.execute(OpenAccount(holder="Late", currency="EUR"))
        system.handler.execute(Deposit(account_id=opened.aggregate_id, amount=Decimal(7)))
        for name, view in system.views.items():
            live = dict(view.rows())
            read = view.rebuild()
            assert read == len(system.store.read_all(1, 10_000)), name
            assert view.rows() == live, name
            assert view.checkpoint == system.store.head_position()
        assert ledger_law_holds(system.views["ledger"].rows())
    finally:
        system.close()
