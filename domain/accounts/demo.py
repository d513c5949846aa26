"""The accounts demo (deterministic for a seed) and the traffic profile (contention on a few
hot accounts: withdrawals and transfers on the same accounts)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal

from pydantic import BaseModel

from domain.accounts.messages import (
    CloseAccount,
    Deposit,
    ForgetHolder,
    OpenAccount,
    RequestTransfer,
    Withdraw,
)
from domain.accounts.saga import TRANSFER_SAGA
from domain.accounts.state import TRANSFER_PREFIX, BankState
from domain.core.handler import DomainHandler
from domain.core.managers import DomainProcessManager

BUSY_EVENTS = 30
"""Deposits and withdrawals on the busiest account (snapshots are taken along the way)."""


def seed_demo(handler: DomainHandler[BankState], seed: int = 7) -> dict[str, str]:
    """Fill an empty store: accounts in EUR and JPY, deposits and withdrawals, a completed, a
    failed and a compensated transfer, a forgotten holder and a busy account. Returns the
    ids made, by role (holders' first names, then the transfers)."""
    rng = random.Random(seed)
    saga = DomainProcessManager(handler, TRANSFER_SAGA, seed=seed)
    made: dict[str, str] = {}

    def run(command: BaseModel) -> str:
        outcome = handler.execute(command)
        saga.catch_up()  # the transfer saga runs each step before the demo goes on
        return outcome.aggregate_id

    for name, currency, limit in (
        ("Ada Lovelace", "EUR", "200"),
        ("Grace Hopper", "EUR", "0"),
        ("Linus Pauling", "EUR", "0"),
        ("Margaret Hamilton", "EUR", "50"),
        ("Yukihiro Matsumoto", "JPY", "10000"),
        ("Ken Thompson", "JPY", "0"),
    ):
        made[name.split()[0].lower()] = run(
            OpenAccount.model_validate(
                {"holder": name, "currency": currency, "overdraft_limit": limit}
            )
        )
    ada, grace, linus = made["ada"], made["grace"], made["linus"]
    margaret, yuki, ken = made["margaret"], made["yukihiro"], made["ken"]
    run(Deposit(account_id=ada, amount=Decimal("1500.00")))
    for n in range(BUSY_EVENTS):
        cents = Decimal(rng.randrange(100, 9000)) / 100
        run(
            Withdraw(account_id=ada, amount=cents)
            if n % 3 == 2
            else Deposit(account_id=ada, amount=cents)
        )
    run(Deposit(account_id=grace, amount=Decimal("320.50")))
    run(Withdraw(account_id=grace, amount=Decimal("20.25")))
    run(Deposit(account_id=yuki, amount=Decimal(50000)))
    run(Withdraw(account_id=yuki, amount=Decimal(rng.randrange(1000, 5000))))
    run(Deposit(account_id=margaret, amount=Decimal("250.00")))
    run(Withdraw(account_id=margaret, amount=Decimal("40.00")))

    made["completed"] = run(RequestTransfer(from_account=ada, to_account=grace, amount=Decimal(75)))
    made["completed-jpy"] = run(
        RequestTransfer(from_account=yuki, to_account=ken, amount=Decimal(12000))
    )
    made["failed"] = run(
        RequestTransfer(from_account=linus, to_account=grace, amount=Decimal("500.00"))
    )
    run(CloseAccount(account_id=linus))
    made["compensated"] = run(
        RequestTransfer(from_account=grace, to_account=linus, amount=Decimal("60.00"))
    )
    run(ForgetHolder(account_id=margaret))
    return made


# -- traffic --------------------------------------------------------------------------------

HOT = 3
"""How many accounts most traffic lands on."""


def _accounts(known: Sequence[str]) -> list[str]:
    return [a for a in known if not a.startswith(f"{TRANSFER_PREFIX}-")]


def _hot(rng: random.Random, known: Sequence[str]) -> str | None:
    accounts = _accounts(known)
    if not accounts:
        return None
    if rng.random() < 0.8:  # contention: most writers race on the same few accounts
        return rng.choice(accounts[:HOT])
    return rng.choice(accounts)


def _amount(rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(1, 200))  # whole units: valid in every currency


def _open(rng: random.Random, known: Sequence[str]) -> BaseModel:
    name = rng.choice(("Ada", "Grace", "Linus", "Barbara", "Edsger", "Frances", "Tim"))
    currency = "EUR" if rng.random() < 0.8 else "JPY"
    return OpenAccount.model_validate(
        {"holder": f"{name} {rng.randrange(1000)}", "currency": currency, "overdraft_limit": "100"}
    )


def _deposit(rng: random.Random, known: Sequence[str]) -> BaseModel | None:
    account = _hot(rng, known)
    return Deposit(account_id=account, amount=_amount(rng)) if account else None


def _withdraw(rng: random.Random, known: Sequence[str]) -> BaseModel | None:
    account = _hot(rng, known)
    return Withdraw(account_id=account, amount=_amount(rng)) if account else None


def _transfer(rng: random.Random, known: Sequence[str]) -> BaseModel | None:
    source, target = _hot(rng, known), _hot(rng, known)
    if source is None or target is None or source == target:
        return None
    return RequestTransfer(from_account=source, to_account=target, amount=_amount(rng))


TRAFFIC_MIX = ((0.05, _open), (0.35, _deposit), (0.35, _withdraw), (0.25, _transfer))
