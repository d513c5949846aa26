"""`ACCOUNTS`: bank accounts and transfers between them, behind the Domain port.

It teaches two things: an invariant (no balance below minus its overdraft limit) that only
the expected-version check protects when writers race, and a saga across streams (a
transfer debits one account, credits another, and compensates when the credit is refused)."""

from __future__ import annotations

import secrets

from domain.accounts.decider import decide
from domain.accounts.demo import TRAFFIC_MIX, seed_demo
from domain.accounts.errors import AccountNotFoundError, AccountsError, TransferNotFoundError
from domain.accounts.fold import AccountsFold
from domain.accounts.messages import (
    ACCOUNT_EVENTS,
    TRANSFER_EVENTS,
    CloseAccount,
    CompensateTransfer,
    CompleteTransfer,
    CreditForTransfer,
    DebitForTransfer,
    Deposit,
    FailTransfer,
    ForgetHolder,
    HolderForgotten,
    OpenAccount,
    RefundTransfer,
    RefuseDebit,
    RequestTransfer,
    Withdraw,
)
from domain.accounts.saga import TRANSFER_SAGA
from domain.accounts.state import TRANSFER_PREFIX, BankState, evolve, initial
from domain.accounts.views import BALANCES, LEDGER
from domain.core.codec import DomainCodec
from domain.core.port import (
    CommandSpec,
    Domain,
    FoldSpec,
    StateField,
    TrafficProfile,
    registry_of,
)


def _account(
    command: Deposit
    | Withdraw
    | CloseAccount
    | ForgetHolder
    | DebitForTransfer
    | RefuseDebit
    | CreditForTransfer
    | RefundTransfer,
) -> str:
    return command.account_id


def _transfer(command: CompleteTransfer | FailTransfer | CompensateTransfer) -> str:
    return command.transfer_id


def _tombstone(state: BankState, erased: int) -> HolderForgotten:
    return HolderForgotten(
        account_id=state.id,
        erased_events=erased,
        status=state.status,
        currency=state.currency,
        balance=state.balance,
        deposited=state.deposited,
        withdrawn=state.withdrawn,
    )


def _fold(codec: DomainCodec[BankState]) -> AccountsFold:
    return AccountsFold(ACCOUNTS, codec)


def new_account_id() -> str:
    """A fresh, short account id."""
    return secrets.token_hex(4)


ACCOUNTS: Domain[BankState] = Domain(
    name="accounts",
    stream_prefix="account",
    other_prefixes=(TRANSFER_PREFIX,),
    description=(
        "Bank accounts with overdraft limits, and transfers between them carried out by a "
        "saga that compensates when the credit is refused."
    ),
    events=registry_of(*ACCOUNT_EVENTS, *TRANSFER_EVENTS),
    commands=(
        CommandSpec(OpenAccount, label="open"),
        CommandSpec(Deposit, _account, label="deposit"),
        CommandSpec(Withdraw, _account, label="withdraw"),
        CommandSpec(CloseAccount, _account, label="close"),
        CommandSpec(ForgetHolder, _account, forgets=True, label="forget holder"),
        CommandSpec(RequestTransfer, stream_prefix=TRANSFER_PREFIX, label="transfer"),
        # The saga's steps (issued by the transfer saga, one per reaction):
        CommandSpec(DebitForTransfer, _account, internal=True, label="debit"),
        CommandSpec(RefuseDebit, _account, internal=True, label="refuse debit"),
        CommandSpec(CreditForTransfer, _account, internal=True, label="credit"),
        CommandSpec(RefundTransfer, _account, internal=True, label="refund"),
        CommandSpec(CompleteTransfer, _transfer, internal=True, label="complete"),
        CommandSpec(FailTransfer, _transfer, internal=True, label="fail"),
        CommandSpec(CompensateTransfer, _transfer, internal=True, label="compensate"),
    ),
    decide=decide,
    fold=FoldSpec(
        state=BankState,
        initial=initial,
        evolve=evolve,
        id_field="id",
        schema_version=BankState.SCHEMA_VERSION,
        fast=_fold,
    ),
    state_fields=(
        StateField("id", "id"),
        StateField("kind", "kind"),
        StateField("status", "status"),
        StateField("holder", "holder", private=True),
        StateField("currency", "currency"),
        StateField("balance", "balance"),
        StateField("overdraft_limit", "overdraft limit"),
        StateField("deposited", "deposited"),
        StateField("withdrawn", "withdrawn"),
        StateField("from_account", "from"),
        StateField("to_account", "to"),
        StateField("amount", "amount"),
        StateField("reason", "reason"),
    ),
    private={"AccountOpened": frozenset({"holder"})},
    deleted_types=frozenset({"AccountClosed"}),
    forgotten_types=frozenset({"HolderForgotten"}),
    tombstone=_tombstone,
    new_id=new_account_id,
    errors=(AccountsError,),
    not_found=(AccountNotFoundError, TransferNotFoundError),
    read_models=(BALANCES, LEDGER),
    process_managers=(TRANSFER_SAGA,),
    seed_demo=seed_demo,
    traffic=TrafficProfile(TRAFFIC_MIX),
)
"""The accounts system as a Domain."""
