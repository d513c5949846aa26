"""A bank account as an es-tui domain, in one file: `es-tui --domain ./bank_account.py`."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.core import (
    Column,
    CommandSpec,
    Domain,
    FoldSpec,
    ReadModelSpec,
    Remove,
    Upsert,
    registry_of,
)
from domain.core import StateField as F

Amount = Annotated[Decimal, Field(gt=0, le=1_000_000, decimal_places=2)]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OpenAccount(Model):  # commands: what a person asks for
    holder: Annotated[str, Field(min_length=1, max_length=80)]
    currency: Literal["EUR", "USD", "GBP"] = "EUR"
    overdraft_limit: Annotated[int, Field(ge=0, le=5000)] = 0
    paper_statements: bool = False


class Deposit(Model):
    account_id: str
    amount: Amount


class Withdraw(Deposit): ...


class CloseAccount(Model):
    account_id: str


class ForgetAccount(CloseAccount): ...


class AccountOpened(OpenAccount):  # events: what happened (the holder's name is private)
    account_id: str


class Deposited(Deposit): ...


class Withdrawn(Deposit): ...


class AccountClosed(CloseAccount): ...


class AccountForgotten(CloseAccount):
    erased_events: int


class Account(Model):  # the state commands are decided on
    account_id: str
    status: Literal["new", "open", "closed", "forgotten"] = "new"
    holder: str | None = None
    overdraft_limit: int = 0
    balance: Decimal = Decimal(0)


class AccountRefused(Exception):
    """A rule refused the command; nothing was stored."""

    def __init__(self, account: Account, reason: str) -> None:
        self.account_id, self.status, self.reason = account.account_id, account.status, reason
        super().__init__(f"account {account.account_id} ({account.status}): {reason}")


def decide(command: Model, state: Account) -> list[Model]:
    forgettable = isinstance(command, ForgetAccount) and state.status in ("open", "closed")
    if not isinstance(command, OpenAccount) and state.status != "open" and not forgettable:
        raise AccountRefused(state, f"cannot {type(command).__name__}: the account is not open")
    match command:
        case OpenAccount():
            return [AccountOpened(account_id=state.account_id, **command.model_dump())]
        case Withdraw(amount=amount) if state.balance - amount < -state.overdraft_limit:
            raise AccountRefused(state, f"{amount} exceeds the available funds")
        case Withdraw():
            return [Withdrawn(**command.model_dump())]
        case Deposit():
            return [Deposited(**command.model_dump())]
        case ForgetAccount():
            return []  # the handler replaces the history with the tombstone
        case CloseAccount() if state.balance != 0:
            raise AccountRefused(state, f"the balance is {state.balance}, not zero")
    return [AccountClosed(account_id=state.account_id)]


def evolve(state: Account, event: Model, at: datetime) -> Account:
    match event:
        case AccountOpened(holder=holder, overdraft_limit=limit):
            return state.model_copy(
                update={"status": "open", "holder": holder, "overdraft_limit": limit}
            )
        case Withdrawn(amount=amount):
            return state.model_copy(update={"balance": state.balance - amount})
        case Deposited(amount=amount):
            return state.model_copy(update={"balance": state.balance + amount})
        case AccountClosed():
            return state.model_copy(update={"status": "closed"})
    return Account(account_id=state.account_id, status="forgotten")


def balances(event: Any, _record: object, row: Any) -> list[Upsert | Remove]:
    """The read model: one row per open account, with its holder and balance."""
    if isinstance(event, AccountOpened):
        return [Upsert(event.account_id, {"holder": event.holder, "balance": "0"})]
    if isinstance(event, Deposited | Withdrawn):
        old = row(event.account_id)
        delta = event.amount if isinstance(event, Deposited) else -event.amount
        return [Upsert(event.account_id, {**old, "balance": str(Decimal(old["balance"]) + delta)})]
    return [Remove(event.account_id)]


by_id = attrgetter("account_id")

DOMAIN: Domain[Account] = Domain(
    name="bank",
    stream_prefix="account",
    events=registry_of(AccountOpened, Deposited, Withdrawn, AccountClosed, AccountForgotten),
    commands=(
        CommandSpec(OpenAccount),  # no target: a new account under a fresh id
        CommandSpec(Deposit, by_id),
        CommandSpec(Withdraw, by_id),
        CommandSpec(CloseAccount, by_id),
        CommandSpec(ForgetAccount, by_id, forgets=True),
    ),
    decide=decide,
    fold=FoldSpec(Account, lambda account_id: Account(account_id=account_id), evolve, "account_id"),
    state_fields=(F("account_id"), F("status"), F("holder", private=True), F("balance")),
    private={"AccountOpened": frozenset({"holder"})},
    deleted_types=frozenset({"AccountClosed"}),
    forgotten_types=frozenset({"AccountForgotten"}),
    tombstone=lambda state, n: AccountForgotten(account_id=state.account_id, erased_events=n),
    new_id=lambda: secrets.token_hex(4),
    errors=(AccountRefused,),
    read_models=(
        ReadModelSpec("balances", (Column("holder", private=True), Column("balance")), balances),
    ),
)
