"""The conflict lab's scenario: two writers withdraw from one account at the same time.

Balance 100, writers A and B each load it and withdraw 80. Without the expected-version
check both decisions would be stored and the balance would end at -60; with it, A commits,
B is refused with a ConcurrencyError, reloads, decides again and is refused by the domain
rule (insufficient funds) -- not by the version."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.accounts.errors import InsufficientFundsError
from domain.accounts.messages import Deposit, OpenAccount, Withdraw
from domain.accounts.state import BankState
from domain.core.errors import ConcurrencyError
from domain.core.handler import DomainHandler
from domain.core.records import RecordedEvent


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the scenario and one line saying what it shows."""

    actor: str
    """"A", "B", "bank", or "without the check"."""
    action: str
    explanation: str


@dataclass(frozen=True, slots=True)
class ConflictScenario:
    """What happened (and what would have happened without the version check)."""

    account_id: str
    stream_id: str
    steps: tuple[Step, ...]
    loaded_version: int
    """The version both writers loaded."""
    unchecked_balance: Decimal
    """The balance both decisions folded together would give (never stored)."""
    committed: tuple[RecordedEvent, ...]
    """A's withdrawal, as stored."""
    conflict: ConcurrencyError
    """B's first attempt."""
    refusal: InsufficientFundsError
    """B's second attempt, decided on the reloaded state."""
    final_balance: Decimal


def conflict_scenario(
    handler: DomainHandler[BankState],
    *,
    opening: Decimal = Decimal(100),
    withdrawal: Decimal = Decimal(80),
    holder: str = "Conflict Lab",
    currency: str = "EUR",
) -> ConflictScenario:
    """Run the scenario on `handler`'s store (it opens a fresh account for it)."""
    steps: list[Step] = []
    opened = handler.execute(OpenAccount.model_validate({"holder": holder, "currency": currency}))
    account_id = opened.aggregate_id
    handler.execute(Deposit(account_id=account_id, amount=opening))
    a = handler.load(account_id)
    steps.append(
        Step(
            "bank",
            f"open {account_id} and deposit {opening}",
            f"the account is at v{a.version} with balance {a.state.balance}",
        )
    )
    b = handler.load(account_id)
    steps.append(Step("A", f"load at v{a.version}", f"A sees balance {a.state.balance}"))
    steps.append(Step("B", f"load at v{b.version}", f"B sees the same balance {b.state.balance}"))

    command = Withdraw(account_id=account_id, amount=withdrawal)
    decided_a = handler.domain.decide(command, a.state)
    decided_b = handler.domain.decide(command, b.state)
    steps.append(
        Step("A", f"decide withdraw {withdrawal}", f"allowed: {a.state.balance} covers it")
    )
    steps.append(
        Step(
            "B", f"decide withdraw {withdrawal}", f"allowed too: B decided on the same v{b.version}"
        )
    )
    # Without the check both appends would succeed: fold both decisions, store nothing.
    unchecked = a.state
    for event in (*decided_a, *decided_b):
        unchecked = handler.domain.fold.evolve(unchecked, event, opened.events[0].recorded_at)
    steps.append(
        Step(
            "without the check",
            "append both",
            f"balance {unchecked.balance}, below the lowest allowed "
            f"({-a.state.overdraft_limit if a.state.overdraft_limit else 0}): each writer "
            "checked the rule, neither saw the other's withdrawal (a lost update)",
        )
    )

    done = handler.decide_and_append(a, command, a.version)
    steps.append(Step("A", f"append expecting v{a.version}", f"committed as v{done.version}"))
    try:
        handler.decide_and_append(b, command, b.version)
    except ConcurrencyError as exc:
        conflict = exc
    else:  # pragma: no cover - the store's contract makes this impossible
        raise AssertionError("B's stale append was stored")
    steps.append(
        Step(
            "B",
            f"append expecting v{b.version}",
            f"refused: ConcurrencyError, expected v{conflict.expected}, actual v{conflict.actual}",
        )
    )
    again = handler.load(account_id)
    steps.append(
        Step("B", f"reload at v{again.version}", f"B now sees balance {again.state.balance}")
    )
    try:
        handler.decide_and_append(again, command, again.version)
    except InsufficientFundsError as exc:
        refusal = exc
    else:  # pragma: no cover - the decider refuses it
        raise AssertionError("B's second withdrawal was allowed")
    steps.append(
        Step(
            "B",
            f"decide withdraw {withdrawal} again",
            f"refused by the rule, not the version: {refusal}",
        )
    )
    final = handler.load(account_id).state.balance
    steps.append(Step("bank", "result", f"balance {final}: one withdrawal, and the rule held"))
    return ConflictScenario(
        account_id,
        a.stream_id,
        tuple(steps),
        a.version,
        unchecked.balance,
        tuple(done.events),
        conflict,
        refusal,
        final,
    )
