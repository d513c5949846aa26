"""The state commands are decided on (an account or a transfer) and its pure fold."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from domain.accounts.messages import (
    AccountClosed,
    AccountOpened,
    HolderForgotten,
    Message,
    MoneyDeposited,
    MoneyWithdrawn,
    TransferCompensated,
    TransferCompleted,
    TransferCredited,
    TransferDebited,
    TransferDebitRefused,
    TransferFailed,
    TransferRefunded,
    TransferRequested,
)
from domain.accounts.money import ZERO, Currency

TRANSFER_PREFIX = "transfer"
"""Transfers live in streams `transfer-<id>`; their aggregate id is that whole name."""


class BankState(BaseModel):
    """One account (`kind="account"`) or one transfer (`kind="transfer"`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    SCHEMA_VERSION: ClassVar[int] = 1

    id: str
    kind: Literal["account", "transfer"] = "account"
    status: str = "new"
    """account: new, open, closed, forgotten; transfer: new, requested, completed, failed,
    compensated."""
    holder: str | None = None
    currency: Currency | None = None
    overdraft_limit: Decimal = ZERO
    balance: Decimal = ZERO
    deposited: Decimal = ZERO
    withdrawn: Decimal = ZERO
    steps: tuple[str, ...] = ()
    """Transfer steps taken on this account ("debit:<transfer>", ...), so a repeated
    reaction is recognised and refused instead of moving money twice."""
    from_account: str | None = None
    to_account: str | None = None
    amount: Decimal | None = None
    reason: str | None = None

    def took(self, step: str, transfer_id: str) -> bool:
        """Whether this transfer step was taken on this account already."""
        return f"{step}:{transfer_id}" in self.steps


def initial(aggregate_id: str) -> BankState:
    """The state of an aggregate with no events (its kind read from its id)."""
    kind: Literal["account", "transfer"] = (
        "transfer" if aggregate_id.startswith(f"{TRANSFER_PREFIX}-") else "account"
    )
    return BankState(id=aggregate_id, kind=kind)


def evolve(state: BankState, event: Message, at: datetime) -> BankState:
    """The pure fold of one event."""
    del at  # the figures do not depend on when
    match event:
        case AccountOpened(holder=holder, currency=currency, overdraft_limit=limit):
            return state.model_copy(
                update={
                    "status": "open",
                    "holder": holder,
                    "currency": currency,
                    "overdraft_limit": limit,
                }
            )
        case MoneyDeposited(amount=amount):
            return _moved(state, amount, deposited=amount)
        case MoneyWithdrawn(amount=amount):
            return _moved(state, -amount, withdrawn=amount)
        case TransferDebited(transfer_id=tid, amount=amount):
            return _moved(state, -amount, step=f"debit:{tid}")
        case TransferDebitRefused(transfer_id=tid):
            return _moved(state, ZERO, step=f"debit:{tid}")
        case TransferCredited(transfer_id=tid, amount=amount):
            return _moved(state, amount, step=f"credit:{tid}")
        case TransferRefunded(transfer_id=tid, amount=amount):
            return _moved(state, amount, step=f"refund:{tid}")
        case AccountClosed():
            return state.model_copy(update={"status": "closed"})
        case HolderForgotten():
            return BankState(
                id=state.id,
                status="forgotten",
                currency=event.currency,
                balance=event.balance,
                deposited=event.deposited,
                withdrawn=event.withdrawn,
            )
        case TransferRequested(from_account=source, to_account=target, amount=amount):
            return state.model_copy(
                update={
                    "status": "requested",
                    "from_account": source,
                    "to_account": target,
                    "amount": amount,
                }
            )
        case TransferCompleted():
            return state.model_copy(update={"status": "completed"})
        case TransferFailed(reason=reason):
            return state.model_copy(update={"status": "failed", "reason": reason})
        case TransferCompensated(reason=reason):
            return state.model_copy(update={"status": "compensated", "reason": reason})
    raise TypeError(f"{type(event).__name__} is not an accounts event")


def _moved(
    state: BankState,
    delta: Decimal,
    *,
    deposited: Decimal = ZERO,
    withdrawn: Decimal = ZERO,
    step: str | None = None,
) -> BankState:
    return state.model_copy(
        update={
            "balance": state.balance + delta,
            "deposited": state.deposited + deposited,
            "withdrawn": state.withdrawn + withdrawn,
            "steps": (*state.steps, step) if step else state.steps,
        }
    )
