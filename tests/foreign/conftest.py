"""Databases written by the `eventsourcing` library itself, in each of its stored formats,
and the facts the library reports about them (to compare es-tui's reading with).

SQLite always; PostgreSQL when ES_TUI_TEST_POSTGRES_URL is set (skipped locally without it,
failed under CI=true, like the store contract suite)."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.foreign.bank_app import (
    Audit,
    Bank,
    postgres_env,
    run_system,
    sqlite_env,
    with_variant,
)
from tests.store.conftest import BACKENDS, require
from tests.store.test_postgres_helpers import new_schema, server_url

VARIANTS = ("plain", "compressed", "encrypted", "both")
KEY = base64.b64encode(bytes(range(32))).decode()
"""The AES key the encrypted variants are written with (as the library reads CIPHER_KEY)."""


@dataclass
class Written:
    """One system written by the library, and what the library itself says about it."""

    backend: str
    variant: str
    bank_url: str
    audit_url: str
    env: dict[str, str]
    accounts: list[uuid.UUID] = field(default_factory=list)
    customers: list[uuid.UUID] = field(default_factory=list)
    references: list[uuid.UUID] = field(default_factory=list)
    opened_on: datetime = datetime(
        2024, 2, 29, 23, 59, 58, 123456, tzinfo=timezone(timedelta(hours=5, minutes=30))
    )
    limit: Decimal = Decimal("1234.5600")
    amounts: list[Decimal] = field(default_factory=list)
    notifications: list[tuple[int, str, int, str]] = field(default_factory=list)
    """(notification id, originator id, version, topic) as the library lists its log."""
    audit_notifications: list[tuple[int, str, int, str]] = field(default_factory=list)
    snapshot_versions: dict[uuid.UUID, list[int]] = field(default_factory=dict)
    audit_position: int = 0
    final_states: dict[uuid.UUID, Any] = field(default_factory=dict)


def write_system(written: Written) -> Written:
    """Run the system with the library and record what it stored."""
    # the library also reads os.environ: a key set there by a test would encrypt every variant
    hidden = {k: os.environ.pop(k) for k in list(os.environ) if k.endswith("CIPHER_KEY")}
    try:
        runner = run_system(written.env)
    finally:
        os.environ.update(hidden)
    try:
        bank = runner.get(Bank)
        audit = runner.get(Audit)
        for n, owner in enumerate(("ann", "bob")):
            account = bank.open_account(owner, written.opened_on, written.limit)
            written.accounts.append(account)
            for k in range(4 + n):
                reference = uuid.UUID(int=1000 * n + k)
                amount = Decimal(f"{k}.{n}5")
                bank.deposit(account, amount, reference)
                written.references.append(reference)
                written.amounts.append(amount)
        customer = bank.register("cy")
        bank.rename(customer, "cyd")
        written.customers.append(customer)
        written.notifications = [
            (n.id, _hex(n.originator_id), n.originator_version, n.topic)
            for n in bank.recorder.select_notifications(1, 1000)
        ]
        written.audit_notifications = [
            (n.id, _hex(n.originator_id), n.originator_version, n.topic)
            for n in audit.recorder.select_notifications(1, 1000)
        ]
        assert bank.snapshots is not None
        for account in written.accounts:
            written.snapshot_versions[account] = [
                s.originator_version for s in bank.snapshots.get(account)
            ]
            written.final_states[account] = bank.repository.get(account)
        written.audit_position = audit.recorder.max_tracking_id("Bank") or 0
    finally:
        runner.stop()
    return written


def _hex(originator_id: uuid.UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, uuid.UUID) else originator_id


def sqlite_system(directory: Path, variant: str) -> Written:
    """The system written to two SQLite files in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    bank_db, audit_db = directory / "bank.db", directory / "audit.db"
    env = with_variant(sqlite_env(str(bank_db), str(audit_db)), variant, KEY)
    return write_system(
        Written(
            "sqlite",
            variant,
            f"eventsourcing+sqlite:///{bank_db}?app=Bank&followers=Audit={audit_db}",
            f"eventsourcing+sqlite:///{audit_db}?app=Audit",
            env,
        )
    )


def postgres_system(variant: str) -> Written:
    """The system written to one schema of the test PostgreSQL server."""
    require(BACKENDS["postgresql"])
    url, schema = server_url(), new_schema()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')  # type: ignore[arg-type]
    env = with_variant(postgres_env(url, schema), variant, KEY)
    base = "eventsourcing+" + url + ("&" if "?" in url else "?") + f"schema={schema}"
    return write_system(
        Written("postgresql", variant, f"{base}&app=Bank", f"{base}&app=Audit", env)
    )


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


_cache: dict[tuple[str, str], Written] = {}


def written_system(backend: str, variant: str, tmp: pytest.TempPathFactory) -> Written:
    """The system for (`backend`, `variant`), written once per test session."""
    if backend == "postgresql":
        require(BACKENDS["postgresql"])
    found = _cache.get((backend, variant))
    if found is None:
        if backend == "sqlite":
            found = sqlite_system(tmp.mktemp(f"es-{variant}"), variant)
        else:
            found = postgres_system(variant)
        _cache[(backend, variant)] = found
    return found


@pytest.fixture(params=VARIANTS)
def written(
    request: pytest.FixtureRequest, backend_name: str, tmp_path_factory: pytest.TempPathFactory
) -> Written:
    """Each stored format on each backend."""
    return written_system(backend_name, str(request.param), tmp_path_factory)


@pytest.fixture
def keyless(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No cipher key in the environment."""
    for name in ("CIPHER_KEY", "BANK_CIPHER_KEY", "AUDIT_CIPHER_KEY"):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch, keyless: None) -> None:
    """The application's key in CIPHER_KEY, as the library reads it."""
    monkeypatch.setenv("CIPHER_KEY", KEY)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
