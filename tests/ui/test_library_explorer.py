"""A database the `eventsourcing` library wrote, in the explorer: its aggregates with their
classes, the library's versions and notification ids, payloads decoded exactly, its
snapshots, and what the application writes meanwhile from another process — and the files
are left as they were."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.bootstrap import bootstrap
from es_tui.app import ExplorerApp
from es_tui.screens.consumers import ConsumersScreen
from tests.foreign.bank_app import sqlite_env
from tests.foreign.conftest import sqlite_system, written_system
from tests.foreign.test_eventsourcing_live import Child, files_of
from tests.ui.conftest import text_of, wait_for, wait_text


async def test_a_library_database_is_shown_as_the_library_wrote_it(tmp_path: Path) -> None:
    written = sqlite_system(tmp_path / "app", "compressed")
    before = files_of(tmp_path / "app")
    system = bootstrap(written.bank_url, threaded=True)
    try:
        app = ExplorerApp(system)
        async with app.run_test(size=(160, 48)) as pilot:
            main = app.main_screen
            streams = await wait_text(pilot, lambda: main.streams, "Customer")
            assert streams.count("BankAccount") == len(written.accounts)
            await pilot.press("down", "enter")  # the first account's timeline
            timeline = await wait_text(pilot, lambda: main.timeline.events, "Deposited")
            account = written.accounts[0]
            mine = [n for n in written.notifications if n[1] == account.hex]
            for position, _, version, topic in mine:  # the library's versions and ids
                line = next(
                    ln
                    for ln in timeline.splitlines()
                    if ln.split()[:2] == [str(version), str(position)]
                )
                assert topic.rpartition(".")[2] in line
            await pilot.press("home")
            details = await wait_text(pilot, lambda: main.timeline.details, "BankAccount.Opened")
            assert written.opened_on.isoformat() in details  # datetimes as ISO text
            assert f'"{written.limit}"' in details  # decimals exact: 1234.5600, not 1234.56
            assert str(account) in details  # UUIDs as their text
            assert "tests.foreign.bank_app:BankAccount" in details  # aggregate class, topic
            await pilot.press("down")
            details = await wait_text(pilot, lambda: main.timeline.details, "Deposited")
            assert '"reference": "00000000-0000-0000-0000-000000000000"' in details
            snapshots = await wait_text(pilot, lambda: main.snapshots, "v")
            for version in written.snapshot_versions[account]:
                assert f"v{version} " in snapshots
            await pilot.press("q")
    finally:
        system.close()
    assert files_of(tmp_path / "app") == before  # opened, read, followed: not one byte changed


async def test_what_the_application_writes_meanwhile_appears(tmp_path: Path) -> None:
    bank_db, audit_db = tmp_path / "bank.db", tmp_path / "audit.db"
    child = Child(sqlite_env(str(bank_db), str(audit_db)), 4)
    system = bootstrap(f"eventsourcing+sqlite:///{bank_db}?app=Bank", threaded=True)
    try:
        app = ExplorerApp(system)
        async with app.run_test(size=(160, 48)) as pilot:
            main = app.main_screen
            await wait_text(pilot, lambda: main.streams, "BankAccount")

            def head_shown() -> int:
                line = next(ln for ln in text_of(main.streams).splitlines() if "$all" in ln)
                return int(line.split()[1])

            def account_row() -> str:
                return next(ln for ln in text_of(main.streams).splitlines() if "BankAccount" in ln)

            async def until(shown: Callable[[], int], target: int) -> None:
                await wait_for(pilot, lambda: shown() == target, f"{target} events shown")

            for n in range(1, 5):
                assert await asyncio.to_thread(child.deposit) == n
                await until(head_shown, n + 1)
                assert str(n + 1) in account_row()  # the account's version, live
            await pilot.press("enter")  # $all: every event the child wrote
            shown = await wait_text(pilot, lambda: main.timeline.events, "Deposited")
            assert shown.count("BankAccount.Deposited") == 4
    finally:
        system.close()
        child.stop()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_each_backend_of_the_library_opens_in_the_explorer_with_its_consumers(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    written = written_system(backend, "encrypted", tmp_path_factory)
    system = bootstrap(written.bank_url, threaded=True)
    try:
        app = ExplorerApp(system)
        async with app.run_test(size=(160, 48)) as pilot:
            main = app.main_screen
            await wait_text(pilot, lambda: main.streams, "Customer")
            assert "READ-ONLY" in app.sub_title
            await pilot.press("down", "enter")
            details = await wait_text(pilot, lambda: main.timeline.details, "encrypted")
            assert "tests.foreign.bank_app:" in details  # no key at hand: said so, no crash
            await pilot.press("u")
            await wait_for(pilot, lambda: isinstance(app.screen, ConsumersScreen), "consumers")
            screen = app.screen
            assert isinstance(screen, ConsumersScreen)
            await wait_for(
                pilot, lambda: any(r.name.lower().startswith("audit") for r in screen.rows), "Audit"
            )
            audit = next(r for r in screen.rows if r.name.lower().startswith("audit"))
            assert audit.position == written.audit_position
    finally:
        system.close()
