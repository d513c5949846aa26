"""The demo is deterministic and shows every path of the domain; the traffic profile lands
on a few hot accounts."""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from domain.accounts.domain import ACCOUNTS
from domain.accounts.messages import Deposit, RequestTransfer, Withdraw
from domain.accounts.views import ledger_law_holds
from domain.core.records import StreamStatus
from domain.domains import built_in, domain_for, load_domain
from tests.accounts.conftest import counter_ids, make_bank


def demo_events(where: Path, seed: int) -> tuple[list[tuple[Any, ...]], dict[str, str], Any]:
    bank = make_bank("memory", where, new_id=counter_ids())
    assert ACCOUNTS.seed_demo is not None
    made = ACCOUNTS.seed_demo(bank.handler, seed)
    assert isinstance(made, dict)
    # Compared opened: sealed fields differ by their random nonces, not by their content.
    events = [
        (e.stream_id, e.version, e.type, bank.handler.codec.open(e)) for e in bank.store.read_all()
    ]
    return events, made, bank


def test_the_same_seed_gives_the_same_events(tmp_path: Path) -> None:
    first, made, _ = demo_events(tmp_path / "a", 7)
    again, made_again, _ = demo_events(tmp_path / "b", 7)
    other, _, _ = demo_events(tmp_path / "c", 8)
    assert first == again and made == made_again
    assert other != first


def test_the_demo_shows_every_path(tmp_path: Path) -> None:
    _, made, bank = demo_events(tmp_path / "a", 7)
    statuses = {made[k]: bank.state(made[k]).status for k in made if k.startswith("completed")}
    assert set(statuses.values()) == {"completed"}
    assert bank.state(made["failed"]).status == "failed"
    assert bank.state(made["compensated"]).status == "compensated"
    currencies = {bank.state(made[n]).currency for n in ("ada", "yukihiro")}
    assert currencies == {"EUR", "JPY"}
    forgotten = bank.store.stream_info(f"account-{made['margaret']}")
    assert forgotten is not None and forgotten.status is StreamStatus.FORGOTTEN
    busy = f"account-{made['ada']}"
    info = bank.store.stream_info(busy)
    assert info is not None and info.version >= 25
    assert [s.version for s in bank.store.snapshots(busy)] == [10, 20, 30]
    assert bank.handler.load(made["ada"]).snapshot is not None
    ledger = bank.view("ledger")
    ledger.catch_up()
    assert ledger_law_holds(ledger.rows())
    assert {k for k in ledger.rows() if k.startswith("currency:")} == {
        "currency:EUR",
        "currency:JPY",
    }


def test_traffic_contends_on_a_few_hot_accounts() -> None:
    assert ACCOUNTS.traffic is not None
    known = [f"a{i}" for i in range(10)] + ["transfer-x1"]
    rng = random.Random(3)
    drawn = [ACCOUNTS.traffic.draw(rng, known) for _ in range(2000)]
    touched: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for command in drawn:
        if command is None:
            continue
        kinds[type(command).__name__] += 1
        if isinstance(command, Deposit | Withdraw):
            touched[command.account_id] += 1
            assert command.amount > 0
        elif isinstance(command, RequestTransfer):
            touched[command.from_account] += 1
            touched[command.to_account] += 1
            assert command.from_account != command.to_account
    assert {"OpenAccount", "Deposit", "Withdraw", "RequestTransfer"} <= set(kinds)
    assert "transfer-x1" not in touched
    hot = sum(touched[a] for a in known[:3])
    assert hot > 0.7 * sum(touched.values())
    assert all(
        ACCOUNTS.traffic.draw(rng, []) is None or type(c).__name__ == "OpenAccount"
        for c in [ACCOUNTS.traffic.draw(rng, []) for _ in range(50)]
        if c is not None
    )


def test_accounts_is_a_built_in_domain_told_apart_from_ideas(tmp_path: Path) -> None:
    assert load_domain("accounts") is ACCOUNTS
    assert built_in()["accounts"] is ACCOUNTS
    events, _, _ = demo_events(tmp_path / "a", 7)
    assert domain_for({e[2] for e in events}) is ACCOUNTS
    assert domain_for({"IdeaCreationRequested"}) is not ACCOUNTS
    assert not set(ACCOUNTS.events().types()) & set(load_domain("ideas").events().types())
    amounts = [e[3]["amount"] for e in events if "amount" in e[3]]
    assert amounts and all(isinstance(a, str) for a in amounts)
    assert all(Decimal(a) > 0 for a in amounts)


def test_a_person_sees_only_the_account_and_transfer_commands() -> None:
    names = [spec.name for spec in ACCOUNTS.person_commands]
    assert names == [
        "OpenAccount",
        "Deposit",
        "Withdraw",
        "CloseAccount",
        "ForgetHolder",
        "RequestTransfer",
    ]
    assert ACCOUNTS.command("RequestTransfer").stream_prefix == "transfer"


def floats_in(value: object) -> list[object]:
    """Every float anywhere inside a JSON-like value."""
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in floats_in(v)]
    if isinstance(value, list | tuple):
        return [f for v in value for f in floats_in(v)]
    return []


def test_no_float_in_events_snapshots_read_models_or_json_states(tmp_path: Path) -> None:
    bank = make_bank("sqlite", tmp_path / "a", new_id=counter_ids())
    try:
        assert ACCOUNTS.seed_demo is not None
        ACCOUNTS.seed_demo(bank.handler, 7)
        records = bank.store.read_all()
        assert not floats_in([bank.handler.codec.open(e) for e in records])
        snapshots = [
            s for info in bank.store.list_streams() for s in bank.store.snapshots(info.stream_id)
        ]
        assert snapshots and not floats_in([s.state for s in snapshots])
        for name in ("balances", "ledger"):
            view = bank.view(name)
            view.catch_up()
            assert view.rows() and not floats_in(view.rows())
        states = [
            bank.state(info.stream_id.removeprefix("account-"))
            for info in bank.store.list_streams()
        ]
        assert not floats_in([s.model_dump(mode="json") for s in states])
        assert {type(s.balance) for s in states} == {Decimal}
    finally:
        bank.store.close()
        bank.keys.close()
