"""The Domain port's own behaviour: commands by name, stream ids, state fields and changes,
which domain knows a store, and the traffic profile driving the generic handler."""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal

import pytest

from domain.backends.memory.store import MemoryEventStore
from domain.core import CommandSpec, DomainHandler, UnknownCommandError
from domain.core.errors import ConcurrencyError
from domain.domains import domain_for, load_domain
from domain.ideas.commands import EditIdea
from domain.ideas.domain import IDEAS
from domain.ideas.state import IdeaState, IdeaStatus
from tests.domains import bank_account as bank


def test_commands_are_found_by_name_model_or_instance() -> None:
    spec = IDEAS.command("EditIdea")
    assert spec is IDEAS.command(EditIdea) is IDEAS.command(EditIdea(idea_id="a", title="T"))
    assert not spec.creates and IDEAS.command("PublishIdea").creates
    assert IDEAS.command("ForgetIdea").forgets
    with pytest.raises(IDEAS.not_found):
        DomainHandler(IDEAS, MemoryEventStore()).execute(EditIdea(idea_id="abc", title="T"))
    with pytest.raises(UnknownCommandError) as unknown:
        IDEAS.command("Launch")
    assert (unknown.value.domain, unknown.value.command) == ("ideas", "Launch")
    with pytest.raises(ValueError, match="two commands named EditIdea"):
        dataclasses.replace(IDEAS, commands=(*IDEAS.commands, CommandSpec(EditIdea)))


def test_stream_ids_and_aggregate_ids_round_trip() -> None:
    for domain in (IDEAS, bank.DOMAIN):
        for aggregate_id in ("3f2a9c", "a-b", "0"):
            assert domain.aggregate_id(domain.stream_id(aggregate_id)) == aggregate_id
    assert IDEAS.aggregate_id("account-1") is None
    assert IDEAS.aggregate_id("idea-") is None
    assert bank.DOMAIN.aggregate_id("accounting-1") is None


def test_state_fields_in_order_and_the_changes_between_two_states() -> None:
    before = IdeaState(idea_id="a", status=IdeaStatus.REQUESTED, title="T", description="D")
    after = before.model_copy(update={"status": IdeaStatus.ACCEPTED, "edit_count": 1})
    assert [f.name for f, _ in IDEAS.state_values(before)][:4] == [
        "idea_id",
        "status",
        "title",
        "description",
    ]
    changes = [(f.name, old, new) for f, old, new in IDEAS.state_changes(before, after)]
    assert changes == [("status", "requested", "accepted"), ("edit_count", 0, 1)]
    assert IDEAS.state_private == {"title", "description"}
    assert bank.DOMAIN.state_private == {"holder"}


def test_the_domain_that_knows_a_store_s_types_or_raw_mode() -> None:
    ideas_types = ["IdeaCreationRequested", "IdeaUpdated", "IdeaForgotten"]
    bank_types = ["AccountOpened", "Deposited"]
    assert domain_for(ideas_types) is IDEAS
    assert domain_for([]) is IDEAS  # an empty store: the default domain
    assert domain_for(bank_types) is None  # not built in: raw mode
    assert domain_for(bank_types, [IDEAS, bank.DOMAIN]) is bank.DOMAIN
    assert domain_for([*ideas_types, "Deposited"], [IDEAS, bank.DOMAIN]) is None
    assert load_domain("ideas").knows(ideas_types)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_ideas_traffic_profile_drives_the_generic_handler(seed: int) -> None:
    store = MemoryEventStore()
    handler = DomainHandler(IDEAS, store)
    profile = IDEAS.traffic
    assert profile is not None
    rng = random.Random(seed)
    known: list[str] = []
    ran = refused = 0
    refusals: tuple[type[Exception], ...] = (*IDEAS.errors, ConcurrencyError)
    for _ in range(300):
        command = profile.draw(rng, known)
        if command is None:
            continue
        assert IDEAS.command(command).model is type(command)
        try:
            outcome = handler.execute(command)
        except refusals:
            refused += 1
            continue
        ran += 1
        if outcome.aggregate_id not in known:
            known.append(outcome.aggregate_id)
    assert ran > 100 and refused > 0  # it made ideas and edited them, and hit the rules
    kinds = {e.type for e in store.read_all()}
    assert {"IdeaCreationRequested", "IdeaUpdated"} <= kinds


def test_a_decimal_survives_the_store_exactly() -> None:
    store = MemoryEventStore()
    handler = DomainHandler(bank.DOMAIN, store)
    account = handler.execute(bank.OpenAccount(holder="Ed")).aggregate_id
    for amount in ("0.10", "0.20", "0.30"):
        handler.execute(bank.Deposit(account_id=account, amount=Decimal(amount)))
    assert handler.load(account).state.balance == Decimal("0.60")
