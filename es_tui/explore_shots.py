"""Screenshot scenarios of the causation graph, the diff, the catalogue and the versioning
lab (see `es_tui.screenshots`)."""

from __future__ import annotations

from textual.pilot import Pilot

from es_tui.app import ExplorerApp
from es_tui.screens.catalogue import CatalogueScreen
from es_tui.screens.causation import CausationScreen
from es_tui.screens.diff import DiffScreen
from es_tui.screens.versioning_lab import VersioningLab
from es_tui.screenshots import longest_stream, select, settle


async def _on_version(app: ExplorerApp, pilot: Pilot[None], version: int) -> None:
    main = app.main_screen
    main.timeline.events.move_to(version - 1)
    await settle(pilot, lambda: main.event is not None and main.event.version == version)


async def causation(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """The longest stream's creation: the request, the manager's acceptance, the edits' own."""
    await select(app, pilot, longest_stream(app.system))
    await pilot.press("2")
    await _on_version(app, pilot, 2)
    await pilot.press("t")
    await settle(pilot, lambda: isinstance(app.screen, CausationScreen))
    graph = app.screen
    assert isinstance(graph, CausationScreen)
    await settle(pilot, lambda: bool(graph.events) and graph.graph.cursor_node is not None)


async def diff(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """The longest stream at v2 and at v12."""
    await select(app, pilot, longest_stream(app.system))
    await pilot.press("2")
    await _on_version(app, pilot, 2)
    await pilot.press("m")
    await _on_version(app, pilot, 12)
    await pilot.press("m")
    await settle(pilot, lambda: isinstance(app.screen, DiffScreen))


async def catalogue(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """Every event type of the demo store, with the longest stream's upcasts."""
    await select(app, pilot, longest_stream(app.system))
    await pilot.press("K")
    await settle(pilot, lambda: isinstance(app.screen, CatalogueScreen))
    screen = app.screen
    assert isinstance(screen, CatalogueScreen)
    await settle(pilot, lambda: bool(screen.entries))


async def versioning_lab(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """IdeaUpdated with a field added without a default: refused, and why."""
    await select(app, pilot, longest_stream(app.system))
    await pilot.press("2")
    await _on_version(app, pilot, 4)
    await pilot.press("V")
    await settle(pilot, lambda: isinstance(app.screen, VersioningLab))
    lab = app.screen
    assert isinstance(lab, VersioningLab)
    lab.field_input.value = "tags"
    lab.type_name.value = "list[str]"
    lab.extra.value = ""
    await settle(
        pilot,
        lambda: (
            lab.verdict is not None
            and lab.verdict.proposal.field == "tags"
            and lab.verdict.proposal.type_name == "list[str]"
            and bool(lab.samples)
        ),
    )
    lab.query_one("#lab-result").focus()  # off the input: its blinking cursor is no picture
    await settle(pilot, lambda: not lab.field_input.has_focus)
