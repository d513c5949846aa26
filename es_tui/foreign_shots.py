"""Screenshot scenario of a database the `eventsourcing` library wrote, shown by the
explorer: a small lending-library application writes it with the library itself (a dev
dependency, like the screenshots), then the explorer opens it read-only with the
application's classes imported. Called by `es_tui.screenshots`."""

from __future__ import annotations

import tempfile
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Final

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from textual.pilot import Pilot

from domain.backends.eventsourcing.snapshot_check import SnapshotComparison
from domain.bootstrap import bootstrap
from es_tui.app import ExplorerApp

WIDE = (160, 48)
SMALL = (80, 24)
OPENED = datetime(2024, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=1)))


class Book(Aggregate):
    """A book of the lending library."""

    @event("Catalogued")
    def __init__(self, title: str, price: Decimal, since: datetime) -> None:
        self.title = title
        self.price = price
        self.since = since
        self.borrower: str | None = None
        self.loans = 0

    @event("Lent")
    def lend(self, borrower: str, due: datetime) -> None:
        self.borrower = borrower
        self.loans += 1

    @event("Returned")
    def give_back(self, condition: str) -> None:
        self.borrower = None


class Lending(Application[uuid.UUID]):
    """The books, snapshotted every 4 events."""

    snapshotting_intervals = {Book: 4}


def write_library_database(path: Path) -> str:
    """Write the lending library's events to an SQLite file; its eventsourcing+ URL."""
    app = Lending(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)})
    titles = ("Middlemarch", "Bleak House", "The Waves")
    for n, title in enumerate(titles):
        book = Book(title, Decimal(f"{12 + n}.50"), OPENED + timedelta(days=n))
        app.save(book)
        for k in range(2 + 2 * n):  # saved event by event: snapshots at the interval
            book.lend(("ann", "bob", "cyd")[k % 3], OPENED + timedelta(days=14 + k))
            app.save(book)
            book.give_back(("good", "worn")[k % 2])
            app.save(book)
    app.close()
    return f"eventsourcing+sqlite:///{path}?app=Lending"


async def _on_a_book(app: ExplorerApp, pilot: Pilot[None]) -> None:
    from es_tui.screenshots import settle

    main = app.main_screen
    await settle(pilot, lambda: main.streams.row_count > 3)
    last = app.system.store.list_streams()[-1].stream_id
    main.select_stream(last)
    await settle(pilot, lambda: main.timeline.stream_id == last)
    await pilot.press("2")
    main.timeline.events.move_to(5)
    await settle(pilot, lambda: main.event is not None and main.event.version == 6)


async def _replaying_a_book(app: ExplorerApp, pilot: Pilot[None]) -> None:
    from es_tui.screens.library_replay import LibraryReplayScreen
    from es_tui.screenshots import settle

    await _on_a_book(app, pilot)
    await pilot.press("r")
    await settle(
        pilot,
        lambda: (
            isinstance(app.screen, LibraryReplayScreen)
            and isinstance(app.screen.result, SnapshotComparison)
        ),
    )


SHOTS: Final = (
    ("library-database", WIDE, _on_a_book),
    ("library-database-80x24", SMALL, _on_a_book),
    ("library-replay", WIDE, _replaying_a_book),
    ("library-replay-80x24", SMALL, _replaying_a_book),
)
"""The library's pictures: name, size, what to show."""


async def shoot_library(folder: Path, only: str = "") -> list[Path]:
    """The lending library's database in the explorer, and replay on one of its books, at
    160×48 and at 80×24 (those whose name starts with `only`)."""
    from es_tui.screenshots import keep_spaces

    folder.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    with tempfile.TemporaryDirectory() as work:
        url = write_library_database(Path(work) / "lending.db")
        for name, size, scenario in SHOTS:
            if not name.startswith(only):
                continue
            system = bootstrap(url, threaded=True)
            try:
                app = ExplorerApp(system, imported=True)
                async with app.run_test(size=size) as pilot:
                    await scenario(app, pilot)
                    path = folder / f"{name}.svg"
                    path.write_text(keep_spaces(app.export_screenshot()), encoding="utf-8")
                    shots.append(path)
            finally:
                system.close()
    return shots
