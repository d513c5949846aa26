"""A domain with a second kind of aggregate (e.g. a saga's own streams): ids and streams."""

from __future__ import annotations

import dataclasses

import pytest

from domain.core import CommandSpec
from tests.domains import bank_account as bank


def test_other_prefixes_name_whole_streams_and_round_trip() -> None:
    domain = dataclasses.replace(bank.DOMAIN, other_prefixes=("transfer",))
    for aggregate_id in ("transfer-1a2b", "transfer-x"):
        assert domain.stream_id(aggregate_id) == aggregate_id
        assert domain.aggregate_id(aggregate_id) == aggregate_id
    for aggregate_id in ("1a2b", "transfers-1", "transfer"):
        assert domain.stream_id(aggregate_id) == f"account-{aggregate_id}"
        assert domain.aggregate_id(domain.stream_id(aggregate_id)) == aggregate_id
    assert domain.aggregate_id("transfer-") is None
    assert domain.aggregate_id("idea-1") is None


def test_a_command_creating_under_an_undeclared_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown prefix"):
        dataclasses.replace(
            bank.DOMAIN,
            commands=(CommandSpec(bank.OpenAccount, stream_prefix="transfer"),),
        )
    with pytest.raises(ValueError, match="main prefix"):
        dataclasses.replace(bank.DOMAIN, other_prefixes=("account",))


def test_internal_commands_are_left_out_of_a_person_s_commands() -> None:
    internal = CommandSpec(bank.Withdraw, lambda c: c.account_id, internal=True)
    domain = dataclasses.replace(bank.DOMAIN, commands=(CommandSpec(bank.OpenAccount), internal))
    assert [spec.name for spec in domain.person_commands] == ["OpenAccount"]
    assert domain.command("Withdraw") is internal  # still runs like any other command
