"""The accounts domain's refusals: each carries the facts it was decided on."""

from __future__ import annotations

from decimal import Decimal


class AccountsError(ValueError):
    """A rule of the accounts domain refused a command; nothing was stored."""


class AccountNotFoundError(AccountsError):
    """No account was ever opened under this id."""

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        super().__init__(f"no account {account_id}")


class TransferNotFoundError(AccountsError):
    """No transfer was ever requested under this id."""

    def __init__(self, transfer_id: str) -> None:
        self.transfer_id = transfer_id
        super().__init__(f"no transfer {transfer_id}")


class AccountNotOpenError(AccountsError):
    """The account is closed or its holder forgotten."""

    def __init__(self, account_id: str, status: str, action: str) -> None:
        self.account_id = account_id
        self.status = status
        self.action = action
        super().__init__(f"cannot {action}: account {account_id} is {status}")


class AccountExistsError(AccountsError):
    """An account is opened only once."""

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        super().__init__(f"account {account_id} is already open")


class InsufficientFundsError(AccountsError):
    """The withdrawal would take the balance below minus the overdraft limit."""

    def __init__(self, account_id: str, balance: Decimal, amount: Decimal, limit: Decimal) -> None:
        self.account_id = account_id
        self.balance = balance
        self.amount = amount
        self.limit = limit
        super().__init__(
            f"insufficient funds in {account_id}: balance {balance}, "
            f"withdrawing {amount}, overdraft limit {limit}"
        )


class PrecisionError(AccountsError):
    """An amount has more decimals than its currency's minor units."""

    def __init__(self, account_id: str, currency: str, amount: Decimal, places: int) -> None:
        self.account_id = account_id
        self.currency = currency
        self.amount = amount
        self.places = places
        super().__init__(f"{amount} has more decimals than {currency} allows ({places})")


class BalanceNotZeroError(AccountsError):
    """An account closes only at a zero balance."""

    def __init__(self, account_id: str, balance: Decimal) -> None:
        self.account_id = account_id
        self.balance = balance
        super().__init__(f"cannot close {account_id}: its balance is {balance}, not zero")


class CurrencyMismatchError(AccountsError):
    """A transfer's money is in another currency than the account's."""

    def __init__(self, account_id: str, currency: str, offered: str) -> None:
        self.account_id = account_id
        self.currency = currency
        self.offered = offered
        super().__init__(f"account {account_id} holds {currency}, not {offered}")


class SameAccountError(AccountsError):
    """A transfer moves money between two different accounts."""

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        super().__init__(f"a transfer from {account_id} to itself moves nothing")


class StepTakenError(AccountsError):
    """This step of a transfer was taken already (a repeated reaction: nothing to do)."""

    def __init__(self, aggregate_id: str, transfer_id: str, step: str) -> None:
        self.aggregate_id = aggregate_id
        self.transfer_id = transfer_id
        self.step = step
        super().__init__(f"{step} of {transfer_id} on {aggregate_id} was taken already")
