"""The transfer saga: a process manager carrying a transfer across three streams.

    TransferRequested (transfer-…)  -> debit the source     (TransferDebited on the source)
        debit refused, lasting (closed, forgotten, unknown) -> TransferFailed
        debit refused, insufficient funds -> TransferDebitRefused on the source -> TransferFailed
    TransferDebited   (source)      -> credit the target    (TransferCredited on the target)
        credit refused (closed, forgotten, unknown, other currency) -> TransferRefunded on
        the source (the compensation)
    TransferCredited  (target)      -> TransferCompleted
    TransferRefunded  (source)      -> TransferCompensated

Each reaction is a normal command through the handler (loaded at the aggregate's version),
its event id derived from the trigger's, so replays and a second manager append nothing new.
A refusal for lack of funds is itself recorded on the source's stream: funds come and go,
and the record makes the first answer the only one."""

from __future__ import annotations

from pydantic import BaseModel

from domain.accounts.errors import InsufficientFundsError, StepTakenError
from domain.accounts.messages import (
    CompensateTransfer,
    CompleteTransfer,
    CreditForTransfer,
    DebitForTransfer,
    FailTransfer,
    RefundTransfer,
    RefuseDebit,
    TransferCredited,
    TransferDebited,
    TransferDebitRefused,
    TransferRefunded,
    TransferRequested,
)
from domain.core.port import ProcessManagerSpec
from domain.core.records import RecordedEvent

SAGA = "transfer-saga"


def react(event: object, record: RecordedEvent, seed: int) -> BaseModel | None:
    """The next step of the transfer an event belongs to."""
    del record, seed  # the step depends only on the event
    match event:
        case TransferRequested(transfer_id=tid, from_account=source, to_account=target):
            return DebitForTransfer(
                account_id=source, transfer_id=tid, to_account=target, amount=event.amount
            )
        case TransferDebited(account_id=source, transfer_id=tid, to_account=target):
            return CreditForTransfer(
                account_id=target,
                transfer_id=tid,
                from_account=source,
                amount=event.amount,
                currency=event.currency,
            )
        case TransferDebitRefused(transfer_id=tid, reason=reason):
            return FailTransfer(transfer_id=tid, reason=reason)
        case TransferCredited(transfer_id=tid):
            return CompleteTransfer(transfer_id=tid)
        case TransferRefunded(transfer_id=tid, reason=reason):
            return CompensateTransfer(transfer_id=tid, reason=reason)
    return None


def on_refused(event: object, record: RecordedEvent, error: Exception) -> BaseModel | None:
    """The failure record or compensation when a rule refused a step."""
    del record
    if isinstance(error, StepTakenError):
        return None  # a repeated reaction: the step's answer is stored already
    reason = str(error)
    match event:
        case TransferRequested(transfer_id=tid, from_account=source):
            if isinstance(error, InsufficientFundsError):
                return RefuseDebit(account_id=source, transfer_id=tid, reason=reason)
            return FailTransfer(transfer_id=tid, reason=reason)
        case TransferDebited(account_id=source, transfer_id=tid, amount=amount):
            return RefundTransfer(account_id=source, transfer_id=tid, amount=amount, reason=reason)
    return None


TRANSFER_SAGA = ProcessManagerSpec(
    name=SAGA,
    reacts_to=frozenset(
        {
            "TransferRequested",
            "TransferDebited",
            "TransferDebitRefused",
            "TransferCredited",
            "TransferRefunded",
        }
    ),
    react=react,
    on_refused=on_refused,
    retries=100,  # a step must not be dropped because its account is busy
    every_trigger=True,
)
"""The transfer saga as a process manager of the accounts domain."""
