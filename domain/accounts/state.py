"""The state commands are decided on (an account or a transfer) and its pure fold."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler
from pydantic_core import core_schema

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


class Steps(tuple[str, ...]):
    """The transfer steps an account took, in the order taken (a tuple: equal to, and
    dumped as, the plain tuple of its steps), whose `in` is a set lookup.

    The set is built on the first lookup, or handed over by whoever built the steps with one
    (a replay), and kept on this tuple alone: a state's steps never change, so neither does
    their set, and another state's steps are another tuple."""

    _index: frozenset[str] | None = None

    def __new__(cls, steps: Iterable[str] = (), index: frozenset[str] | None = None) -> Steps:
        made = super().__new__(cls, steps)
        made._index = index
        return made

    def __contains__(self, step: object) -> bool:
        if self._index is None:
            self._index = frozenset(self)
        return step in self._index

    def __repr__(self) -> str:
        return f"Steps({tuple(self)!r})"

    def taken(self, step: str) -> Steps:
        """These steps and `step` after them (a copy: the reference fold, event by event)."""
        return Steps((*self, step))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        # Validated (from a snapshot) as a tuple of strings, then wrapped; dumped as that tuple.
        return core_schema.no_info_after_validator_function(cls, handler(tuple[str, ...]))


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
    steps: Steps = Steps()
    """Transfer steps taken on this account ("debit:<transfer>", ...), so a repeated
    reaction is recognised and refused instead of moving money twice. Kept for good: a saga
    reaction may be repeated at any time (a manager run again from an old position)."""
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


class Movement(NamedTuple):
    """What a money event does to an account: its balance, totals and transfer steps."""

    delta: Decimal
    deposited: Decimal = ZERO
    withdrawn: Decimal = ZERO
    step: str | None = None


def movement(event: object) -> Movement | None:
    """The movement a money event makes (None for any other event)."""
    match event:
        case MoneyDeposited(amount=amount):
            return Movement(amount, deposited=amount)
        case MoneyWithdrawn(amount=amount):
            return Movement(-amount, withdrawn=amount)
        case TransferDebited(transfer_id=tid, amount=amount):
            return Movement(-amount, step=f"debit:{tid}")
        case TransferDebitRefused(transfer_id=tid):
            return Movement(ZERO, step=f"debit:{tid}")
        case TransferCredited(transfer_id=tid, amount=amount):
            return Movement(amount, step=f"credit:{tid}")
        case TransferRefunded(transfer_id=tid, amount=amount):
            return Movement(amount, step=f"refund:{tid}")
    return None


def evolve(state: BankState, event: Message, at: datetime) -> BankState:
    """The pure fold of one event (the reference `evolve_many` is checked against)."""
    del at  # the figures do not depend on when
    moved = movement(event)
    if moved is not None:
        return state.model_copy(
            update={
                "balance": state.balance + moved.delta,
                "deposited": state.deposited + moved.deposited,
                "withdrawn": state.withdrawn + moved.withdrawn,
                "steps": state.steps.taken(moved.step) if moved.step else state.steps,
            }
        )
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


def evolve_many(state: BankState, events: Iterable[tuple[Message, datetime]]) -> BankState:
    """The state after `events` (each with the time it was recorded): what `evolve` gives
    applied to each in turn, in time linear in the events.

    `evolve` copies the state, and so its set of steps, for every event: an account's replay
    would cost the square of its transfers. Here a run of money events adds to one list of
    steps (and its set) and to running figures (the same additions, in the same order, as
    `evolve` makes), and the state is built once at the run's end, the set handed over to
    its steps. The other events (an account's opening, closing, forgetting: a few in its
    life) end the run and take `evolve` itself."""
    balance, deposited, withdrawn = state.balance, state.deposited, state.withdrawn
    steps: list[str] | None = None  # the run's steps, from the state's at its first step
    index: set[str] = set()
    in_run = False
    for event, at in events:
        moved = movement(event)
        if moved is None:
            if in_run:
                state = _settled(state, balance, deposited, withdrawn, steps, index)
                steps, in_run = None, False
            state = evolve(state, event, at)
            balance, deposited, withdrawn = state.balance, state.deposited, state.withdrawn
            continue
        in_run = True
        balance = balance + moved.delta
        deposited = deposited + moved.deposited
        withdrawn = withdrawn + moved.withdrawn
        if moved.step:
            if steps is None:
                steps, index = list(state.steps), set(state.steps)
            steps.append(moved.step)
            index.add(moved.step)
    if in_run:
        state = _settled(state, balance, deposited, withdrawn, steps, index)
    return state


def _settled(
    state: BankState,
    balance: Decimal,
    deposited: Decimal,
    withdrawn: Decimal,
    steps: list[str] | None,
    index: set[str],
) -> BankState:
    return state.model_copy(
        update={
            "balance": balance,
            "deposited": deposited,
            "withdrawn": withdrawn,
            "steps": Steps(steps, frozenset(index)) if steps is not None else state.steps,
        }
    )
