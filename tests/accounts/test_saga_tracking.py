"""The transfer saga's durable position: it records it with each step, starts from it, and
takes each step once even with random reaction ids (so the store's idempotency cannot help)."""

from __future__ import annotations

import uuid
from collections import Counter
from decimal import Decimal

from domain.accounts.domain import ACCOUNTS
from domain.core import DomainProcessManager
from domain.core.records import RecordedEvent
from tests.accounts.conftest import Bank
from tests.accounts.test_saga import saga_events, transfer


class RandomIdsSaga(DomainProcessManager):
    """The saga with random reaction ids (a test switch, not product behaviour)."""

    def reaction_ids(self, trigger: RecordedEvent) -> tuple[uuid.UUID, ...]:
        return (uuid.uuid4(),)

    def refusal_ids(self, trigger: RecordedEvent) -> tuple[uuid.UUID, ...]:
        return (uuid.uuid4(),)


def _saga(bank: Bank) -> RandomIdsSaga:
    return RandomIdsSaga(bank.handler, ACCOUNTS.process_managers[0])


def test_a_restarted_saga_takes_each_step_once_with_random_ids(bank: Bank) -> None:
    ada, grace = bank.open("Ada", funds="100"), bank.open("Grace")
    tid = transfer(bank, ada, grace, "60")
    first = _saga(bank)
    first.catch_up(max_events=bank.store.head_position())  # up to the request: the debit
    assert [e.type for e in saga_events(bank, tid)] == ["TransferRequested", "TransferDebited"]
    assert bank.store.tracking_position(first.tracking_name) > 0
    second = _saga(bank)  # starts from the position the debit recorded
    second.catch_up()
    second.catch_up()
    first.catch_up()  # resumed: every step it meets is taken already
    assert Counter(e.type for e in saga_events(bank, tid)) == Counter(
        {
            "TransferRequested": 1,
            "TransferDebited": 1,
            "TransferCredited": 1,
            "TransferCompleted": 1,
        }
    )
    assert (bank.state(ada).balance, bank.state(grace).balance) == (Decimal(40), Decimal(60))


def test_a_stopped_saga_saves_its_position_and_a_new_one_reads_nothing_again(
    bank: Bank,
) -> None:
    ada, grace = bank.open("Ada", funds="100"), bank.open("Grace")
    transfer(bank, ada, grace, "10")
    saga = bank.saga()
    saga.start()
    saga.stop()
    head = bank.store.head_position()
    assert bank.store.tracking_position(saga.tracking_name) == head
    fresh = bank.saga()
    assert fresh.catch_up() == 0
    assert fresh.checkpoint == head


def test_a_saga_that_writes_nothing_saves_now_and_then(memory_bank: Bank) -> None:
    bank = memory_bank
    saga = bank.saga()
    saga.save_every = 5
    for n in range(12):
        bank.open(f"holder {n}")
    saga.catch_up(max_events=4)
    assert bank.store.tracking_position(saga.tracking_name) == 0
    saga.catch_up(max_events=2)
    assert bank.store.tracking_position(saga.tracking_name) == 6


def test_a_started_saga_counts_its_lag_from_the_saved_position(memory_bank: Bank) -> None:
    bank = memory_bank
    for n in range(3):
        bank.open(f"holder {n}")
    bank.store.save_tracking(bank.saga().tracking_name, bank.store.head_position())
    saga = bank.saga(threaded=True)
    saga.pause()
    saga.start()
    try:
        assert saga.lag() == 0
        bank.open("one more")
        assert saga.lag() == 1
    finally:
        saga.stop()
