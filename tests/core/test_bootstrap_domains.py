"""`bootstrap()` wires any domain: the generic handler, read models on the backend's rows,
process managers, forget with an erasure report; raw mode when there is no domain, the
store is foreign, or it holds event types the domain does not know."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.backends import SealedRowStorage
from domain.bootstrap import RAW_MODE, System, bootstrap
from domain.core.errors import StoreReadOnlyError
from domain.core.loading import DomainLoadError


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    if request.param == "postgresql":
        from tests.store.test_postgres_helpers import fresh_url

        monkeypatch.setenv("ES_TUI_KEK_DIR", str(tmp_path / "kek"))
        return fresh_url()
    return "memory:" if request.param == "memory" else f"sqlite:///{tmp_path / 'bank.db'}"


@pytest.fixture
def bank(store_url: str) -> Iterator[System]:
    system = bootstrap(store_url, domain="accounts", demo=True)
    try:
        yield system
    finally:
        system.close()


def test_accounts_run_on_the_generic_parts(bank: System) -> None:
    assert bank.domain is not None and bank.domain.name == "accounts"
    assert bank.handler is not None and bank.handler.domain is bank.domain
    assert (bank.ideas, bank.view, bank.process_manager, bank.codec) == (None,) * 4
    assert set(bank.views) == {"balances", "ledger"}
    assert [m.spec.name for m in bank.managers] == ["transfer-saga"]
    assert "AccountOpened" in bank.registry.types()
    seeded: Any = bank.seeded
    balances = bank.views["balances"].rows()
    assert balances[seeded["ada"]]["holder"] == "Ada Lovelace"
    assert balances[seeded["margaret"]]["holder"] == ""  # forgotten by the demo
    assert bank.warnings == [] and not bank.read_only


def test_a_new_transfer_is_carried_out_by_the_saga(bank: System) -> None:
    seeded: Any = bank.seeded
    assert bank.handler is not None
    before = bank.views["balances"].rows()[seeded["ken"]]["balance"]
    bank.handler.execute(
        bank.handler.build(
            "RequestTransfer",
            {"from_account": seeded["yukihiro"], "to_account": seeded["ken"], "amount": "100"},
        )
    )
    for _ in range(5):  # each saga step is a commit the manager reacts to
        for manager in bank.managers:
            manager.catch_up()
    bank.views["balances"].catch_up()
    after = bank.views["balances"].rows()[seeded["ken"]]["balance"]
    assert int(after) == int(before) + 100


def test_forgetting_a_holder_leaves_a_clean_erasure_report(bank: System) -> None:
    seeded: Any = bank.seeded
    ada = seeded["ada"]
    secrets = bank.eraser.secrets(ada)
    assert "Ada Lovelace" in secrets.texts and secrets.key is not None
    outcome, report = bank.eraser.forget(ada)
    assert outcome.events[0].type == "HolderForgotten"
    assert report.clean, report.as_dict()
    places = {f.place for f in report.findings}
    assert {"events", "global log", "snapshots", "read model", "key store"} <= places
    assert bank.views["balances"].rows()[ada]["holder"] == ""


def test_a_holder_name_kept_in_clear_in_the_read_model_is_found(bank: System) -> None:
    # The read model's check is real: a private value left readable there is a residue.
    seeded: Any = bank.seeded
    grace = seeded["grace"]
    secrets = bank.eraser.secrets(grace)
    bank.eraser.forget(grace)
    rows = bank.views["balances"].storage
    assert isinstance(rows, SealedRowStorage)
    # Something wrote the name at rest unsealed (the sealing wrapper bypassed).
    rows.inner.commit({grace: {"holder": "Grace Hopper"}}, set(), 10**9, first=10**9)
    report = bank.eraser.verify(grace, secrets)
    (found,) = [f for f in report.findings if f.place == "read model"]
    assert not found.clean


def test_the_accounts_demo_is_reopened_not_seeded_twice(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    first = bootstrap(url, domain="accounts", demo=True)
    head = first.store.head_position()
    rows = first.views["balances"].rows()
    first.close()
    again = bootstrap(url, domain="accounts", demo=True)
    try:
        assert again.store.head_position() == head and again.seeded is None
        assert again.views["balances"].rows() == rows  # kept in the file, read back opened
    finally:
        again.close()


def test_no_domain_is_raw_mode_read_only(store_url: str) -> None:
    system = bootstrap(store_url, domain=None)
    try:
        assert (system.domain, system.handler, system.ideas) == (None, None, None)
        assert system.views == {} and system.managers == []
        assert system.read_only and system.warnings == [RAW_MODE]
        with pytest.raises(StoreReadOnlyError):
            system.eraser.forget("idea-1")
    finally:
        system.close()


@pytest.mark.parametrize("domain", ["ideas", "accounts"])
def test_a_store_of_unknown_event_types_opens_raw(tmp_path: Path, domain: str) -> None:
    other = "accounts" if domain == "ideas" else "ideas"
    url = f"sqlite:///{tmp_path / 'other.db'}"
    bootstrap(url, domain=other, demo=True).close()
    system = bootstrap(url, domain=domain)
    try:
        assert system.domain is None and system.handler is None and system.read_only
        (warning,) = system.warnings
        assert warning.startswith(RAW_MODE) and f"the {domain} domain" in warning
        written = set(bootstrap(url, domain=other, read_only=True).registry.types())
        unknown = sorted({e.type for e in system.store.read_all()} - set(_types(domain)) & written)
        assert all(t in warning for t in unknown[:10])
        if len(unknown) > 10:
            assert f"and {len(unknown) - 10} more" in warning
            assert unknown[10] not in warning
        assert system.store.head_position() > 0  # every event is still shown
    finally:
        system.close()


def _types(name: str) -> list[str]:
    from domain.domains import load_domain

    return load_domain(name).events().types()


def test_a_foreign_store_is_always_raw(tmp_path: Path) -> None:
    from tests.foreign.conftest import sqlite_system

    written = sqlite_system(tmp_path / "es", "plain")
    system = bootstrap(written.bank_url, domain="ideas")
    try:
        assert system.domain is None and system.read_only
        assert RAW_MODE in system.warnings
        assert system.store.head_position() > 0
    finally:
        system.close()


@pytest.mark.parametrize("spec", ["no_such_domain", "./missing.py", "json"])
def test_a_domain_that_cannot_be_loaded_is_refused(spec: str) -> None:
    with pytest.raises(DomainLoadError):
        bootstrap("memory:", domain=spec)
