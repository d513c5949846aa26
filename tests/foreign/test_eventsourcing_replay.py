"""Time travel with the application's own classes: an aggregate rebuilt by the library's
mutate from what es-tui read equals the library's `repository.get(id, version=v)`."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from domain.backends import open_store
from domain.backends.eventsourcing.replay import (
    ReplayError,
    aggregate_at,
    import_modules,
    state_json,
)
from domain.backends.eventsourcing.store import EventsourcingStore
from tests.cli.conftest import run_cli
from tests.foreign.bank_app import Bank
from tests.foreign.conftest import Written


def _open(url: str) -> EventsourcingStore:
    store = open_store(url)
    assert isinstance(store, EventsourcingStore)
    return store


@pytest.mark.usefixtures("keyed")
def test_every_version_equals_the_librarys_own(written: Written) -> None:
    import_modules(["tests.foreign.bank_app"])
    hidden = {k: os.environ.pop(k) for k in list(os.environ) if k.endswith("CIPHER_KEY")}
    try:
        bank = Bank(env=written.env)
    finally:
        os.environ.update(hidden)
    store = _open(written.bank_url)
    try:
        for stream in [*written.accounts, *written.customers]:
            last = store.stream_info(str(stream))
            assert last is not None
            for version in range(1, last.version + 1):
                rebuilt = aggregate_at(store, str(stream), version)
                assert rebuilt == bank.repository.get(stream, version=version)
                assert rebuilt.version == version
            assert aggregate_at(store, str(stream)) == bank.repository.get(stream)
        account = written.accounts[0]
        snap = store.latest_snapshot(str(account))
        assert snap is not None
        shown = state_json(aggregate_at(store, str(account), snap.version))
        assert {k: v for k, v in snap.state.items() if k != "_topic_"}.items() <= shown.items()
    finally:
        store.close()
        bank.close()


@pytest.mark.usefixtures("keyless")
def test_a_sealed_or_missing_stream_cannot_be_rebuilt(written: Written) -> None:
    store = _open(written.bank_url)
    try:
        account = str(written.accounts[0])
        if written.variant in ("encrypted", "both"):
            with pytest.raises(ReplayError, match="encrypted"):
                aggregate_at(store, account, 2)
        else:
            assert aggregate_at(store, account, 2).version == 2
        with pytest.raises(ReplayError, match="no such stream"):
            aggregate_at(store, "00000000-0000-0000-0000-000000000000")
    finally:
        store.close()


def test_an_unimportable_module_is_refused() -> None:
    with pytest.raises(ReplayError, match="no_such_module"):
        import_modules(["no_such_module_here"])


@pytest.mark.usefixtures("keyed")
def test_the_state_command(
    written: Written, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    account = str(written.accounts[0])
    url = written.bank_url
    result = run_cli(
        capsys,
        "--store",
        url,
        "state",
        account,
        "--version",
        "3",
        "--import",
        "tests.foreign.bank_app",
    )
    assert result.code == 0, result.err
    shown = result.json()
    assert (shown["version"], shown["aggregate"]) == (3, "tests.foreign.bank_app:BankAccount")
    store = _open(url)
    try:
        events = store.read_stream(account, 1, 3)
    finally:
        store.close()
    assert Decimal(shown["state"]["balance"]) == sum(Decimal(e.data["amount"]) for e in events[1:])
    assert shown["state"]["owner"] == "ann"
    latest = run_cli(capsys, "--store", url, "state", account)
    assert latest.json()["version"] == written.final_states[written.accounts[0]].version
    missing = run_cli(capsys, "--store", url, "state", "no-such-stream")
    assert missing.code == 5
    native = run_cli(capsys, "--store", f"sqlite:///{tmp_path / 'ideas.db'}", "state", account)
    assert native.code == 2 and "eventsourcing+sqlite" in native.err
    assert not (tmp_path / "ideas.db").exists()
