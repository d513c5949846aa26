"""Write SVG screenshots of the real explorer on the demo data: `python -m es_tui.screenshots
DIR` (what `make screenshots` runs). Each picture drives the app as a person would."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from domain.bootstrap import System, bootstrap
from domain.core.records import SnapshotPolicy, StreamStatus
from es_tui.app import ExplorerApp
from es_tui.screens.confirm import ConfirmCommand
from es_tui.screens.erasure import ErasureReportScreen
from es_tui.screens.lab import TwoWriterLab
from es_tui.screens.replay import ReplayScreen

WIDE = (160, 48)
SMALL = (80, 24)

Scenario = Callable[[ExplorerApp, Pilot[None]], Awaitable[None]]


LIFELONG = frozenset({"inspector", "pulse"})
"""Worker groups that run as long as their screen does: never idle, so not waited for."""


async def settle(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the app run until `condition()` holds and no worker is busy (or `timeout` passes)."""
    app = pilot.app
    assert isinstance(app, ExplorerApp)
    deadline = time.monotonic() + timeout

    def done() -> bool:
        busy = any(w.is_running for w in app.workers if w.group not in LIFELONG)
        return condition() and not busy and app.main_screen.requests.idle

    while not done() and time.monotonic() < deadline:
        await pilot.pause(0.02)
    await pilot.pause(0.1)  # let the workers' last messages land


def longest_stream(system: System) -> str:
    """The demo stream with the most events (it has snapshots)."""
    live = [s for s in system.store.list_streams() if s.status is StreamStatus.ACTIVE]
    return max(live, key=lambda s: s.version).stream_id


async def select(app: ExplorerApp, pilot: Pilot[None], stream_id: str) -> None:
    main = app.main_screen
    await settle(pilot, lambda: main.streams.row_count > 1)
    main.select_stream(stream_id)
    await settle(pilot, lambda: main.timeline.stream_id == stream_id)


async def main_screen(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """A long stream, time-travelled to two events before its end."""
    await select(app, pilot, longest_stream(app.system))
    await pilot.press("2", "up", "up", "up")
    main = app.main_screen
    # The read model's status (and the count in its title) is measured in a worker.
    await settle(
        pilot, lambda: main.state_pane.view is not None and main.projection.status is not None
    )


async def form_error(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """The publish form refusing a blank title, inline."""
    await select(app, pilot, longest_stream(app.system))
    await pilot.press("p")
    await settle(pilot, lambda: bool(app.screen.query("#title-error")))  # the form is open
    await pilot.press("space", "tab", *"Let readers vote", "enter")
    form = app.screen
    await settle(pilot, lambda: bool(str(form.query_one("#title-error", Static).content)))


async def replay(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """A replay from the first kept snapshot, five steps in."""
    await select(app, pilot, longest_stream(app.system))
    await pilot.press("r")
    await settle(pilot, lambda: isinstance(app.screen, ReplayScreen))
    screen = app.screen
    assert isinstance(screen, ReplayScreen)
    await settle(pilot, lambda: bool(screen.kept))
    await pilot.press("home", "down", "enter")
    await settle(pilot, lambda: screen.state is not None)
    await pilot.press(*"nnnnn")
    await settle(pilot, lambda: screen.applied == 5)


async def conflict_lab(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """B committed, A refused with expected vs actual version."""
    await select(app, pilot, longest_stream(app.system))
    await pilot.press("c")
    await settle(pilot, lambda: isinstance(app.screen, TwoWriterLab))
    lab = app.screen
    assert isinstance(lab, TwoWriterLab)
    await settle(pilot, lambda: len(lab.staged) == 2)
    await pilot.press("b")
    await settle(pilot, lambda: "B" in lab.results)
    await pilot.press("a")
    await settle(pilot, lambda: "A" in lab.results)


async def help_screen(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """The concepts and keys."""
    await select(app, pilot, longest_stream(app.system))
    await pilot.press("question_mark")
    await settle(pilot, lambda: True)


async def filtered(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """The global log filtered to its deletions (type IdeaDeleted, command DeleteIdea)."""
    main = app.main_screen
    await settle(pilot, lambda: main.streams.row_count > 1)
    await pilot.press("2", "slash")
    await settle(pilot, lambda: main.timeline.filter_input.has_focus)
    await pilot.press(*"delete", "enter")
    await settle(pilot, lambda: not main.timeline.filtering and bool(main.timeline.filter_query))


async def erasure_report(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """Forgetting the longest stream, then the erasure report, place by place."""
    await select(app, pilot, longest_stream(app.system))
    await pilot.press("f")
    await settle(pilot, lambda: isinstance(app.screen, ConfirmCommand))
    await pilot.press("y")
    await settle(pilot, lambda: isinstance(app.screen, ErasureReportScreen))


SHOTS: tuple[tuple[str, tuple[int, int], Scenario], ...] = (
    ("main", WIDE, main_screen),
    ("form-error", WIDE, form_error),
    ("replay", WIDE, replay),
    ("conflict-lab", WIDE, conflict_lab),
    ("help", WIDE, help_screen),
    ("filter", WIDE, filtered),
    ("erasure-report", WIDE, erasure_report),
    ("main-80x24", SMALL, main_screen),
    ("filter-80x24", SMALL, filtered),
    ("erasure-report-80x24", SMALL, erasure_report),
)


def all_shots() -> tuple[tuple[str, tuple[int, int], Scenario], ...]:
    """Every picture: the ones above and those of the views across events and versions."""
    from es_tui import explore_shots as more  # imports this module: loaded late

    return (
        *SHOTS,
        ("causation", WIDE, more.causation),
        ("diff", WIDE, more.diff),
        ("catalogue", WIDE, more.catalogue),
        ("versioning-lab", WIDE, more.versioning_lab),
        ("causation-80x24", SMALL, more.causation),
        ("diff-80x24", SMALL, more.diff),
        ("catalogue-80x24", SMALL, more.catalogue),
        ("versioning-lab-80x24", SMALL, more.versioning_lab),
    )


def demo_system() -> System:
    """The demo data, with a synchronous process manager so every picture is the same."""
    return bootstrap("memory:", demo=True, seed=7, snapshot_policy=SnapshotPolicy(10, 3))


def keep_spaces(svg: str) -> str:
    """The SVG with its text's spaces kept by every renderer: each styled run is one <text>
    element, and some renderers (librsvg, so rsvg-convert and many image viewers) drop the
    leading spaces of an element unless told to preserve them, gluing "IdeaUpdated" and
    "idea-6f0367 v22" into "IdeaUpdatedidea-6f0367 v22"."""
    return svg.replace("<svg ", '<svg xml:space="preserve" ', 1)


def accounts_shots() -> tuple[tuple[str, tuple[int, int], Scenario], ...]:
    """The pictures of the explorer on the accounts domain (named `accounts-…`)."""
    from es_tui import accounts_shots as acc  # imports this module: loaded late

    return (
        ("accounts-main", WIDE, acc.accounts_main),
        ("accounts-ledger", WIDE, acc.accounts_ledger),
        ("accounts-conflict-lab", WIDE, acc.accounts_lab),
        ("accounts-transfer", WIDE, acc.accounts_transfer),
        ("accounts-saga", WIDE, acc.accounts_saga),
        ("accounts-main-80x24", SMALL, acc.accounts_main),
        ("accounts-conflict-lab-80x24", SMALL, acc.accounts_lab),
        ("accounts-saga-80x24", SMALL, acc.accounts_saga),
    )


async def shoot(name: str, size: tuple[int, int], scenario: Scenario, folder: Path) -> Path:
    """Run `scenario` on a fresh demo system (the accounts one for `accounts-…`) and save
    the screen as `folder/name.svg`."""
    if name.startswith("accounts-"):
        from es_tui.accounts_shots import accounts_system

        system = accounts_system()
    else:
        system = demo_system()
    try:
        app = ExplorerApp(system)
        async with app.run_test(size=size) as pilot:
            await scenario(app, pilot)
            path = folder / f"{name}.svg"
            path.write_text(keep_spaces(app.export_screenshot()), encoding="utf-8")
            return path
    finally:
        system.close()


async def shoot_all(folder: Path, only: str = "") -> list[Path]:
    """Write every picture (or those whose name starts with `only`) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    from es_tui.foreign_shots import shoot_library  # a library database: its own system

    shots = [s for s in (*all_shots(), *accounts_shots()) if s[0].startswith(only)]
    taken = [await shoot(name, size, scenario, folder) for name, size, scenario in shots]
    if "library".startswith(only) or only.startswith("library"):
        taken += await shoot_library(folder, only)
    return taken


def main(argv: list[str] | None = None) -> int:
    """`python -m es_tui.screenshots [DIR [NAME-PREFIX]]`: every picture, or those whose
    name starts with NAME-PREFIX."""
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0] if args else "screenshots")
    only = args[1] if len(args) > 1 else ""
    for path in asyncio.run(shoot_all(folder, only)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
