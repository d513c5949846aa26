"""Fixtures of the accounts tests: the accounts domain on a memory, SQLite or PostgreSQL
store (PostgreSQL via ES_TUI_TEST_POSTGRES_URL: skipped locally without it, failing on CI)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain.accounts.domain import ACCOUNTS
from domain.accounts.state import BankState
from domain.backends import open_store
from domain.backends.sqlite.keys import SQLiteKeyStore
from domain.core import DomainHandler, DomainProcessManager, Outcome, ReadModelView
from domain.core.protocol import EventStore
from domain.core.records import SnapshotPolicy
from domain.core.shredding.keys import KeyStore, MemoryKeyStore
from tests.store.conftest import BACKENDS, require
from tests.store.test_postgres_helpers import open_postgres

BACKEND_NAMES = ("memory", "sqlite", "postgresql")


@dataclass
class Bank:
    """The accounts domain wired to one store: handler, key store, files on disk."""

    store: EventStore
    keys: KeyStore
    handler: DomainHandler[BankState]
    files: list[Path] = field(default_factory=list)

    def run(self, command: str, **fields: object) -> Outcome[BankState]:
        return self.handler.execute(self.handler.build(command, fields))

    def open(self, holder: str, currency: str = "EUR", limit: str = "0", funds: str = "0") -> str:
        account = self.run("OpenAccount", holder=holder, currency=currency, overdraft_limit=limit)
        if Decimal(funds) > 0:
            self.run("Deposit", account_id=account.aggregate_id, amount=funds)
        return account.aggregate_id

    def state(self, aggregate_id: str) -> BankState:
        return self.handler.load(aggregate_id).state

    def saga(self, seed: int = 0, *, threaded: bool = False) -> DomainProcessManager:
        return DomainProcessManager(
            self.handler, ACCOUNTS.process_managers[0], seed=seed, threaded=threaded
        )

    def view(self, name: str) -> ReadModelView:
        spec = next(s for s in ACCOUNTS.read_models if s.name == name)
        return ReadModelView(self.store, ACCOUNTS, spec, self.handler.codec)

    def types(self, stream_id: str) -> list[str]:
        return [e.type for e in self.store.read_stream(stream_id)]


def counter_ids() -> Callable[[], str]:
    """Fresh ids in a fixed order (demo runs compare equal)."""
    numbers = itertools.count(1)
    return lambda: f"{next(numbers):08x}"


def make_bank(
    backend: str, where: Path, policy: SnapshotPolicy | None = None, **handler: Any
) -> Bank:
    """A Bank on a new store of `backend` kept under `where`."""
    policy = policy or SnapshotPolicy()
    deleted = ACCOUNTS.deleted_types
    where.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    keys: KeyStore
    if backend == "memory":
        store = open_store("memory:", snapshot_policy=policy, deleted_types=deleted)
        keys = MemoryKeyStore()
    elif backend == "sqlite":
        db = where / "bank.db"
        store = open_store(f"sqlite:///{db}", snapshot_policy=policy, deleted_types=deleted)
        keys = SQLiteKeyStore(where / "bank.keys")
        files = [db, db.with_name("bank.db-wal")]
    else:
        require(BACKENDS["postgresql"])
        store = open_postgres(where, policy, deleted)
        keys = SQLiteKeyStore(where / "bank.keys")
    return Bank(store, keys, DomainHandler(ACCOUNTS, store, keys=keys, **handler), files)


@pytest.fixture(params=BACKEND_NAMES)
def bank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Bank]:
    """The accounts domain on each backend."""
    made = make_bank(request.param, tmp_path / "bank")
    yield made
    made.store.close()
    made.keys.close()


@pytest.fixture
def memory_bank(tmp_path: Path) -> Iterator[Bank]:
    """The accounts domain on a memory store."""
    made = make_bank("memory", tmp_path / "bank")
    yield made
    made.store.close()
    made.keys.close()
