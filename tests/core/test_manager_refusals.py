"""Process managers that react to every trigger of a page and follow a refused reaction
with another command (a failure record, a compensation), idempotently across managers."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel

from domain.backends import open_store
from domain.core import DomainHandler, DomainProcessManager, ProcessManagerSpec
from domain.core.errors import ConcurrencyError
from domain.core.protocol import EventStore
from domain.core.records import RecordedEvent
from tests.domains import bank_account as bank


def greedy(event: bank.Deposited, record: RecordedEvent, seed: int) -> BaseModel:
    """Sweep each deposit plus 1000: more than any account here may take."""
    return bank.Withdraw(account_id=event.account_id, amount=event.amount + 1000)


def modest(event: bank.Deposited, record: RecordedEvent, error: Exception) -> BaseModel | None:
    """After the refusal, sweep just the deposit."""
    assert isinstance(error, bank.AccountRefused)
    return bank.Withdraw(account_id=event.account_id, amount=event.amount)


def sweep(event: bank.Deposited, record: RecordedEvent, seed: int) -> BaseModel:
    """Sweep each deposit."""
    return bank.Withdraw(account_id=event.account_id, amount=event.amount)


SWEEP = ProcessManagerSpec(
    name="sweep",
    reacts_to=frozenset({"Deposited"}),
    react=greedy,
    on_refused=modest,
    every_trigger=True,
)
DOMAIN = dataclasses.replace(bank.DOMAIN, process_managers=(SWEEP,))


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EventStore]:
    url = "memory:" if request.param == "memory" else f"sqlite:///{tmp_path / 'b.db'}"
    opened = open_store(url)
    yield opened
    opened.close()


def test_every_trigger_of_a_page_gets_its_follow_up_once(store: EventStore) -> None:
    handler = DomainHandler(DOMAIN, store)
    account = handler.execute(bank.OpenAccount(holder="Ada")).aggregate_id
    amounts = ("1.00", "2.50", "4.00")
    for amount in amounts:  # one page, three triggers on the same stream
        handler.execute(bank.Deposit(account_id=account, amount=Decimal(amount)))
    first = DomainProcessManager(handler, SWEEP)
    first.catch_up()
    second = DomainProcessManager(handler, SWEEP)  # another manager, from the start
    second.catch_up()
    first.catch_up()

    events = store.read_stream(f"account-{account}")
    deposits = [e for e in events if e.type == "Deposited"]
    sweeps = [e for e in events if e.type == "Withdrawn"]
    assert [e.data["amount"] for e in sweeps] == list(amounts)
    assert [e.event_id for e in sweeps] == [SWEEP.refusal_event_id(d.event_id) for d in deposits]
    assert handler.load(account).state.balance == 0


def test_without_every_trigger_only_the_last_trigger_of_a_stream_reacts(
    store: EventStore,
) -> None:
    last_only = dataclasses.replace(SWEEP, every_trigger=False)
    handler = DomainHandler(DOMAIN, store)
    account = handler.execute(bank.OpenAccount(holder="Ada")).aggregate_id
    for amount in ("1.00", "2.00"):
        handler.execute(bank.Deposit(account_id=account, amount=Decimal(amount)))
    DomainProcessManager(handler, last_only).catch_up()
    sweeps = [e for e in store.read_stream(f"account-{account}") if e.type == "Withdrawn"]
    assert [e.data["amount"] for e in sweeps] == ["2.00"]


def test_no_follow_up_without_on_refused(store: EventStore) -> None:
    plain = dataclasses.replace(SWEEP, on_refused=None)
    handler = DomainHandler(DOMAIN, store)
    account = handler.execute(bank.OpenAccount(holder="Ada")).aggregate_id
    handler.execute(bank.Deposit(account_id=account, amount=Decimal(1)))
    outcomes: list[object] = []
    manager = DomainProcessManager(handler, plain)
    manager.on_reaction(lambda result, trigger: outcomes.append(result))
    manager.catch_up()
    assert [e.type for e in store.read_stream(f"account-{account}")] == [
        "AccountOpened",
        "Deposited",
    ]
    assert len(outcomes) == 1 and isinstance(outcomes[0], bank.AccountRefused)


@pytest.mark.parametrize(("retries", "conflicts", "swept"), [(3, 2, True), (2, 2, False)])
def test_a_reaction_reloads_after_each_conflict_up_to_its_retries(
    store: EventStore, retries: int, conflicts: int, swept: bool
) -> None:
    plain = DomainHandler(bank.DOMAIN, store)
    left = [conflicts]

    def busy_decide(command: BaseModel, state: bank.Account) -> list[bank.Model]:
        # Another writer appends to the same account between the reaction's load and append.
        if isinstance(command, bank.Withdraw) and left[0] > 0:
            left[0] -= 1
            plain.execute(bank.Deposit(account_id=state.account_id, amount=Decimal(1)))
        return bank.decide(command, state)  # type: ignore[arg-type]

    spec = dataclasses.replace(SWEEP, react=sweep, on_refused=None, retries=retries)
    handler = DomainHandler(dataclasses.replace(DOMAIN, decide=busy_decide), store)
    account = handler.execute(bank.OpenAccount(holder="Ada")).aggregate_id
    handler.execute(bank.Deposit(account_id=account, amount=Decimal(5)))
    outcomes: list[object] = []
    manager = DomainProcessManager(handler, spec)
    manager.on_reaction(lambda result, trigger: outcomes.append(result))
    manager.catch_up(max_events=store.head_position())
    withdrawn = [e for e in store.read_stream(f"account-{account}") if e.type == "Withdrawn"]
    assert bool(withdrawn) is swept
    assert isinstance(outcomes[0], ConcurrencyError) is not swept
