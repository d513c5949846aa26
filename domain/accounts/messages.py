"""Commands (what a person or the transfer saga asks for) and events (what happened).

Amounts are Decimals, stored as JSON strings; the holder's name is the only personal data."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from domain.accounts.money import ZERO, Amount, Currency, Limit, Money

Holder = Annotated[str, Field(min_length=1, max_length=80, description="the holder's name")]
AccountId = Annotated[str, Field(min_length=1, max_length=80, description="the account's id")]


class Message(BaseModel):
    """A frozen message with no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    PRIVATE: ClassVar[frozenset[str]] = frozenset()


# -- commands -------------------------------------------------------------------------------


class OpenAccount(Message):
    """Open an account for a holder, in one currency, with an optional overdraft limit."""

    holder: Holder
    currency: Currency = "EUR"
    overdraft_limit: Limit = ZERO


class Deposit(Message):
    """Pay money into an open account."""

    account_id: AccountId
    amount: Amount


class Withdraw(Message):
    """Take money out, down to minus the overdraft limit."""

    account_id: AccountId
    amount: Amount


class CloseAccount(Message):
    """Close an account whose balance is zero."""

    account_id: AccountId


class ForgetHolder(Message):
    """Erase the holder's personal data (the balances stay)."""

    account_id: AccountId


class RequestTransfer(Message):
    """Move money from one account to another (the transfer saga carries it out)."""

    from_account: AccountId
    to_account: AccountId
    amount: Amount


class DebitForTransfer(Message):
    """Saga step: take a transfer's amount from its source."""

    account_id: AccountId
    transfer_id: str
    to_account: str
    amount: Amount


class RefuseDebit(Message):
    """Saga step: record on the source that a transfer's debit was refused."""

    account_id: AccountId
    transfer_id: str
    reason: str


class CreditForTransfer(Message):
    """Saga step: pay a transfer's amount into its target."""

    account_id: AccountId
    transfer_id: str
    from_account: str
    amount: Amount
    currency: Currency


class RefundTransfer(Message):
    """Saga compensation: pay a debited amount back into the source."""

    account_id: AccountId
    transfer_id: str
    amount: Amount
    reason: str


class CompleteTransfer(Message):
    """Saga end: the money arrived."""

    transfer_id: str


class FailTransfer(Message):
    """Saga end: the money never left the source."""

    transfer_id: str
    reason: str


class CompensateTransfer(Message):
    """Saga end: the money went back to the source."""

    transfer_id: str
    reason: str


# -- events ---------------------------------------------------------------------------------


class AccountOpened(Message):
    PRIVATE: ClassVar[frozenset[str]] = frozenset({"holder"})
    account_id: str
    holder: str
    currency: Currency
    overdraft_limit: Limit


class MoneyDeposited(Message):
    account_id: str
    amount: Amount


class MoneyWithdrawn(Message):
    account_id: str
    amount: Amount


class AccountClosed(Message):
    account_id: str


class HolderForgotten(Message):
    """The tombstone: the account's public figures, without its holder or history."""

    account_id: str
    erased_events: int
    status: str
    currency: Currency | None
    balance: Money
    deposited: Money
    withdrawn: Money


class TransferDebited(Message):
    account_id: str
    transfer_id: str
    to_account: str
    amount: Amount
    currency: Currency


class TransferDebitRefused(Message):
    account_id: str
    transfer_id: str
    reason: str


class TransferCredited(Message):
    account_id: str
    transfer_id: str
    from_account: str
    amount: Amount
    currency: Currency


class TransferRefunded(Message):
    account_id: str
    transfer_id: str
    amount: Amount
    currency: Currency
    reason: str


class TransferRequested(Message):
    transfer_id: str
    from_account: str
    to_account: str
    amount: Amount


class TransferCompleted(Message):
    transfer_id: str


class TransferFailed(Message):
    transfer_id: str
    reason: str


class TransferCompensated(Message):
    transfer_id: str
    reason: str


ACCOUNT_EVENTS: tuple[type[Message], ...] = (
    AccountOpened,
    MoneyDeposited,
    MoneyWithdrawn,
    AccountClosed,
    HolderForgotten,
    TransferDebited,
    TransferDebitRefused,
    TransferCredited,
    TransferRefunded,
)
TRANSFER_EVENTS: tuple[type[Message], ...] = (
    TransferRequested,
    TransferCompleted,
    TransferFailed,
    TransferCompensated,
)
