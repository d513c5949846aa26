"""The accounts replay every load uses (`evolve_many`, through `AccountsFold.evolve_all`)
against the reference `evolve` applied event by event: given any history of an account —
deposits, withdrawals, transfer debits, refusals, credits and refunds, steps repeated,
closes, forgets — the state is the same to the last digit of every amount, with the same
steps in the same order, and the same answer to "was this step taken?". The same holds for
a load through the handler from the first event, from a snapshot, and from a snapshot in
the form stored before steps had a set of their own."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from domain.accounts.domain import ACCOUNTS
from domain.accounts.errors import StepTakenError
from domain.accounts.fold import AccountsFold
from domain.accounts.messages import (
    AccountClosed,
    AccountOpened,
    CreditForTransfer,
    DebitForTransfer,
    HolderForgotten,
    Message,
    MoneyDeposited,
    MoneyWithdrawn,
    RefundTransfer,
    RefuseDebit,
    TransferCompleted,
    TransferCredited,
    TransferDebited,
    TransferDebitRefused,
    TransferRefunded,
    TransferRequested,
)
from domain.accounts.state import BankState, Steps, evolve, evolve_many, initial, movement
from domain.backends import open_store
from domain.core import DomainHandler
from domain.core.aggregate import take_snapshot
from domain.core.protocol import EventStore
from domain.core.records import NO_STREAM, Snapshot
from domain.core.shredding.keys import MemoryKeyStore
from tests.accounts.conftest import Bank

ACCOUNT = "acct-1"
STREAM = ACCOUNTS.stream_id(ACCOUNT)
T0 = datetime(2025, 3, 1, tzinfo=UTC)
TRANSFERS = [f"transfer-{n}" for n in range(4)]
"""A small pool, so histories repeat steps and take several steps of one transfer."""
STEPS = [(step, tid) for step in ("debit", "credit", "refund") for tid in TRANSFERS]

Timed = list[tuple[Message, datetime]]
Fast = Callable[[BankState, Timed], BankState]

# Amounts of several exponents (5, 5.0, 0.50, 1.125): a sum must keep each one's digits.
amounts = st.one_of(
    st.sampled_from([Decimal("5"), Decimal("5.0"), Decimal("0.50"), Decimal("1.125")]),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2),
    st.integers(1, 10_000).map(Decimal),
)
money = st.one_of(
    st.builds(lambda a: MoneyDeposited(account_id=ACCOUNT, amount=a), amounts),
    st.builds(lambda a: MoneyWithdrawn(account_id=ACCOUNT, amount=a), amounts),
    st.builds(
        lambda t, a: TransferDebited(
            account_id=ACCOUNT, transfer_id=t, to_account="acct-2", amount=a, currency="EUR"
        ),
        st.sampled_from(TRANSFERS),
        amounts,
    ),
    st.builds(
        lambda t: TransferDebitRefused(account_id=ACCOUNT, transfer_id=t, reason="funds"),
        st.sampled_from(TRANSFERS),
    ),
    st.builds(
        lambda t, a: TransferCredited(
            account_id=ACCOUNT, transfer_id=t, from_account="acct-2", amount=a, currency="EUR"
        ),
        st.sampled_from(TRANSFERS),
        amounts,
    ),
    st.builds(
        lambda t, a: TransferRefunded(
            account_id=ACCOUNT, transfer_id=t, amount=a, currency="EUR", reason="closed"
        ),
        st.sampled_from(TRANSFERS),
        amounts,
    ),
)
life = st.one_of(
    st.builds(
        lambda c, limit: AccountOpened(
            account_id=ACCOUNT, holder="Ada", currency=c, overdraft_limit=limit
        ),
        st.sampled_from(["EUR", "JPY", "USD"]),
        st.sampled_from([Decimal(0), Decimal("50.00"), Decimal("7")]),
    ),
    st.just(AccountClosed(account_id=ACCOUNT)),
    st.builds(
        lambda b, d, w: HolderForgotten(
            account_id=ACCOUNT,
            erased_events=3,
            status="open",
            currency="EUR",
            balance=b,
            deposited=d,
            withdrawn=w,
        ),
        amounts,
        amounts,
        amounts,
    ),
    # Events of a transfer's own stream: `evolve` takes them on any state.
    st.builds(
        lambda a: TransferRequested(
            transfer_id=ACCOUNT, from_account="acct-2", to_account="acct-3", amount=a
        ),
        amounts,
    ),
    st.just(TransferCompleted(transfer_id=ACCOUNT)),
)
# Money events are the bulk of an account's history: five in six here.
event = st.integers(0, 5).flatmap(lambda n: life if n == 0 else money)
histories = st.lists(event, max_size=60).map(
    lambda events: [(e, T0 + timedelta(seconds=i)) for i, e in enumerate(events)]
)


def reference(state: BankState, events: Timed) -> BankState:
    for e, at in events:
        state = evolve(state, e, at)
    return state


def seen(state: BankState) -> tuple[dict[str, object], list[bool]]:
    """What a state is, in full: every field as dumped (amounts to their last digit, steps
    in order, repeats kept) and the answer to each "was this step taken?"."""
    return state.model_dump(mode="json"), [state.took(step, tid) for step, tid in STEPS]


def differs(fast: Fast, events: Timed) -> bool:
    start = initial(ACCOUNT)
    return seen(fast(start, events)) != seen(reference(start, events))


@settings(max_examples=400, deadline=None)
@given(events=histories)
def test_evolve_many_gives_the_reference_state(events: Timed) -> None:
    start = initial(ACCOUNT)
    fast, slow = evolve_many(start, events), reference(start, events)
    assert fast == slow
    assert seen(fast) == seen(slow)
    assert type(fast.steps) is Steps


def sums_over_the_life_cycle(state: BankState, events: Timed) -> BankState:
    """Broken: one run for the whole history, the life-cycle events applied before it."""
    state = reference(state, [(e, at) for e, at in events if movement(e) is None])
    return evolve_many(state, [(e, at) for e, at in events if movement(e) is not None])


def drops_repeated_steps(state: BankState, events: Timed) -> BankState:
    """Broken: a step taken twice is kept once."""
    after = evolve_many(state, events)
    return after.model_copy(update={"steps": Steps(dict.fromkeys(after.steps))})


def misses_the_last_step(state: BankState, events: Timed) -> BankState:
    """Broken: the set handed over to the steps lacks the last one taken."""
    after = evolve_many(state, events)
    steps = list(after.steps)
    return after.model_copy(update={"steps": Steps(steps, frozenset(steps[:-1]))})


def rounds_the_sums(state: BankState, events: Timed) -> BankState:
    """Broken: the running balance normalised (5.0 + 5 written 10, not 10.0)."""
    after = evolve_many(state, events)
    return after.model_copy(update={"balance": after.balance.normalize()})


@pytest.mark.parametrize(
    "broken",
    [sums_over_the_life_cycle, drops_repeated_steps, misses_the_last_step, rounds_the_sums],
)
def test_the_comparison_catches_a_broken_replay(broken: Fast) -> None:
    # Derandomized, with room to search: the same histories on every run.
    search = settings(database=None, derandomize=True, max_examples=5_000)
    found = find(histories, lambda events: differs(broken, events), settings=search)
    assert differs(broken, found)
    assert not differs(evolve_many, found)


def test_a_non_accounts_event_is_refused_as_the_reference_refuses_it() -> None:
    stray = [(TransferCompleted(transfer_id="t"), T0), (object(), T0)]
    with pytest.raises(TypeError):
        reference(initial(ACCOUNT), stray)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        evolve_many(initial(ACCOUNT), stray)  # type: ignore[arg-type]


def stored(store: EventStore, handler: DomainHandler[BankState], events: Timed) -> None:
    new = [
        handler.codec.encode(STREAM, e, metadata={}, event_id=uuid.uuid4(), version=i)
        for i, (e, _) in enumerate(events, start=1)
    ]
    store.append(STREAM, new, NO_STREAM)


@settings(max_examples=150, deadline=None)
@given(events=histories.filter(bool), cut=st.floats(0, 1), sealed=st.booleans())
def test_a_load_gives_the_reference_state_from_the_start_and_from_a_snapshot(
    events: Timed, cut: float, sealed: bool
) -> None:
    store = open_store("memory:")
    handler = DomainHandler(ACCOUNTS, store, keys=MemoryKeyStore() if sealed else None)
    assert isinstance(handler.fold, AccountsFold)  # what every load of the handler folds with
    stored(store, handler, events)
    records = store.read_stream(STREAM)
    expected = handler.fold.initial(STREAM)
    for record in records:
        expected = handler.fold.evolve(expected, record)
    replayed = handler.load(ACCOUNT, snapshot=None)
    assert seen(replayed.state) == seen(expected) and replayed.events_applied == len(events)
    at = max(1, round(cut * len(events)))
    take_snapshot(store, handler.fold, handler.load(ACCOUNT, to_version=at))
    resumed = handler.load(ACCOUNT)
    assert resumed.snapshot is not None and resumed.snapshot.version == at
    assert seen(resumed.state) == seen(expected)
    assert resumed.events_applied == len(events) - at
    store.close()


OLD_FORM = {
    "id": ACCOUNT,
    "kind": "account",
    "status": "open",
    "holder": "Ada",
    "currency": "EUR",
    "overdraft_limit": "0.00",
    "balance": "105.00",
    "deposited": "100.00",
    "withdrawn": "0",
    "steps": ["debit:transfer-1", "credit:transfer-2", "debit:transfer-3", "refund:transfer-1"],
    "from_account": None,
    "to_account": None,
    "amount": None,
    "reason": None,
}
"""A snapshot's state as stored before steps had a set of their own (schema version 1): the
account after the first six events of `OLD_HISTORY`."""
OLD_HISTORY: Timed = [
    (e, T0)
    for e in (
        AccountOpened(account_id=ACCOUNT, holder="Ada", currency="EUR", overdraft_limit="0.00"),
        MoneyDeposited(account_id=ACCOUNT, amount=Decimal("100.00")),
        TransferDebited(
            account_id=ACCOUNT,
            transfer_id="transfer-1",
            to_account="acct-2",
            amount=Decimal("30.00"),
            currency="EUR",
        ),
        TransferCredited(
            account_id=ACCOUNT,
            transfer_id="transfer-2",
            from_account="acct-2",
            amount=Decimal("5.00"),
            currency="EUR",
        ),
        TransferDebitRefused(account_id=ACCOUNT, transfer_id="transfer-3", reason="funds"),
        TransferRefunded(
            account_id=ACCOUNT,
            transfer_id="transfer-1",
            amount=Decimal("30.00"),
            currency="EUR",
            reason="closed",
        ),
        MoneyWithdrawn(account_id=ACCOUNT, amount=Decimal("5.00")),
    )
]


def test_a_snapshot_in_the_old_form_loads_to_the_replayed_state(bank: Bank) -> None:
    store, handler = bank.store, bank.handler
    stored(store, handler, OLD_HISTORY)
    first = store.read_stream(STREAM, 6, 6)[0]
    store.save_snapshot(
        Snapshot(STREAM, 6, first.event_id, dict(OLD_FORM), BankState.SCHEMA_VERSION, T0)
    )
    resumed = handler.load(ACCOUNT)
    replayed = handler.load(ACCOUNT, snapshot=None)
    assert resumed.how() == "snapshot v6 + 1 event"
    assert seen(resumed.state) == seen(replayed.state)
    assert resumed.state.balance == Decimal("100.00")
    assert list(resumed.state.steps) == OLD_FORM["steps"]
    # The guarantee the steps keep: a repeated saga reaction is refused, no money moves.
    for repeated in (
        DebitForTransfer(
            account_id=ACCOUNT, transfer_id="transfer-1", to_account="acct-2", amount="1"
        ),
        RefuseDebit(account_id=ACCOUNT, transfer_id="transfer-3", reason="funds"),
        RefundTransfer(account_id=ACCOUNT, transfer_id="transfer-1", amount="30", reason="x"),
    ):
        with pytest.raises(StepTakenError):
            handler.execute(repeated)
    assert store.stream_info(STREAM).version == len(OLD_HISTORY)  # type: ignore[union-attr]


def test_a_replayed_account_refuses_a_step_taken_long_ago() -> None:
    """Steps anywhere in a long history are found by a load from the first event."""
    store = open_store("memory:")
    handler = DomainHandler(ACCOUNTS, store)
    history: Timed = [(OLD_HISTORY[0][0], T0), (OLD_HISTORY[1][0], T0)]
    for n in range(2_000):
        history.append(
            (
                TransferCredited(
                    account_id=ACCOUNT,
                    transfer_id=f"transfer-x{n}",
                    from_account="acct-2",
                    amount=Decimal("0.01"),
                    currency="EUR",
                ),
                T0,
            )
        )
    stored(store, handler, history)
    loaded = handler.load(ACCOUNT, snapshot=None)
    assert loaded.state.balance == Decimal("120.00")
    assert all(loaded.state.took("credit", f"transfer-x{n}") for n in (0, 999, 1_999))
    assert not loaded.state.took("credit", "transfer-x2000")
    assert not loaded.state.took("debit", "transfer-x0")
    again = CreditForTransfer(
        account_id=ACCOUNT,
        transfer_id="transfer-x0",
        from_account="acct-2",
        amount="0.01",
        currency="EUR",
    )
    with pytest.raises(StepTakenError):
        handler.execute(again)
    fresh = again.model_copy(update={"transfer_id": "transfer-x2000"})
    assert handler.execute(fresh).state.balance == Decimal("120.01")
    store.close()
