"""A domain written as a user would (tests/domains/bank_account.py), loaded by file path and
driven through the generic handler on a memory and an SQLite store."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain.backends import open_store
from domain.backends.sqlite.keys import SQLiteKeyStore
from domain.core import Domain, DomainHandler, InvalidCommandError, NoFreshIdError, ReadModelView
from domain.core.errors import ConcurrencyError
from domain.core.protocol import EventStore
from domain.core.records import SnapshotPolicy
from domain.core.shredding.cipher import REDACTED
from domain.core.shredding.keys import KeyStore, MemoryKeyStore
from domain.domains import load_domain

BANK_FILE = Path(__file__).resolve().parents[1] / "domains" / "bank_account.py"


@dataclass
class Bank:
    domain: Domain[Any]
    handler: DomainHandler[Any]
    store: EventStore
    keys: KeyStore
    files: list[Path]

    def run(self, command: str, **fields: object) -> Any:
        return self.handler.execute(self.handler.build(command, fields))


@pytest.fixture(params=["memory", "sqlite"])
def bank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Bank]:
    domain = load_domain(str(BANK_FILE))
    policy = SnapshotPolicy(every=2, keep=2)
    files: list[Path] = []
    keys: KeyStore
    if request.param == "sqlite":
        db = tmp_path / "bank.db"
        store = open_store(f"sqlite:///{db}", snapshot_policy=policy)
        keys = SQLiteKeyStore(tmp_path / "bank.keys")
        files = [db, db.with_name("bank.db-wal")]
    else:
        store = open_store("memory:", snapshot_policy=policy)
        keys = MemoryKeyStore()
    yield Bank(domain, DomainHandler(domain, store, keys=keys), store, keys, files)
    store.close()
    keys.close()


def test_commands_move_the_balance_and_refusals_store_nothing(bank: Bank) -> None:
    opened = bank.run("OpenAccount", holder="Ada", currency="GBP", overdraft_limit=50)
    account = opened.aggregate_id
    bank.run("Deposit", account_id=account, amount="100.50")
    bank.run("Withdraw", account_id=account, amount=Decimal("140"))

    refused = bank.domain.errors
    with pytest.raises(refused) as too_much:
        bank.run("Withdraw", account_id=account, amount="10.51")
    assert "exceeds the available funds" in str(too_much.value)
    with pytest.raises(refused, match="not zero"):
        bank.run("CloseAccount", account_id=account)
    with pytest.raises(refused, match="not open"):
        bank.run("Deposit", account_id="00000000", amount="1")

    loaded = bank.handler.load(account)
    assert (loaded.state.balance, loaded.version) == (Decimal("-39.50"), 3)
    assert loaded.snapshot is not None and loaded.snapshot.version == 2
    assert [e.type for e in bank.store.read_stream(opened.stream_id)] == [
        "AccountOpened",
        "Deposited",
        "Withdrawn",
    ]


@pytest.mark.parametrize(
    ("command", "fields", "bad"),
    [
        ("OpenAccount", {"holder": ""}, "holder"),
        ("OpenAccount", {"holder": "A", "currency": "JPY"}, "currency"),
        ("OpenAccount", {"holder": "A", "overdraft_limit": 5001}, "overdraft_limit"),
        ("OpenAccount", {"holder": "A", "paper_statements": "perhaps"}, "paper_statements"),
        ("Deposit", {"account_id": "x", "amount": "0"}, "amount"),
        ("Deposit", {"account_id": "x", "amount": "1.005"}, "amount"),
        ("Deposit", {"account_id": "x", "amount": "1", "memo": "hi"}, "memo"),
    ],
)
def test_invalid_fields_are_refused_by_the_model_with_the_field_named(
    bank: Bank, command: str, fields: dict[str, object], bad: str
) -> None:
    with pytest.raises(InvalidCommandError) as error:
        bank.run(command, **fields)
    assert bad in error.value.errors
    assert bank.store.head_position() == 0


def test_a_stale_expected_version_is_a_conflict(bank: Bank) -> None:
    account = bank.run("OpenAccount", holder="Bo").aggregate_id
    bank.run("Deposit", account_id=account, amount="5")
    deposit = bank.handler.build("Deposit", {"account_id": account, "amount": "1"})
    with pytest.raises(ConcurrencyError) as conflict:
        bank.handler.execute(deposit, expected_version=1)
    assert (conflict.value.expected, conflict.value.actual) == (1, 2)
    assert bank.handler.execute(deposit, expected_version=2).version == 3


def test_the_holder_is_sealed_at_rest_and_shredded_by_forget(bank: Bank) -> None:
    holder = f"Holder-{secrets.token_hex(8)}"
    account = bank.run("OpenAccount", holder=holder).aggregate_id
    for amount in ("1", "2", "3"):  # snapshots at v2 and v4 hold the state, holder included
        bank.run("Deposit", account_id=account, amount=amount)
    view = ReadModelView(bank.store, bank.domain, bank.domain.read_models[0], bank.handler.codec)
    view.catch_up()
    assert view.rows()[account] == {"holder": holder, "balance": "6"}
    assert bank.handler.load(account).state.holder == holder
    stored = [e.data for e in bank.store.read_all()]
    assert holder not in repr(stored)
    assert all(holder not in repr(s.state) for s in bank.store.snapshots(f"account-{account}"))
    for path in bank.files:  # the SQLite file and its WAL hold no plaintext either
        assert path.exists()
        assert holder.encode() not in path.read_bytes()

    bank.run("ForgetAccount", account_id=account)

    (tombstone,) = bank.store.read_all(1)
    assert tombstone.type == "AccountForgotten" and tombstone.data["erased_events"] == 4
    assert bank.keys.key_for(f"account-{account}") is None
    assert bank.handler.load(account).state.status == "forgotten"
    with pytest.raises(bank.domain.errors, match="not open"):
        bank.run("Deposit", account_id=account, amount="1")
    view.catch_up()
    assert account not in view.rows()


def test_an_old_copy_of_a_sealed_event_reads_as_shredded_after_forget(bank: Bank) -> None:
    holder = f"Holder-{secrets.token_hex(8)}"
    account = bank.run("OpenAccount", holder=holder).aggregate_id
    (copy,) = bank.store.read_all()  # a backup taken before the forget
    bank.run("ForgetAccount", account_id=account)
    assert bank.handler.codec.open(copy)["holder"] == REDACTED


def test_a_taken_id_is_never_reused_for_a_new_aggregate(bank: Bank) -> None:
    same = DomainHandler(bank.domain, bank.store, keys=bank.keys, new_id=lambda: "0000000a")
    first = same.execute(same.build("OpenAccount", {"holder": "Cy"}))
    with pytest.raises(NoFreshIdError) as taken:
        same.execute(same.build("OpenAccount", {"holder": "Di"}))
    assert set(taken.value.tried) == {first.aggregate_id}
    assert [e.type for e in bank.store.read_all()] == ["AccountOpened"]


def test_a_private_read_model_value_sealed_for_storage_is_shredded_by_forget(bank: Bank) -> None:
    holder = f"Holder-{secrets.token_hex(8)}"
    account = bank.run("OpenAccount", holder=holder)
    codec = bank.handler.codec
    stored = codec.seal_text(account.stream_id, holder)
    assert holder not in stored
    assert codec.open_text(account.stream_id, stored) == holder
    assert codec.open_text("account-other", stored) == REDACTED  # no key for that stream
    bank.run("ForgetAccount", account_id=account.aggregate_id)
    assert codec.open_text(account.stream_id, stored) == REDACTED
