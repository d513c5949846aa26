"""Commits by another process on the same SQLite file appear in every pane, live."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.bootstrap import System, bootstrap
from es_tui.app import ExplorerApp
from tests.ui.conftest import wait_for, wait_text


@pytest.fixture
def shared_file(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ideas.db'}"


@pytest.fixture
def watcher(shared_file: str) -> Iterator[System]:
    """The explorer's process: consumers on threads, like `es-tui --store URL`."""
    system = bootstrap(shared_file, pm_delay=0.05, threaded=True)
    yield system
    system.close()


@pytest.fixture
def writer(shared_file: str) -> Iterator[System]:
    """Another process's system on the same file (its own connections and consumers off)."""
    system = bootstrap(shared_file, start=False)
    yield system
    system.close()


async def test_a_publish_from_another_process_shows_up(watcher: System, writer: System) -> None:
    app = ExplorerApp(watcher)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        await wait_text(pilot, lambda: main.streams, "$all")
        outcome = writer.ideas.publish("From elsewhere", "Written by another process.")
        stream = outcome.stream_id
        await wait_text(pilot, lambda: main.streams, stream, timeout=60)
        # The explorer's process manager answers; the timeline of $all shows both events.
        await wait_for(pilot, lambda: len(writer.store.read_stream(stream)) == 2, "the PM", 60)
        decision = writer.store.read_stream(stream)[1].type
        shown = await wait_text(pilot, lambda: main.timeline.events, decision, timeout=60)
        assert "IdeaCreationRequested" in shown and stream in shown
        await wait_text(pilot, lambda: main.projection.ideas, "From elsewhere", timeout=60)
        log = await wait_text(pilot, lambda: main.log_pane, f"{stream} v1", timeout=60)
        assert "IdeaCreationRequested" in log
        await wait_for(pilot, lambda: main.projection.status is not None, "the read model")
