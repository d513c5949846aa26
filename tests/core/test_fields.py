"""Command models described for forms and command lines: kinds, constraints in words, and
`--field value` arguments validated by the same model."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.core.fields import CommandLineError, describe, from_arguments
from domain.ideas.commands import EditIdea, PublishIdea
from tests.domains import bank_account as bank


def test_hints_say_the_model_s_own_constraints() -> None:
    hints = {spec.name: spec.hint for spec in describe(bank.OpenAccount)}
    assert hints == {
        "holder": "1–80 characters",
        "currency": "EUR / USD / GBP",
        "overdraft_limit": "0–5000, default 0",
        "paper_statements": "",
    }
    (_, amount) = describe(bank.Deposit)
    assert amount.hint == "≤ 1000000, > 0, at most 2 decimal places"
    title, description = describe(PublishIdea)
    assert (title.kind, title.hint) == ("text", "1–120 characters")
    assert (description.kind, description.hint) == ("long_text", "1–2000 characters")
    optional = {spec.name: (spec.optional, spec.required) for spec in describe(EditIdea)}
    assert optional == {
        "idea_id": (False, True),
        "title": (True, False),
        "description": (True, False),
    }


def test_command_line_arguments_become_the_validated_command() -> None:
    args = ["--holder", "Ada", "--currency=USD", "--overdraft-limit", "250", "--paper-statements"]
    fields = from_arguments(bank.OpenAccount, args)
    assert bank.OpenAccount.model_validate(fields) == bank.OpenAccount(
        holder="Ada", currency="USD", overdraft_limit=250, paper_statements=True
    )
    fields = from_arguments(bank.OpenAccount, ["--holder=Bo", "--no-paper-statements"])
    assert fields == {"holder": "Bo", "paper_statements": False}
    fields = from_arguments(bank.Deposit, ["--account-id", "0a1b2c3d", "--amount", "0.10"])
    assert bank.Deposit.model_validate(fields).amount == Decimal("0.10")
    assert from_arguments(EditIdea, ["--idea-id", "3f", "--title", "--x"]) == {
        "idea_id": "3f",
        "title": "--x",  # a value may look like an option
    }


@pytest.mark.parametrize(
    ("args", "argument", "reason"),
    [
        (["--colour", "red"], "--colour", "unknown option"),
        (["holder"], "holder", "unknown option"),
        (["--holder"], "--holder", "a value is required"),
        (["--holder", "A", "--holder", "B"], "--holder", "given twice"),
        (["--no-holder"], "--no-holder", "unknown option"),
    ],
)
def test_arguments_that_do_not_fit_say_which_and_why(
    args: list[str], argument: str, reason: str
) -> None:
    with pytest.raises(CommandLineError) as error:
        from_arguments(bank.OpenAccount, args)
    assert (error.value.command, error.value.argument) == ("OpenAccount", argument)
    assert reason in error.value.reason
