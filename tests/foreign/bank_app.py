"""A small system written with the `eventsourcing` library, used to produce real databases
in its own format: a bank of accounts and customers (snapshotted) and an audit process that
follows it (so tracking records exist)."""

from __future__ import annotations

import json
import sys
import uuid
from datetime import datetime
from decimal import Decimal
from functools import singledispatchmethod
from typing import Any
from urllib.parse import unquote, urlsplit

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.system import ProcessApplication, SingleThreadedRunner, System


class BankAccount(Aggregate):
    """An account: opened with an owner and a limit, then deposits."""

    @event("Opened")
    def __init__(self, owner: str, opened_on: datetime, limit: Decimal, branch: uuid.UUID) -> None:
        self.owner = owner
        self.opened_on = opened_on
        self.limit = limit
        self.branch = branch
        self.balance = Decimal("0")

    @event("Deposited")
    def deposit(self, amount: Decimal, reference: uuid.UUID) -> None:
        self.balance += amount


class Customer(Aggregate):
    """A customer with a name that may change."""

    @event("Registered")
    def __init__(self, name: str) -> None:
        self.name = name

    @event("Renamed")
    def rename(self, name: str) -> None:
        self.name = name


class AuditEntry(Aggregate):
    """One audited deposit, written by the audit process."""

    @event("Noted")
    def __init__(self, account: uuid.UUID, amount: Decimal) -> None:
        self.account = account
        self.amount = amount


class Bank(Application[uuid.UUID]):
    """Accounts and customers, with snapshots every 3 account events."""

    snapshotting_intervals = {BankAccount: 3}

    def open_account(self, owner: str, opened_on: datetime, limit: Decimal) -> uuid.UUID:
        account = BankAccount(owner, opened_on, limit, uuid.UUID(int=42))
        self.save(account)
        return account.id

    def deposit(self, account_id: uuid.UUID, amount: Decimal, reference: uuid.UUID) -> None:
        account: BankAccount = self.repository.get(account_id)
        account.deposit(amount, reference)
        self.save(account)

    def register(self, name: str) -> uuid.UUID:
        customer = Customer(name)
        self.save(customer)
        return customer.id

    def rename(self, customer_id: uuid.UUID, name: str) -> None:
        customer: Customer = self.repository.get(customer_id)
        customer.rename(name)
        self.save(customer)


class Audit(ProcessApplication[uuid.UUID]):
    """Notes every deposit of the bank."""

    @singledispatchmethod
    def policy(self, domain_event: Any, processing_event: Any) -> None:
        """Ignore other events."""

    @policy.register(BankAccount.Deposited)
    def _(self, domain_event: Any, processing_event: Any) -> None:
        processing_event.collect_events(AuditEntry(domain_event.originator_id, domain_event.amount))


SYSTEM = System(pipes=[[Bank, Audit]])


def sqlite_env(bank_db: str, audit_db: str) -> dict[str, str]:
    """The environment of an SQLite deployment of the system: one file per application."""
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "BANK_SQLITE_DBNAME": bank_db,
        "AUDIT_SQLITE_DBNAME": audit_db,
    }


def postgres_env(url: str, schema: str) -> dict[str, str]:
    """The environment of a PostgreSQL deployment: both applications in one schema."""
    parts = urlsplit(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or ""),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_SCHEMA": schema,
    }


def with_variant(env: dict[str, str], variant: str, key: str = "") -> dict[str, str]:
    """`env` with the library's compression and/or encryption turned on."""
    env = dict(env)
    if variant in ("compressed", "both"):
        env["COMPRESSOR_TOPIC"] = "eventsourcing.compressor:ZlibCompressor"
    if variant in ("encrypted", "both"):
        env["CIPHER_TOPIC"] = "eventsourcing.cryptography:AESCipher"
        env["CIPHER_KEY"] = key
    return env


def run_system(env: dict[str, str]) -> SingleThreadedRunner[uuid.UUID]:
    """Start the system with `env`; the caller stops the runner."""
    runner: SingleThreadedRunner[uuid.UUID] = SingleThreadedRunner(SYSTEM, env=env)
    runner.start()
    return runner


def main(argv: list[str]) -> None:
    """`python -m tests.foreign.bank_app ENV_JSON COUNT`: open an account, then deposit into
    it once per line read from stdin (so the caller paces the writes), at most COUNT times;
    prints the account id, then each deposit's number once it is stored."""
    env, count = json.loads(argv[0]), int(argv[1])
    runner = run_system(env)
    try:
        bank = runner.get(Bank)
        account = bank.open_account("child", datetime.now().astimezone(), Decimal("1"))
        print(account, flush=True)
        for n in range(count):
            if not sys.stdin.readline():
                break
            bank.deposit(account, Decimal(n + 1), uuid.uuid4())
            print(n + 1, flush=True)
    finally:
        runner.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
