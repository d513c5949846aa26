"""What a person sees at 80×24 and 160×48: footers keep help and quit, texts are whole,
and a maximized pane fills the screen with its title and details."""

from __future__ import annotations

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Footer

from domain.bootstrap import System
from es_tui.app import ExplorerApp
from es_tui.ideas.screens.conflict_lab import ConflictLab
from es_tui.messages import CommandRan
from es_tui.screens.main import MainScreen
from es_tui.screens.replay import ReplayScreen
from tests.ui.conftest import wait_for, wait_text
from tests.ui.mouse import screen_lines

SIZES = [(80, 24), (160, 48)]


def footer_of(app: ExplorerApp) -> str:
    return screen_lines(app)[-1]


def assert_footer_keeps_help_and_leaving(app: ExplorerApp, where: str) -> None:
    footer = footer_of(app)
    assert "?" in footer and "Help" in footer, f"{where}: {footer!r}"
    assert ("q" in footer and "Quit" in footer) or "Back" in footer, f"{where}: {footer!r}"


async def main_footers_keep_help_and_leaving(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """Each pane of the main screen focused in turn (keys 1-5): its footer keeps help and
    quit."""
    for key, pane in zip(
        "12345", ("streams", "timeline", "state", "projection", "log"), strict=True
    ):
        await pilot.press(key)
        await pilot.pause()
        assert_footer_keeps_help_and_leaving(app, f"main, {pane} focused")


@pytest.mark.parametrize("size", SIZES)
async def test_every_footer_shows_help_and_quit_or_back(
    app: ExplorerApp, system: System, size: tuple[int, int]
) -> None:
    idea = system.ideas.publish("Footers", "Seen at every width.").idea_id
    async with app.run_test(size=size) as pilot:
        main = app.main_screen
        main.select_stream(f"idea-{idea}")
        await wait_for(pilot, lambda: main.stream_id == f"idea-{idea}", "the idea's stream")
        await main_footers_keep_help_and_leaving(app, pilot)
        await pilot.press("2", "slash")
        await pilot.pause()
        footer = footer_of(app)  # keys type into the filter: escape is the way out
        assert "esc" in footer and "Close filter" in footer, footer
        await pilot.press("escape", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), "the replay")
        await pilot.pause()
        assert_footer_keeps_help_and_leaving(app, "replay")
        await pilot.press("escape", "c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictLab), "the conflict lab")
        await pilot.pause()
        assert_footer_keeps_help_and_leaving(app, "conflict lab")
        await pilot.press("b", "a")
        await pilot.pause()
        assert_footer_keeps_help_and_leaving(app, "conflict lab, after a conflict")


PANE_TITLES = {
    "streams": "Streams",
    "snapshots": "Snapshots",
    "timeline": "Timeline",
    "state": "State",
    "projection": "Projection",
    "log": "Log",
}


def highlighted_command(app: ExplorerApp) -> str:
    """The command the palette's enter would run now ("" while it has found none)."""
    commands = app.screen.query(CommandList)
    if not commands or commands.first().highlighted is None:
        return ""
    found = commands.first()
    assert found.highlighted is not None
    return str(found.get_option_at_index(found.highlighted).prompt).strip()


async def maximize_from_the_palette(app: ExplorerApp, pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
    await pilot.press(*"maximize")
    await wait_for(pilot, lambda: highlighted_command(app).startswith("Maximize"), "Maximize")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the palette to close")
    await wait_for(pilot, lambda: app.main_screen.maximized is not None, "a maximized pane")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
async def test_a_maximized_pane_fills_the_screen_with_its_title_and_details(
    app: ExplorerApp, system: System, size: tuple[int, int]
) -> None:
    idea = system.ideas.publish("Maximize me", "Seen full screen.").idea_id
    width, height = size
    async with app.run_test(size=size) as pilot:
        main = app.main_screen
        main.select_stream(f"idea-{idea}")
        await wait_for(pilot, lambda: main.stream_id == f"idea-{idea}", "the idea's stream")
        await wait_text(pilot, lambda: main.timeline.details, "IdeaCreationAccepted")
        for pane, title in PANE_TITLES.items():
            pane_widget = main.query_one(f"#{pane}")
            if pane == "snapshots":
                main.snapshots.focus()
            else:
                await pilot.press(str(list(PANE_TITLES).index(pane) or 1))
            await pilot.pause()
            await maximize_from_the_palette(app, pilot)
            assert main.maximized is pane_widget, (pane, main.maximized)
            footer_rows = main.query_one(Footer).outer_size.height
            assert pane_widget.outer_size == (width, height - footer_rows), pane
            lines = screen_lines(app)
            assert title in lines[0], (pane, lines[0])  # the title, on the top border
            if pane == "timeline":
                shown = "\n".join(lines)
                assert "IdeaCreationAccepted" in shown and "event id" in shown, shown
            await pilot.press("escape")
            await wait_for(pilot, lambda: main.maximized is None, "the pane to be restored")


@pytest.mark.parametrize("size", SIZES)
async def test_the_log_shows_its_newest_lines_maximized_restored_and_after(
    app: ExplorerApp, system: System, size: tuple[int, int]
) -> None:
    async with app.run_test(size=size) as pilot:
        main = app.main_screen
        log = main.log_pane
        await pilot.press("5")
        for n in range(size[1]):  # more entries than the screen has rows
            system.ideas.publish(f"Entry {n}", "One more line in the log.")
        await wait_for(pilot, lambda: len(log.plain_lines()) > size[1], "more entries than rows")

        def newest_on_the_last_row() -> bool:
            rows = log.visible_text().splitlines()
            newest = log.plain_lines()[-1].rstrip()
            last = rows[-1].strip() if len(rows) == log.size.height else ""
            return bool(last) and newest.endswith(last)  # its last line, on the last row

        await wait_for(pilot, newest_on_the_last_row, "the newest entry at the bottom")
        await maximize_from_the_palette(app, pilot)
        assert main.maximized is log
        await wait_for(pilot, newest_on_the_last_row, "the newest entry, maximized")
        await pilot.press("escape")
        await wait_for(pilot, lambda: main.maximized is None, "the log restored")
        await wait_for(pilot, newest_on_the_last_row, "the newest entry, restored")
        idea = system.ideas.publish("After the maximize", "Still followed.").idea_id
        await wait_for(
            pilot, lambda: any(f"idea-{idea}" in line for line in log.plain_lines()[-3:]), "it"
        )
        await wait_for(pilot, newest_on_the_last_row, "the new entry shown at the bottom")


def joined(lines: list[str]) -> str:
    """Wrapped lines read as one text (a wrapped line's indent is not part of the text)."""
    return " ".join(line.strip() for line in lines)


@pytest.mark.parametrize("size", SIZES)
async def test_long_texts_are_shown_whole(
    app: ExplorerApp, system: System, size: tuple[int, int]
) -> None:
    idea = system.ideas.publish("Whole texts", "Never cut at the pane's edge.").idea_id
    stream = f"idea-{idea}"
    system.ideas.delete(idea)
    try:
        system.ideas.edit(idea, title="Too late")
    except Exception as error:  # the real refusal the log must show whole
        refusal = error
    async with app.run_test(size=size) as pilot:
        main = app.main_screen
        main.select_stream(stream)
        await wait_for(pilot, lambda: main.stream_id == stream, "the idea's stream")
        record = system.store.read_stream(stream)[-1]
        await wait_text(pilot, lambda: main.timeline.details, str(record.event_id))

        # Ids in the event details: each whole on one line, never cut mid-UUID.
        details = main.timeline.details.rendered_lines()
        for value in (str(record.event_id), str(record.metadata["correlation_id"])):
            assert any(value in line for line in details), (value, details)

        # The state's legend keeps its count with its noun.
        await pilot.press("3")
        await wait_text(pilot, lambda: main.state_pane, "changed by")
        state = main.state_pane.rendered_lines()
        assert any("field changed by" in line or "fields changed by" in line for line in state)

        # The filter's prompt, whole.
        await pilot.press("2", "slash")
        await pilot.pause()
        prompt = screen_lines(app)[main.timeline.filter_input.region.y]
        assert main.timeline.filter_input.placeholder in prompt, prompt
        await pilot.press("escape")

        # A refusal in the log wraps instead of ending at the pane's edge.
        app.post_message(CommandRan("EditIdea", stream, refusal, "writer A"))
        await pilot.press("5")
        expected = f"✘ writer A: EditIdea {stream} refused: {type(refusal).__name__}: {refusal}"
        log = main.log_pane
        await wait_for(pilot, lambda: expected in joined(log.visible_text().splitlines()), "log")
        assert all(
            len(line) <= log.scrollable_content_region.width
            for line in log.visible_text().splitlines()
        )


@pytest.mark.parametrize("size", SIZES)
async def test_the_traffic_line_keeps_its_totals_and_its_lag_settles(
    app: ExplorerApp, system: System, size: tuple[int, int]
) -> None:
    async with app.run_test(size=size) as pilot:
        main = app.main_screen
        bar = main.traffic
        await pilot.press("g")
        await wait_for(pilot, lambda: bar.last is not None and bar.last.total > 5, "traffic")
        await pilot.press("g")
        await wait_for(pilot, lambda: bar.last is not None and not bar.last.running, "the stop")
        await wait_for(pilot, lambda: system.view.lag() == 0, "the read model", 30)
        await wait_for(pilot, lambda: "lag 0" in screen_lines(app)[bar.region.y], "lag 0", 30)
        line = screen_lines(app)[bar.region.y]
        report = bar.last
        assert report is not None
        assert f"{report.total_conflicts:,} conflicts" in line, line
        assert f"{report.total:,} c" in line, line
        # Stopped, nothing is committed per second: no rate of the last run is shown as now
        # (the pulse beside the read model says 0.0 commits/s).
        assert "/s" not in line.replace("cmd/s", ""), line
