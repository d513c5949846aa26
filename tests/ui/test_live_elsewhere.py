"""Live across processes and hosts: a real child process writing to the same SQLite file, and
two explorers on one PostgreSQL database. What one writes, the others show within a second,
and their process managers answer each request once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from domain.bootstrap import bootstrap
from es_tui.app import ExplorerApp
from tests.store.test_postgres_helpers import fresh_url
from tests.ui.conftest import text_of, wait_for, wait_text

# The explorer polls other processes' commits (every 0.2 s); a deadline generous enough for a
# busy machine: what is checked is that they show up unasked, not how fast.
DEADLINE = 30.0


async def test_a_child_process_publish_shows_up_unasked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ideas.db'}"
    system = bootstrap(url, pm_delay=0.05, threaded=True)
    try:
        app = ExplorerApp(system)
        async with app.run_test(size=(160, 48)) as pilot:
            main = app.main_screen
            await wait_text(pilot, lambda: main.streams, "$all")
            child = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "es_tui",
                    "--store",
                    url,
                    "--no-react",
                    "publish",
                    "--title",
                    "From a child process",
                    "--desc",
                    "Another process wrote this.",
                ],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            stream = next(part for part in child.stdout.split('"') if part.startswith("idea-"))
            await wait_text(pilot, lambda: main.streams, stream, timeout=DEADLINE)
            # This process's manager answers the other process's request; every pane follows.
            await wait_for(
                pilot, lambda: len(system.store.read_stream(stream)) == 2, "the answer", DEADLINE
            )
            row = await wait_text(pilot, lambda: main.projection.ideas, stream, DEADLINE)
            assert "From a child" in row  # the title, cut to the pane's width
    finally:
        system.close()


async def test_two_explorers_on_one_postgres_database() -> None:
    url = fresh_url()
    first = bootstrap(url, pm_delay=0.2, threaded=True, accept_probability=1.0)
    second = bootstrap(url, pm_delay=0.2, threaded=True, accept_probability=1.0)
    try:
        app_a, app_b = ExplorerApp(first), ExplorerApp(second)
        async with (
            app_a.run_test(size=(160, 48)) as pilot_a,
            app_b.run_test(size=(160, 48)) as pilot_b,
        ):
            await wait_text(pilot_a, lambda: app_a.main_screen.streams, "$all")
            await wait_text(pilot_b, lambda: app_b.main_screen.streams, "$all")
            # A person publishes in the first explorer, through its form.
            await pilot_a.press("p")
            await pilot_a.pause()
            for ch in "Shared on PostgreSQL":
                await pilot_a.press(ch if ch != " " else "space")
            await pilot_a.press("tab")
            for ch in "Both explorers see it":
                await pilot_a.press(ch if ch != " " else "space")
            await pilot_a.press("ctrl+s")
            await wait_for(
                pilot_a, lambda: first.store.head_position() >= 1, "the publish", DEADLINE
            )
            stream = first.store.read_all(1, 1)[0].stream_id
            await wait_text(pilot_b, lambda: app_b.main_screen.streams, stream, DEADLINE)
            # Both managers saw the request; exactly one answer was stored.
            row = await wait_text(
                pilot_b, lambda: app_b.main_screen.projection.ideas, stream, DEADLINE
            )
            assert "Shared on" in row  # the title, cut to the pane's width
            await wait_for(
                pilot_b, lambda: len(second.store.read_stream(stream)) >= 2, "an answer", 10
            )
            # Both managers have consumed the request (and any answer): a second answer, had
            # either written one, would be stored by now.
            await wait_for(
                pilot_b,
                lambda: not first.process_manager.lag() and not second.process_manager.lag(),
                "both managers to catch up",
                DEADLINE,
            )
            types = [e.type for e in second.store.read_stream(stream)]
            assert types == ["IdeaCreationRequested", "IdeaCreationAccepted"]
            # The first explorer's read model follows the answer, whichever manager wrote it.
            await wait_for(
                pilot_a,
                lambda: any(
                    "accepted" in line and "Shared on" in line
                    for line in text_of(app_a.main_screen.projection.ideas).splitlines()
                ),
                "the first explorer to show the idea accepted",
                DEADLINE,
            )
    finally:
        second.close()
        first.close()
