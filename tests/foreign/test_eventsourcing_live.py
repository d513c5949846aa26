"""Opening an `eventsourcing` database never changes it, and what the application writes
while es-tui watches reaches es-tui's listeners."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from domain.backends import open_store
from domain.backends.eventsourcing.store import EventsourcingStore
from domain.core.records import RecordedEvent
from tests.foreign.bank_app import Bank, postgres_env, run_system, sqlite_env
from tests.foreign.conftest import sqlite_system
from tests.store.conftest import BACKENDS, require
from tests.store.test_postgres_helpers import new_schema, server_url

REPO = Path(__file__).resolve().parents[2]
DEADLINE = 30.0


def wait_for(condition: Callable[[], bool], timeout: float = DEADLINE) -> bool:
    """Poll `condition` until true or `timeout` seconds pass."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def files_of(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in `directory` with its bytes and modification time."""
    return {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(directory.iterdir())
        if p.is_file()
    }


def read_everything(store: EventsourcingStore) -> None:
    """Every read the port offers, and a subscription that polls."""
    for info in store.list_streams():
        store.read_stream(info.stream_id)
        store.stream_info(info.stream_id)
        store.snapshots(info.stream_id)
        store.latest_snapshot(info.stream_id)
        store.stream_aggregate(info.stream_id)
    store.read_all()
    store.head_position()
    store.consumers()  # type: ignore[attr-defined]
    sub = store.subscribe(lambda events: None)
    store.poll()
    sub.close()


def test_opening_reading_and_subscribing_leave_the_files_as_they_were(tmp_path: Path) -> None:
    written = sqlite_system(tmp_path / "app", "both")
    before = files_of(tmp_path / "app")
    assert set(before) == {"bank.db", "audit.db"}  # the application closed: no WAL left
    for url in (written.bank_url, written.audit_url):
        store = open_store(url)
        assert isinstance(store, EventsourcingStore)
        try:
            read_everything(store)
            time.sleep(0.5)  # let the poller run a few rounds too
        finally:
            store.close()
    assert files_of(tmp_path / "app") == before


def test_reading_while_the_application_writes_leaves_no_file_behind(tmp_path: Path) -> None:
    bank_db, audit_db = tmp_path / "bank.db", tmp_path / "audit.db"
    runner = run_system(sqlite_env(str(bank_db), str(audit_db)))
    store: EventsourcingStore | None = None
    seen: list[RecordedEvent] = []
    try:
        bank = runner.get(Bank)
        account = bank.open_account("ann", datetime.now(UTC), Decimal("5"))
        assert (tmp_path / "bank.db-wal").exists()  # the application is running
        opened = open_store(f"eventsourcing+sqlite:///{bank_db}?app=Bank")
        assert isinstance(opened, EventsourcingStore)
        store = opened
        store.subscribe(seen.extend)
        for n in range(5):
            bank.deposit(account, Decimal(n), uuid.uuid4())
            read_everything(store)
        assert wait_for(lambda: len(seen) == 5)
    finally:
        if store is not None:
            store.close()
        runner.stop()
    # the application's own close removes its WAL: no reader of ours left a file behind
    assert {p.name for p in tmp_path.iterdir()} == {"bank.db", "audit.db"}
    after_app = files_of(tmp_path)
    again = open_store(f"eventsourcing+sqlite:///{bank_db}?app=Bank")
    assert isinstance(again, EventsourcingStore)
    read_everything(again)
    assert [e.data.get("amount") for e in again.read_all()][1:] == ["0", "1", "2", "3", "4"]
    again.close()
    assert files_of(tmp_path) == after_app


class Child:
    """The application in another process, depositing once per line it is sent."""

    def __init__(self, env: dict[str, str], count: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.foreign.bank_app", json.dumps(env), str(count)],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={k: v for k, v in os.environ.items() if not k.endswith("CIPHER_KEY")},
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        self.account = uuid.UUID(self.stdout.readline().strip())

    def deposit(self) -> int:
        """Ask for one deposit and wait until the child says it is stored."""
        self.stdin.write("\n")
        self.stdin.flush()
        return int(self.stdout.readline())

    def stop(self) -> None:
        self.stdin.close()
        self.proc.wait(timeout=DEADLINE)


def _child_env(backend: str, tmp_path: Path) -> tuple[dict[str, str], str]:
    if backend == "sqlite":
        bank_db, audit_db = tmp_path / "bank.db", tmp_path / "audit.db"
        env = sqlite_env(str(bank_db), str(audit_db))
        return env, f"eventsourcing+sqlite:///{bank_db}?app=Bank"
    require(BACKENDS["postgresql"])
    url, schema = server_url(), new_schema()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')  # type: ignore[arg-type]
    sep = "&" if "?" in url else "?"
    return postgres_env(url, schema), f"eventsourcing+{url}{sep}schema={schema}&app=Bank"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_events_another_process_writes_are_delivered(backend: str, tmp_path: Path) -> None:
    env, url = _child_env(backend, tmp_path)
    child = Child(env, 5)
    try:
        store = open_store(url)
        delivered: list[Sequence[RecordedEvent]] = []
        lock = threading.Lock()

        def listener(events: Sequence[RecordedEvent]) -> None:
            with lock:
                delivered.append(list(events))

        store.subscribe(listener)
        try:
            head = store.head_position()
            for n in range(1, 6):
                assert child.deposit() == n
                assert wait_for(lambda n=n: sum(len(b) for b in delivered) == n), (
                    f"deposit {n} not delivered"
                )
            events = [e for batch in delivered for e in batch]
            assert [e.position for e in events] == list(range(head + 1, head + 6))
            assert [e.type for e in events] == ["BankAccount.Deposited"] * 5
            assert [e.stream_id for e in events] == [str(child.account)] * 5
            assert [e.data["amount"] for e in events] == ["1", "2", "3", "4", "5"]
        finally:
            store.close()
    finally:
        child.stop()
