"""Help, the command palette, pane keys and the small-terminal layout."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.widgets import Tabs

from domain.bootstrap import System
from es_tui.app import ExplorerApp
from es_tui.ideas.screens.idea_form import IdeaForm
from es_tui.screens.help import HelpScreen
from tests.ui.conftest import text_of, wait_for, wait_text


async def test_help_explains_every_concept_and_closes(app: ExplorerApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        shown = app.screen.query_one("#help").source  # type: ignore[attr-defined]
        for concept in (
            "Stream",
            "Snapshot",
            "Event versioning",
            "Tombstone",
            "CQRS",
            "Optimistic concurrency",
            "Process manager",
        ):
            assert f"**{concept}**" in shown
        assert "`c` conflict lab" in shown and "`f`, then `y`" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, "help to close")


async def test_palette_lists_every_action_and_runs_one(app: ExplorerApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        titles = [command.title for command in app.get_system_commands(app.main_screen)]
        for wanted in ("Publish", "Edit", "Delete", "Forget", "Replay", "Conflict lab", "Help"):
            assert any(title.startswith(wanted) for title in titles), wanted
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"Publish an idea")
        palette = app.screen
        await wait_for(
            pilot, lambda: palette.query_one(CommandList).option_count > 0, "the palette's matches"
        )
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, IdeaForm), "the publish form")
        await pilot.press("escape")


async def test_small_terminal_turns_panes_into_tabs(app: ExplorerApp, system: System) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main_screen
        await wait_text(pilot, lambda: main.streams, "$all")
        assert main.has_class("-narrow")
        assert main.query_one(Tabs).display
        for pane in ("#streams", "#snapshots", "#timeline", "#pane-tabs", "Footer"):
            region = main.query_one(pane).region
            assert region.area > 0, pane
            assert region.right <= 80 and region.bottom <= 24, pane

        await pilot.press("3")  # state
        await wait_for(pilot, lambda: main.state_pane.region.area > 0, "the state tab")
        assert main.timeline.region.area == 0
        await pilot.press("4")  # projection
        await wait_for(pilot, lambda: main.projection.region.area > 0, "the projection tab")
        assert "checkpoint" in text_of(main.projection.summary)
        await pilot.press("5")  # log
        await wait_for(pilot, lambda: main.log_pane.region.area > 0, "the log tab")
        await pilot.press("2")  # back to the timeline
        await wait_for(pilot, lambda: main.timeline.region.area > 0, "the timeline tab")


async def test_wide_terminal_shows_every_pane_at_once(app: ExplorerApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        await wait_text(pilot, lambda: main.streams, "$all")
        assert not main.has_class("-narrow")
        for pane in ("#streams", "#timeline", "#snapshots", "#state", "#projection", "#log"):
            widget = main.query_one(pane)
            assert widget.region.area > 0, pane
            assert widget.region.right <= 160 and widget.region.bottom <= 48, pane


async def test_enter_on_a_read_model_row_opens_its_stream(app: ExplorerApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        ideas = main.projection.ideas
        await wait_for(pilot, lambda: ideas.highlighted is not None, "the read model")
        await pilot.press("4")
        await wait_for(pilot, lambda: ideas.has_focus, "focus on the read model")
        await pilot.press("home", "enter")
        wanted = f"idea-{ideas.row_at(0).idea_id}"
        await wait_for(pilot, lambda: main.timeline.stream_id == wanted, "its timeline")
        assert main.timeline.events.has_focus
        assert main.stream_id == wanted


async def test_scrolling_back_up_shows_rows_not_the_header(
    app: ExplorerApp, system: System
) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        timeline = main.timeline.events
        head = system.store.head_position()
        await wait_for(pilot, lambda: timeline.row_count == head, "the log")
        await pilot.press("2", "end")
        top = int(timeline.scroll_y)
        assert top > 2
        for _ in range(timeline.cursor - top + 2):  # two rows above the first one shown
            await pilot.press("up")
        await wait_for(pilot, lambda: int(timeline.scroll_y) == top - 2, "the scroll")
        lines = text_of(timeline).splitlines()
        assert "pos" in lines[0] and "type" in lines[0]  # the header, once, on top
        assert all("type" not in line for line in lines[1:])
        assert lines[1].split()[0] == str(top - 1)  # position of the row now first


async def test_the_timeline_title_names_what_its_list_shows(
    app: ExplorerApp, system: System
) -> None:
    ideas = [system.ideas.publish(f"Titled {n}", "Named on the border.").stream_id for n in "ab"]
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        timeline = main.timeline
        for stream in (*ideas, ideas[0]):
            main.select_stream(stream)
            title = f"Timeline · {stream} (by version)"
            await wait_for(pilot, lambda s=stream: timeline.stream_id == s, stream)
            await wait_for(pilot, lambda t=title: str(timeline.border_title) == t, title)
        await pilot.press("home")  # $all heads the streams list
        await wait_for(
            pilot,
            lambda: str(timeline.border_title) == "Timeline · $all (global log, by position)",
            "the title naming the global log",
        )
