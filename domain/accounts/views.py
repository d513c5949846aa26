"""The accounts read models: balances per account, and the bank-wide ledger.

The ledger keeps, per currency, deposits, withdrawals, the sum of the balances and the money
in flight (debited from a source, not yet credited or refunded). Its law, at every
checkpoint: balances + in flight == deposits - withdrawals. Amounts are Decimal strings.

A forget erases an account's history and leaves a tombstone with its final figures. A live
ledger has counted the history already; a ledger rebuilt afterwards counts the tombstone
instead. Both end equal, but a rebuild passes through checkpoints where a transfer with an
erased side is half counted: the law holds at every checkpoint of a ledger kept live, and
after a rebuild from the tombstone and the transfer's end on."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

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
    TransferFailed,
    TransferRefunded,
    TransferRequested,
)
from domain.accounts.money import ZERO, in_units
from domain.core.port import Column, ReadModelSpec, Remove, Row, RowChange, Upsert
from domain.core.records import RecordedEvent

Current = Callable[[str], Row | None]

FIGURES = ("deposits", "withdrawals", "balances", "in_flight")


def _dec(row: Row | None, name: str) -> Decimal:
    value = row.get(name) if row is not None else None
    return Decimal(str(value)) if value is not None else ZERO


def balance_changes(event: Message, record: RecordedEvent, current: Current) -> list[RowChange]:
    """One row per account: holder (private), currency, balance, limit, status."""
    del record
    match event:
        case AccountOpened():
            values: dict[str, object] = {
                "holder": event.holder,
                "currency": event.currency,
                "balance": str(in_units(ZERO, event.currency)),
                "overdraft_limit": str(event.overdraft_limit),
                "status": "open",
            }
            return [Upsert(event.account_id, values)]
        case HolderForgotten():
            old = current(event.account_id)
            values = {
                **(old or {}),
                "holder": "",
                "currency": event.currency or "",
                "balance": str(event.balance),
                "status": "forgotten",
            }
            return [Upsert(event.account_id, values)]
    account_id = getattr(event, "account_id", None)
    row = current(account_id) if isinstance(account_id, str) else None
    if row is None or not isinstance(account_id, str):
        return []
    if isinstance(event, AccountClosed):
        return [Upsert(account_id, {**row, "status": "closed"})]
    delta = _delta(event)
    if delta is None:
        return []
    return [Upsert(account_id, {**row, "balance": str(_dec(row, "balance") + delta)})]


def _delta(event: Message) -> Decimal | None:
    match event:
        case MoneyDeposited(amount=a) | TransferCredited(amount=a) | TransferRefunded(amount=a):
            return a
        case MoneyWithdrawn(amount=a) | TransferDebited(amount=a):
            return -a
    return None


def ledger_changes(event: Message, record: RecordedEvent, current: Current) -> list[RowChange]:
    """Rows: `currency:<C>` (the totals), `account:<id>` (each account's share of them),
    `transfer:<id>` (transfers under way, with their amount)."""
    del record
    match event:
        case TransferRequested(transfer_id=tid, amount=amount):
            values = {"kind": "transfer", "amount": str(amount), "stage": "requested"}
            return [Upsert(f"transfer:{tid}", values)]
        case TransferFailed(transfer_id=tid):
            return [Remove(f"transfer:{tid}")]
        case TransferCompleted(transfer_id=tid) | TransferCompensated(transfer_id=tid):
            return _settled(tid, current)
        case AccountOpened(account_id=aid, currency=currency):
            return [Upsert(f"account:{aid}", _share(currency, ZERO, ZERO, ZERO))]
        case HolderForgotten(account_id=aid, currency=currency) if currency is not None:
            # The tombstone holds the account's final figures: whether its history was
            # counted already (live) or is gone (a rebuild), the share becomes exactly them.
            old = current(f"account:{aid}")
            new = _share(currency, event.deposited, event.withdrawn, event.balance)
            moved = {name: _dec(new, name) - _dec(old, name) for name in FIGURES[:3]}
            return [Upsert(f"account:{aid}", new), _totals(current, currency, **moved)]
    return _money(event, current)


def _settled(transfer_id: str, current: Current) -> list[RowChange]:
    key = f"transfer:{transfer_id}"
    row = current(key)
    if row is None or row.get("stage") != "debited":
        return [Remove(key)]
    # Still in flight at its end: the credit or refund was erased with a forgotten account
    # (a rebuild after a forget); the tombstone counts that account's side of it.
    amount = _dec(row, "amount")
    return [Remove(key), _totals(current, str(row["currency"]), in_flight=-amount)]


def _money(event: Message, current: Current) -> list[RowChange]:
    account_id = getattr(event, "account_id", None)
    share = current(f"account:{account_id}") if isinstance(account_id, str) else None
    if share is None or not isinstance(account_id, str):
        return []
    currency = str(share["currency"])
    deposits = withdrawals = balances = in_flight = ZERO
    changes: list[RowChange] = []
    match event:
        case MoneyDeposited(amount=a):
            deposits = balances = a
        case MoneyWithdrawn(amount=a):
            withdrawals, balances = a, -a
        case TransferDebited(transfer_id=tid, amount=a):
            balances, in_flight = -a, a
            moving = {"kind": "transfer", "amount": str(a), "currency": currency}
            changes.append(Upsert(f"transfer:{tid}", {**moving, "stage": "debited"}))
        case (
            TransferCredited(transfer_id=tid, amount=a)
            | TransferRefunded(transfer_id=tid, amount=a)
        ):
            balances = a
            row = current(f"transfer:{tid}")
            if row is not None and row.get("stage") == "debited":
                in_flight = -a
                changes.append(Upsert(f"transfer:{tid}", {**row, "stage": "settling"}))
        case _:
            return []
    share_values = _share(
        currency,
        _dec(share, "deposits") + deposits,
        _dec(share, "withdrawals") + withdrawals,
        _dec(share, "balances") + balances,
    )
    changes.append(Upsert(f"account:{account_id}", share_values))
    changes.append(
        _totals(
            current,
            currency,
            deposits=deposits,
            withdrawals=withdrawals,
            balances=balances,
            in_flight=in_flight,
        )
    )
    return changes


def _share(currency: str, deposits: Decimal, withdrawals: Decimal, balances: Decimal) -> Row:
    return {
        "kind": "account",
        "currency": currency,
        "deposits": str(deposits),
        "withdrawals": str(withdrawals),
        "balances": str(balances),
    }


def _totals(current: Current, currency: str, **moved: Decimal) -> Upsert:
    row = current(f"currency:{currency}")
    figures = {name: _dec(row, name) + moved.get(name, ZERO) for name in FIGURES}
    values: dict[str, object] = {"kind": "currency", "currency": currency}
    values.update({name: str(value) for name, value in figures.items()})
    values["total"] = str(figures["balances"] + figures["in_flight"])
    return Upsert(f"currency:{currency}", values)


BALANCES = ReadModelSpec(
    "balances",
    (
        Column("holder", "holder", private=True),
        Column("currency", "currency"),
        Column("balance", "balance"),
        Column("overdraft_limit", "overdraft limit"),
        Column("status", "status"),
    ),
    balance_changes,
)

LEDGER = ReadModelSpec(
    "ledger",
    (
        Column("kind", "kind"),
        Column("currency", "currency"),
        Column("deposits", "deposits"),
        Column("withdrawals", "withdrawals"),
        Column("balances", "balances"),
        Column("in_flight", "in flight"),
        Column("total", "total"),
        Column("amount", "amount"),
        Column("stage", "stage"),
    ),
    ledger_changes,
)


def ledger_law_holds(rows: dict[str, Row]) -> bool:
    """Whether, in every currency, balances + in flight == deposits - withdrawals."""
    for row in rows.values():
        if row.get("kind") != "currency":
            continue
        total = _dec(row, "balances") + _dec(row, "in_flight")
        if total != _dec(row, "deposits") - _dec(row, "withdrawals"):
            return False
    return True
