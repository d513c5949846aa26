"""The transfer saga on memory, SQLite and PostgreSQL: each step an event with causation and
correlation ids, ending completed, failed or compensated; a restart mid-way and two managers
at once take each step exactly once."""

from __future__ import annotations

import itertools
import time
from collections import Counter
from decimal import Decimal

from domain.accounts.views import ledger_law_holds
from domain.core.records import CAUSATION_ID, CORRELATION_ID, RecordedEvent
from tests.accounts.conftest import Bank

DEADLINE = 30.0


def transfer(bank: Bank, source: str, target: str, amount: str) -> str:
    return bank.run(
        "RequestTransfer", from_account=source, to_account=target, amount=amount
    ).aggregate_id


def saga_events(bank: Bank, transfer_id: str) -> list[RecordedEvent]:
    """Every event of one transfer, in log order (its own stream and the account steps)."""
    return [
        e
        for e in bank.store.read_all()
        if e.stream_id == transfer_id or e.data.get("transfer_id") == transfer_id
    ]


def assert_chained(events: list[RecordedEvent]) -> None:
    """One correlation id throughout; each step caused by the one before it."""
    correlations = {e.metadata[CORRELATION_ID] for e in events}
    assert len(correlations) == 1
    for before, after in itertools.pairwise(events):
        assert after.metadata[CAUSATION_ID] == str(before.event_id)


def test_a_transfer_completes_step_by_step(bank: Bank) -> None:
    ada, grace = bank.open("Ada", funds="100"), bank.open("Grace")
    tid = transfer(bank, ada, grace, "30.00")
    assert tid.startswith("transfer-") and bank.store.stream_info(tid) is not None
    bank.saga().catch_up()
    events = saga_events(bank, tid)
    assert [(e.stream_id, e.type) for e in events] == [
        (tid, "TransferRequested"),
        (f"account-{ada}", "TransferDebited"),
        (f"account-{grace}", "TransferCredited"),
        (tid, "TransferCompleted"),
    ]
    assert_chained(events)
    assert bank.state(ada).balance == Decimal("70.00")
    assert bank.state(grace).balance == Decimal("30.00")
    assert bank.state(tid).status == "completed"


def test_a_refused_debit_fails_the_transfer_with_the_reason(bank: Bank) -> None:
    ada, grace = bank.open("Ada", funds="10", limit="5"), bank.open("Grace")
    short = transfer(bank, ada, grace, "15.01")
    gone = bank.open("Gone", funds="0")
    bank.run("CloseAccount", account_id=gone)
    closed = transfer(bank, gone, grace, "1")
    unknown = transfer(bank, "nobody", grace, "1")
    erased = bank.open("Erased", funds="50")
    bank.run("ForgetHolder", account_id=erased)
    forgotten = transfer(bank, erased, grace, "1")
    bank.saga().catch_up()
    assert [e.type for e in saga_events(bank, short)] == [
        "TransferRequested",
        "TransferDebitRefused",
        "TransferFailed",
    ]
    assert_chained(saga_events(bank, short))
    for tid, words in (
        (short, "insufficient funds"),
        (closed, "is closed"),
        (unknown, "no account"),
        (forgotten, "is forgotten"),
    ):
        state = bank.state(tid)
        assert state.status == "failed" and state.reason is not None and words in state.reason
    assert (bank.state(ada).balance, bank.state(grace).balance) == (Decimal(10), Decimal(0))


def test_a_refused_credit_is_compensated(bank: Bank) -> None:
    ada, linus = bank.open("Ada", funds="100"), bank.open("Linus")
    yuki = bank.open("Yuki", currency="JPY")
    erased = bank.open("Erased")
    bank.run("CloseAccount", account_id=linus)
    bank.run("ForgetHolder", account_id=erased)
    to_closed = transfer(bank, ada, linus, "40")
    other_currency = transfer(bank, ada, yuki, "25")
    to_forgotten = transfer(bank, ada, erased, "5")
    bank.saga().catch_up()
    assert "forgotten" in (bank.state(to_forgotten).reason or "")
    for tid in (to_closed, other_currency, to_forgotten):
        events = saga_events(bank, tid)
        assert [(e.stream_id, e.type) for e in events] == [
            (tid, "TransferRequested"),
            (f"account-{ada}", "TransferDebited"),
            (f"account-{ada}", "TransferRefunded"),
            (tid, "TransferCompensated"),
        ]
        assert_chained(events)
        assert bank.state(tid).status == "compensated"
    assert "closed" in (bank.state(to_closed).reason or "")
    assert "JPY" in (bank.state(other_currency).reason or "")
    assert bank.state(ada).balance == Decimal(100)
    assert (bank.state(linus).balance, bank.state(yuki).balance) == (Decimal(0), Decimal(0))


def test_a_restart_after_the_debit_credits_exactly_once(bank: Bank) -> None:
    ada, grace = bank.open("Ada", funds="100"), bank.open("Grace")
    tid = transfer(bank, ada, grace, "60")
    first = bank.saga()
    first.catch_up(max_events=bank.store.head_position())  # up to the request: the debit
    assert [e.type for e in saga_events(bank, tid)] == ["TransferRequested", "TransferDebited"]
    # The first manager stops here; a new one starts from the beginning of the log.
    second = bank.saga()
    second.catch_up()
    second.catch_up()
    types = Counter(e.type for e in saga_events(bank, tid))
    assert types == Counter(
        {
            "TransferRequested": 1,
            "TransferDebited": 1,
            "TransferCredited": 1,
            "TransferCompleted": 1,
        }
    )
    assert (bank.state(ada).balance, bank.state(grace).balance) == (Decimal(40), Decimal(60))
    # And the first manager, resumed from its checkpoint, adds nothing either.
    head = bank.store.head_position()
    first.catch_up()
    assert bank.store.head_position() == head


def test_two_managers_at_once_take_each_step_once(bank: Bank) -> None:
    accounts = [bank.open(name, funds="50", limit="20") for name in ("Ada", "Grace", "Linus")]
    closed = bank.open("Closed")
    bank.run("CloseAccount", account_id=closed)
    managers = [bank.saga(threaded=True), bank.saga(threaded=True)]
    for manager in managers:
        manager.start()
    try:
        plan = [(0, 1, "30"), (1, 2, "60"), (2, 0, "100"), (0, 1, "45"), (1, 2, "5")]
        transfers = [transfer(bank, accounts[a], accounts[b], amount) for a, b, amount in plan]
        transfers.append(transfer(bank, accounts[0], closed, "1"))
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if all(bank.state(t).status != "requested" for t in transfers):
                break
            time.sleep(0.05)
    finally:
        for manager in managers:
            manager.stop()
    assert all(bank.state(t).status in ("completed", "failed", "compensated") for t in transfers)
    assert bank.state(transfers[-1]).status == "compensated"
    for tid in transfers:
        steps = Counter(e.type for e in saga_events(bank, tid))
        assert all(count == 1 for count in steps.values()), (tid, steps)
        assert len({e.event_id for e in saga_events(bank, tid)}) == sum(steps.values())
    view = bank.view("ledger")
    view.catch_up()
    assert ledger_law_holds(view.rows())
    eur = view.rows()["currency:EUR"]
    assert Decimal(str(eur["in_flight"])) == 0
    assert Decimal(str(eur["balances"])) == Decimal(150)


def test_reaction_ids_are_derived_from_the_trigger(memory_bank: Bank) -> None:
    bank = memory_bank
    ada, grace = bank.open("Ada", funds="10"), bank.open("Grace")
    tid = transfer(bank, ada, grace, "1")
    bank.saga().catch_up()
    events = saga_events(bank, tid)
    spec = bank.handler.domain.process_managers[0]
    for trigger, reaction in itertools.pairwise(events):
        assert reaction.event_id == spec.reaction_event_id(trigger.event_id)
    # A refused step's follow-up (here: recording the refused debit) has its own derived id.
    failed = transfer(bank, ada, grace, "1000")
    bank.saga().catch_up()
    request, refused, ended = saga_events(bank, failed)
    assert refused.event_id == spec.refusal_event_id(request.event_id)
    assert ended.event_id == spec.reaction_event_id(refused.event_id)
