"""The conflict lab's scenario: two writers withdraw 80 from a balance of 100."""

from __future__ import annotations

from decimal import Decimal

from domain.accounts.conflict import conflict_scenario
from tests.accounts.conftest import Bank


def test_the_version_check_stops_the_lost_update_and_the_rule_refuses_the_retry(
    bank: Bank,
) -> None:
    result = conflict_scenario(bank.handler)

    # Without the check: both decisions folded on v2 -> -60, and nothing of it is stored.
    assert result.loaded_version == 2
    assert result.unchecked_balance == Decimal(-60)
    stored = bank.store.read_stream(result.stream_id)
    assert [e.type for e in stored] == ["AccountOpened", "MoneyDeposited", "MoneyWithdrawn"]
    # With it: A commits v3; B is refused by the version, then by the rule.
    assert [e.version for e in result.committed] == [3]
    assert (result.conflict.expected, result.conflict.actual) == (2, 3)
    assert result.conflict.stream_id == result.stream_id
    refusal = result.refusal
    assert (refusal.balance, refusal.amount, refusal.limit) == (
        Decimal(20),
        Decimal(80),
        Decimal(0),
    )
    assert result.final_balance == bank.state(result.account_id).balance == Decimal(20)


def test_each_step_is_one_line_of_explanation(memory_bank: Bank) -> None:
    result = conflict_scenario(memory_bank.handler)
    actors = [step.actor for step in result.steps]
    assert actors == ["bank", "A", "B", "A", "B", "without the check", "A", "B", "B", "B", "bank"]
    for step in result.steps:
        assert step.action and step.explanation and "\n" not in step.explanation
    lines = " | ".join(step.explanation for step in result.steps)
    assert "-60" in lines and "ConcurrencyError" in lines and "insufficient funds" in lines


def test_other_amounts_tell_the_same_story(memory_bank: Bank) -> None:
    for opening, withdrawal in (("10", "6"), ("1000.50", "600.25")):
        result = conflict_scenario(
            memory_bank.handler, opening=Decimal(opening), withdrawal=Decimal(withdrawal)
        )
        rest = Decimal(opening) - Decimal(withdrawal)
        assert result.unchecked_balance == rest - Decimal(withdrawal)
        assert result.final_balance == rest
        assert result.refusal.balance == rest
