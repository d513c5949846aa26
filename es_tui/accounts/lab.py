"""The accounts conflict lab: two withdrawals decided on the same balance."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from domain.core.handler import DomainHandler
from es_tui.screens.domain_lab import LabPlan
from es_tui.screens.lab import WRITERS


def accounts_plan() -> LabPlan:
    """Balance 100, A and B each withdraw 80: only the version check keeps the balance >= 0."""

    built: dict[str, BaseModel] = {}

    def prepare(handler: DomainHandler[Any]) -> str:
        # Built by name through the handler: front ends reach a domain only by its port.
        opening = handler.build("OpenAccount", {"holder": "Conflict Lab", "currency": "EUR"})
        account_id = handler.execute(opening).aggregate_id
        handler.execute(handler.build("Deposit", {"account_id": account_id, "amount": "100"}))
        for writer in WRITERS:
            built[writer] = handler.build("Withdraw", {"account_id": account_id, "amount": "80"})
        return account_id

    def commands(account_id: str) -> dict[str, BaseModel]:
        return dict(built)

    def invariant(state: Any) -> str:
        lowest = -state.overdraft_limit
        if state.balance < lowest:
            return f"invariant broken: balance {state.balance} < lowest allowed {lowest}"
        return ""

    return LabPlan(
        "the invariant only optimistic concurrency protects",
        prepare,
        commands,
        invariant,
        "A fresh account holds 100. Writers A and B each load it and withdraw 80: each "
        "decision checks the rule (balance ≥ 0) on what it loaded. Only the expected-version "
        "check stops the second append, decided on a state that is no longer true.",
        ("status", "balance", "overdraft_limit"),
    )
