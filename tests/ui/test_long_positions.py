"""Positions of eight digits and more (a log past 10,000,000 events) are shown whole in `$all`
and in a stream's events, not cut to an ellipsis."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.bootstrap import bootstrap
from domain.core.records import RecordedEvent
from es_tui.app import ExplorerApp
from es_tui.sources import GlobalLogSource, StreamEventsSource
from es_tui.widgets.columns import layout_row, visible_columns
from tests.ui.conftest import wait_for, wait_text

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def records(first: int, count: int) -> list[RecordedEvent]:
    return [
        RecordedEvent(
            event_id=uuid.uuid4(),
            stream_id=f"thing-{n % 3}",
            version=n // 3 + 1,
            position=first + n,
            type="Noted",
            schema_version=1,
            recorded_at=T0 + timedelta(seconds=n),
            data={"n": n},
            metadata={},
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("first", [9_999_990, 12_345_670, 1_234_567_890_120])
def test_every_position_fits_its_column(first: int, tmp_path: Path) -> None:
    system = bootstrap(f"sqlite:///{tmp_path / 'long.db'}", domain=None)
    try:
        system.store.import_records(records(first, 30))
        last = system.store.read_all()[-1]
        for source, row in (
            (GlobalLogSource(system.store, lambda _r: 1), last),
            (StreamEventsSource(system.store, last.stream_id, lambda _r: 1), last),
        ):
            source.count()  # as the list does before drawing
            line = layout_row(visible_columns(source.columns, 100), source.cells(row)).plain
            assert str(last.position) in line and "…" not in line, line
    finally:
        system.close()


async def test_the_explorer_shows_the_newest_position_whole(tmp_path: Path) -> None:
    system = bootstrap(f"sqlite:///{tmp_path / 'long.db'}", domain=None)
    system.store.import_records(records(12_345_670, 40))
    head = system.store.head_position()
    app = ExplorerApp(system)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            timeline = app.main_screen.timeline.events
            await wait_for(pilot, lambda: timeline.row_count == head, "the log")
            shown = await wait_text(pilot, lambda: timeline, str(head))
            assert "…" not in shown
    finally:
        system.close()
