"""The accounts decider: a command and the state it names -> the events, or a refusal."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from domain.accounts.errors import (
    AccountExistsError,
    AccountNotFoundError,
    AccountNotOpenError,
    BalanceNotZeroError,
    CurrencyMismatchError,
    InsufficientFundsError,
    PrecisionError,
    SameAccountError,
    StepTakenError,
    TransferNotFoundError,
)
from domain.accounts.messages import (
    AccountClosed,
    AccountOpened,
    CloseAccount,
    CompensateTransfer,
    CompleteTransfer,
    CreditForTransfer,
    DebitForTransfer,
    Deposit,
    FailTransfer,
    ForgetHolder,
    Message,
    MoneyDeposited,
    MoneyWithdrawn,
    OpenAccount,
    RefundTransfer,
    RefuseDebit,
    RequestTransfer,
    TransferCompensated,
    TransferCompleted,
    TransferCredited,
    TransferDebited,
    TransferDebitRefused,
    TransferFailed,
    TransferRefunded,
    TransferRequested,
    Withdraw,
)
from domain.accounts.money import MINOR_UNITS, fits, in_units
from domain.accounts.state import BankState

TRANSFER_COMMANDS = (CompleteTransfer, FailTransfer, CompensateTransfer)


def decide(command: BaseModel, state: BankState) -> list[Message]:
    """The events `command` produces on `state`, or an AccountsError saying why not."""
    if isinstance(command, RequestTransfer | CompleteTransfer | FailTransfer | CompensateTransfer):
        return _decide_transfer(command, state)
    if state.kind != "account":
        raise AccountNotFoundError(state.id)
    match command:
        case OpenAccount():
            return _open(command, state)
        case ForgetHolder():
            if state.status == "new":
                raise AccountNotFoundError(state.id)
            if state.status == "forgotten":
                raise AccountNotOpenError(state.id, state.status, "forget the holder")
            return []  # the handler replaces the history with the tombstone
        case RefuseDebit(transfer_id=tid, reason=reason):
            _not_taken(state, "debit", tid)
            return [TransferDebitRefused(account_id=state.id, transfer_id=tid, reason=reason)]
        case RefundTransfer():
            return _refund(command, state)
        case DebitForTransfer(transfer_id=tid):
            _not_taken(state, "debit", tid)
    if isinstance(command, CreditForTransfer):
        _not_taken(state, "credit", command.transfer_id)
    _require_open(state, _verb(command))
    match command:
        case Deposit(amount=amount):
            return [MoneyDeposited(account_id=state.id, amount=_exact(state, amount))]
        case Withdraw(amount=amount):
            amount = _exact(state, amount)
            _cover(state, amount)
            return [MoneyWithdrawn(account_id=state.id, amount=amount)]
        case CloseAccount():
            if state.balance != 0:
                raise BalanceNotZeroError(state.id, state.balance)
            return [AccountClosed(account_id=state.id)]
        case DebitForTransfer(transfer_id=tid, to_account=target, amount=amount):
            amount = _exact(state, amount)
            _cover(state, amount)
            return [
                TransferDebited(
                    account_id=state.id,
                    transfer_id=tid,
                    to_account=target,
                    amount=amount,
                    currency=_currency(state),
                )
            ]
        case CreditForTransfer(transfer_id=tid, from_account=source, amount=amount):
            if command.currency != state.currency:
                raise CurrencyMismatchError(state.id, _currency(state), command.currency)
            return [
                TransferCredited(
                    account_id=state.id,
                    transfer_id=tid,
                    from_account=source,
                    amount=_exact(state, amount),
                    currency=_currency(state),
                )
            ]
    raise TypeError(f"{type(command).__name__} is not an accounts command")


def _open(command: OpenAccount, state: BankState) -> list[Message]:
    if state.status != "new":
        raise AccountExistsError(state.id)
    if not fits(command.overdraft_limit, command.currency):
        places = MINOR_UNITS[command.currency]
        raise PrecisionError(state.id, command.currency, command.overdraft_limit, places)
    return [
        AccountOpened(
            account_id=state.id,
            holder=command.holder,
            currency=command.currency,
            overdraft_limit=in_units(command.overdraft_limit, command.currency),
        )
    ]


def _refund(command: RefundTransfer, state: BankState) -> list[Message]:
    # Money taken must be able to go back, so a closed source still takes its refund.
    _not_taken(state, "refund", command.transfer_id)
    if not state.took("debit", command.transfer_id):
        raise StepTakenError(state.id, command.transfer_id, "refund before any debit")
    if state.status not in ("open", "closed"):
        raise AccountNotOpenError(state.id, state.status, "refund a transfer")
    return [
        TransferRefunded(
            account_id=state.id,
            transfer_id=command.transfer_id,
            amount=command.amount,
            currency=_currency(state),
            reason=command.reason,
        )
    ]


def _decide_transfer(
    command: RequestTransfer | CompleteTransfer | FailTransfer | CompensateTransfer,
    state: BankState,
) -> list[Message]:
    if state.kind != "transfer":
        raise TransferNotFoundError(state.id)
    if isinstance(command, RequestTransfer):
        if state.status != "new":
            raise StepTakenError(state.id, state.id, "request")
        if command.from_account == command.to_account:
            raise SameAccountError(command.from_account)
        return [
            TransferRequested(
                transfer_id=state.id,
                from_account=command.from_account,
                to_account=command.to_account,
                amount=command.amount,
            )
        ]
    if state.status == "new":
        raise TransferNotFoundError(state.id)
    if state.status != "requested":
        raise StepTakenError(state.id, state.id, state.status)
    match command:
        case CompleteTransfer():
            return [TransferCompleted(transfer_id=state.id)]
        case FailTransfer(reason=reason):
            return [TransferFailed(transfer_id=state.id, reason=reason)]
    return [TransferCompensated(transfer_id=state.id, reason=command.reason)]


def _not_taken(state: BankState, step: str, transfer_id: str) -> None:
    if state.took(step, transfer_id):
        raise StepTakenError(state.id, transfer_id, step)


def _require_open(state: BankState, action: str) -> None:
    if state.status == "new":
        raise AccountNotFoundError(state.id)
    if state.status != "open":
        raise AccountNotOpenError(state.id, state.status, action)


def _currency(state: BankState) -> str:
    if state.currency is None:  # an open account always has one
        raise AccountNotFoundError(state.id)
    return state.currency


def _exact(state: BankState, amount: Decimal) -> Decimal:
    currency = _currency(state)
    if not fits(amount, currency):
        raise PrecisionError(state.id, currency, amount, MINOR_UNITS[currency])
    return in_units(amount, currency)


def _cover(state: BankState, amount: Decimal) -> None:
    if state.balance - amount < -state.overdraft_limit:
        raise InsufficientFundsError(state.id, state.balance, amount, state.overdraft_limit)


def _verb(command: BaseModel) -> str:
    return {
        "Deposit": "deposit",
        "Withdraw": "withdraw",
        "CloseAccount": "close the account",
        "DebitForTransfer": "debit a transfer",
        "CreditForTransfer": "credit a transfer",
    }.get(type(command).__name__, type(command).__name__)
